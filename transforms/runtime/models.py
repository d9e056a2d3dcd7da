"""Load heavy models once per worker process, shared by every DoFn instance in it.

The one place where a stage gets a model. ``apache_beam.utils.shared.Shared``
keeps one object per process and tag; a DoFn holds only a :class:`SharedModels`
(picklable handles) and its settings, and acquires the model in ``setup`` or
``start_bundle``. A counter records each real load, so a run can prove it loaded
each model once per process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from apache_beam.metrics import Metrics
from apache_beam.utils.shared import Shared
from voicescrub.schemas.settings import fingerprint
from voicescrub.transforms.asr.whisper import AsrSettings, load_model_for
from voicescrub.transforms.pii.config import PiiConfig
from voicescrub.transforms.runtime.clip_stage import METRICS_NAMESPACE


class ModelHolder:
    """What ``Shared`` keeps: it needs a weak-referenceable object, and some models
    (C++ wrappers) are not. ``Shared`` only holds it weakly, so the DoFn must keep
    the holder itself, not just ``holder.value``, or the model is reloaded."""

    def __init__(self, value: Any) -> None:
        self.value = value


def acquire_shared(handle: Shared, tag: str, counter_name: str,
                   load: Callable[[], Any]) -> ModelHolder:
    """The process-wide holder for ``tag``, loading it with ``load`` the first time."""
    counter = Metrics.counter(METRICS_NAMESPACE, counter_name)

    def _load() -> ModelHolder:
        counter.inc()
        return ModelHolder(load())

    return handle.acquire(_load, tag=tag)


def whisper_tag(settings: AsrSettings) -> str:
    """Models with the same weights, device and precision are one shared instance."""
    return (f"whisper|{settings.model}|{settings.device}|{settings.compute_type}"
            f"|{settings.cpu_threads}|{settings.replicas}")


def detector_tag(config: PiiConfig) -> str:
    """Detectors built from equal configurations are one shared instance."""
    return "pii|" + fingerprint(config)


def quiet_presidio_logs() -> None:
    """Presidio and spaCy log at INFO/DEBUG about the text they analyse, and warn per call about
    config choices; keep them to errors."""
    for name in ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "spacy"):
        logging.getLogger(name).setLevel(logging.ERROR)


def load_detector(config: PiiConfig):  # -> PiiDetector
    """Build the detector (spaCy pipeline + recognizers): seconds, so once per process."""
    from voicescrub.transforms.pii.detector import PiiDetector

    quiet_presidio_logs()
    return PiiDetector(config)


@dataclass(frozen=True)
class SharedModels:
    """The run's model handles, one per model kind: every DoFn instance in a worker
    process that asks for the same model gets the same instance (the transcribe stage
    and the audit share one Whisper model, the detect stage and the audit one detector).
    """

    whisper: Shared = field(default_factory=Shared)
    detector: Shared = field(default_factory=Shared)

    def whisper_for(self, settings: AsrSettings) -> ModelHolder:
        """The worker process's Whisper model for ``settings`` (loaded at most once)."""
        return acquire_shared(self.whisper, whisper_tag(settings), "whisper_model_loads",
                              lambda: load_model_for(settings))

    def detector_for(self, config: PiiConfig) -> ModelHolder:
        """The worker process's PII detector for ``config`` (built at most once)."""
        return acquire_shared(self.detector, detector_tag(config), "pii_detector_loads",
                              lambda: load_detector(config))
