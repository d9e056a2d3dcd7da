"""Stage 4: find PII in each transcript with the spoken-form-aware Presidio detector."""

from __future__ import annotations

import logging
from typing import Optional

import apache_beam as beam
from apache_beam.utils.shared import Shared

from schemas.records import Clip
from transforms.deadline import DEFAULT_CLIP_TIMEOUT_S, within
from transforms.shared_models import ModelHolder, acquire_shared
from transforms.stage import ClipStageFn, replace, run_clip_stage


def quiet_presidio_logs() -> None:
    """Presidio and spaCy log at INFO/DEBUG about the text they analyse, and warn per call about
    config choices; keep them to errors."""
    for name in ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "spacy"):
        logging.getLogger(name).setLevel(logging.ERROR)


def load_detector(pii_config_path: Optional[str], spacy_model: Optional[str]):  # -> PiiDetector
    """Build the detector (spaCy pipeline + recognizers): seconds, so once per process."""
    from transforms.pii.config import load_pii_config
    from transforms.pii.detector import PiiDetector

    quiet_presidio_logs()
    return PiiDetector(load_pii_config(pii_config_path, spacy_model=spacy_model))


def acquire_detector(handle: Shared, pii_config_path: Optional[str],
                     spacy_model: Optional[str]) -> ModelHolder:
    """The worker process's detector for this configuration (built at most once)."""
    return acquire_shared(handle, f"pii|{pii_config_path}|{spacy_model}", "pii_detector_loads",
                          lambda: load_detector(pii_config_path, spacy_model))


class DetectPiiFn(ClipStageFn):
    """A transcribed clip -> the clip with its spans, within ``timeout_s`` per clip.

    Detection's work grows faster than its transcript on long runs of number words
    (``benchmarks/hostile_text.py``), so a transcript a decoding loop filled is bounded.
    """

    stage = "detect"

    def __init__(self, pii_config_path: Optional[str], spacy_model: Optional[str],
                 shared_handle: Shared, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._pii_config_path = pii_config_path
        self._spacy_model = spacy_model
        self._shared_handle = shared_handle
        self._timeout_s = timeout_s
        self._detector: Optional[ModelHolder] = None

    def setup(self) -> None:
        self._detector = acquire_detector(self._shared_handle, self._pii_config_path,
                                          self._spacy_model)

    def process_clip(self, clip: Clip) -> Clip:
        assert clip.transcript is not None and self._detector is not None
        detector = self._detector.value
        text = clip.transcript.text
        spans = tuple(within(self._timeout_s, lambda: detector.detect(text)))
        return replace(clip, spans=spans, contains_critical_pii=detector.contains_critical_pii(spans))


class DetectPii(beam.PTransform):
    """Transcribed clips -> clips with their PII spans and the critical flag.

    :param timeout_s: most seconds detection may take on one clip (``--clip-timeout-s``).
    """

    def __init__(self, pii_config_path: Optional[str], spacy_model: Optional[str],
                 shared_handle: Shared, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._args = (pii_config_path, spacy_model, shared_handle, timeout_s)

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, DetectPiiFn(*self._args))
