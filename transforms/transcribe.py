"""Stage 3: transcribe each clip with faster-whisper, word timestamps on."""

from __future__ import annotations

from typing import Any, Optional

import apache_beam as beam
from apache_beam.utils.shared import Shared

from schemas.records import Clip
from transforms.asr import AsrSettings, load_model_for, transcribe_with
from transforms.audio import pcm16_to_float
from transforms.shared_models import ModelHolder, acquire_shared
from transforms.stage import ClipStageFn, replace, run_clip_stage


def whisper_tag(settings: AsrSettings) -> str:
    """Models with the same weights, device and precision are one shared instance."""
    return f"whisper|{settings.model}|{settings.device}|{settings.compute_type}|{settings.cpu_threads}"


def acquire_whisper(handle: Shared, settings: AsrSettings) -> ModelHolder:
    """The worker process's Whisper model for ``settings`` (loaded at most once)."""
    return acquire_shared(handle, whisper_tag(settings), "whisper_model_loads",
                          lambda: load_model_for(settings))


class TranscribeFn(ClipStageFn):
    stage = "transcribe"

    def __init__(self, settings: AsrSettings, shared_handle: Shared) -> None:
        super().__init__()
        self._settings = settings
        self._shared_handle = shared_handle
        self._model: Optional[ModelHolder] = None

    def setup(self) -> None:
        self._model = acquire_whisper(self._shared_handle, self._settings)

    def process_clip(self, clip: Clip) -> Clip:
        assert clip.pcm16 is not None and self._model is not None
        transcript = transcribe_with(self._settings, self._model.value, pcm16_to_float(clip.pcm16))
        return replace(clip, transcript=transcript, transcript_language=transcript.language,
                       asr_model=self._settings.model_label)


class Transcribe(beam.PTransform):
    """Clips with PCM -> clips with a word-timed :class:`Transcript`."""

    def __init__(self, settings: AsrSettings, shared_handle: Shared) -> None:
        super().__init__()
        self._settings = settings
        self._shared_handle = shared_handle

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, TranscribeFn(self._settings, self._shared_handle))
