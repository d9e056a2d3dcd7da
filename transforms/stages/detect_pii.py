"""Stage 4: find PII in each transcript with the spoken-form-aware Presidio detector."""

from __future__ import annotations

from typing import Optional

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.pii.config import PiiConfig
from voicescrub.transforms.runtime.clip_stage import (
    ClipStageFn,
    replace,
    run_clip_stage,
)
from voicescrub.transforms.runtime.deadline import DEFAULT_CLIP_TIMEOUT_S, within
from voicescrub.transforms.runtime.models import ModelHolder, SharedModels


class DetectPiiFn(ClipStageFn):
    """A transcribed clip -> the clip with its spans, within ``timeout_s`` per clip.

    Detection's work grows faster than its transcript on long runs of number words
    (``benchmarks/hostile_text.py``), so a transcript a decoding loop filled is bounded.
    """

    stage = "detect"

    def __init__(self, config: PiiConfig, models: SharedModels,
                 timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._config = config
        self._models = models
        self._timeout_s = timeout_s
        self._detector: Optional[ModelHolder] = None

    def setup(self) -> None:
        self._detector = self._models.detector_for(self._config)

    def process_clip(self, clip: Clip) -> Clip:
        assert clip.transcript is not None and self._detector is not None
        detector = self._detector.value
        text = clip.transcript.text
        spans = tuple(within(self._timeout_s, lambda: detector.detect(text)))
        return replace(clip, spans=spans, contains_critical_pii=detector.contains_critical_pii(spans))


class DetectPii(beam.PTransform):
    """Transcribed clips -> clips with their PII spans and the critical flag.

    :param config: the run's parsed PII configuration.
    :param models: the run's shared model handles.
    :param timeout_s: most seconds detection may take on one clip (``--clip-timeout-s``).
    """

    def __init__(self, config: PiiConfig, models: SharedModels,
                 timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._args = (config, models, timeout_s)

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, DetectPiiFn(*self._args))
