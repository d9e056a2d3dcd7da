"""Stage 2: decode each clip to 16 kHz mono PCM, in-process (PyAV)."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics
from voicescrub.schemas.records import Clip
from voicescrub.transforms.audio.codec import SAMPLE_RATE, decode_to_pcm16
from voicescrub.transforms.runtime.clip_stage import (
    METRICS_NAMESPACE,
    ClipStageFn,
    replace,
    run_clip_stage,
)
from voicescrub.transforms.runtime.deadline import DEFAULT_CLIP_TIMEOUT_S, within


class DecodeAudioFn(ClipStageFn):
    stage = "decode"

    def __init__(self, max_duration_s: float, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._max_duration_s = max_duration_s
        self._timeout_s = timeout_s
        self._audio_ms = Metrics.counter(METRICS_NAMESPACE, "audio_ms_decoded")

    def process_clip(self, clip: Clip) -> Clip:
        assert clip.audio_bytes is not None
        data, max_duration_s = clip.audio_bytes, self._max_duration_s
        # A decoder caught in hostile input must not hold the job.
        pcm = within(self._timeout_s, lambda: decode_to_pcm16(data, max_duration_s=max_duration_s))
        self._audio_ms.inc(int(len(pcm) * 1000 / SAMPLE_RATE))
        # The file bytes are not needed again: only one decoded copy travels on.
        return replace(clip, audio_bytes=None, pcm16=pcm, sample_rate=SAMPLE_RATE,
                       duration_s=len(pcm) / SAMPLE_RATE)


class DecodeAudio(beam.PTransform):
    """Clips with file bytes -> clips with 16 kHz mono int16 PCM.

    :param timeout_s: most seconds one clip's decoding may take (``ClipTimeout`` past it).
    """

    def __init__(self, max_duration_s: float, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._max_duration_s = max_duration_s
        self._timeout_s = timeout_s

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, DecodeAudioFn(self._max_duration_s, self._timeout_s))
