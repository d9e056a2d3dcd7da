"""Stage 1b: read each clip's audio file from any Beam filesystem, with a size limit."""

from __future__ import annotations

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.io.audio_files import read_audio_bytes
from voicescrub.transforms.runtime.clip_stage import (
    ClipStageFn,
    replace,
    run_clip_stage,
)
from voicescrub.transforms.runtime.deadline import DEFAULT_CLIP_TIMEOUT_S, within


class ReadAudioFn(ClipStageFn):
    stage = "read_audio"

    def __init__(self, max_bytes: int, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s

    def process_clip(self, clip: Clip) -> Clip:
        uri, max_bytes = clip.entry.audio_uri, self._max_bytes
        # A filesystem that stops answering must not hold the job.
        data = within(self._timeout_s, lambda: read_audio_bytes(uri, max_bytes))
        return replace(clip, audio_bytes=data)


class ReadAudio(beam.PTransform):
    """Clips -> clips carrying their audio file's bytes.

    :param timeout_s: most seconds one clip's read may take (``ClipTimeout`` past it).
    """

    def __init__(self, max_bytes: int, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, ReadAudioFn(self._max_bytes, self._timeout_s))
