"""Stage 3: transcribe clips with faster-whisper, word timestamps on.

Clips are batched (``BatchElements``) and handed to
``transforms.asr.transcribe_batch``: short clips are packed several to a shared
30 s Whisper window and their words split back by time (``transforms/packing.py``);
a clip whose split is not clear-cut, or every clip when packing is off, gets a
window of its own; the windows go through CTranslate2 several per forward pass.
The model is loaded once per worker process.
"""

from __future__ import annotations

import time
from typing import Any, Iterator, List, Optional, Sequence

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from schemas.records import Clip
from transforms.asr import AsrSettings, ClipOutcome, load_model_for, transcribe_batch
from transforms.deadline import DEFAULT_CLIP_TIMEOUT_S, ClipTimeout, each_within
from transforms.shared_models import ModelHolder, acquire_shared
from transforms.stage import (DEAD_LETTER, METRICS_NAMESPACE, dead_letter_for, replace,
                              run_batched_stage)

STAGE = "transcribe"

#: Clips handed to one ``transcribe_batch`` call: enough for ``window_batch_size``
#: full windows of 4-5 s requests, few enough that memory stays flat
#: (48 clips of 8 s are 12 MB of PCM).
DEFAULT_CLIPS_PER_BATCH = 48


def whisper_tag(settings: AsrSettings) -> str:
    """Models with the same weights, device and precision are one shared instance."""
    return f"whisper|{settings.model}|{settings.device}|{settings.compute_type}|{settings.cpu_threads}|{settings.replicas}"


def acquire_whisper(handle: Shared, settings: AsrSettings) -> ModelHolder:
    """The worker process's Whisper model for ``settings`` (loaded at most once)."""
    return acquire_shared(handle, whisper_tag(settings), "whisper_model_loads",
                          lambda: load_model_for(settings))


def count_route(stage: str, outcome: ClipOutcome) -> None:
    """Count how a clip was transcribed, as ``<stage>_route_<route>``.

    Route names are a fixed vocabulary (see :class:`transforms.asr.ClipOutcome`),
    never anything from the audio.
    """
    Metrics.counter(METRICS_NAMESPACE, f"{stage}_route_{outcome.route.replace(':', '_')}").inc()


def with_transcript(clip: Clip, outcome: ClipOutcome, settings: AsrSettings) -> Clip:
    """``clip`` with the transcript fields an outcome filled."""
    assert outcome.transcript is not None
    return replace(clip, transcript=outcome.transcript,
                   transcript_language=outcome.transcript.language, asr_model=settings.model_label)


class MissingAudio(Exception):
    """A clip reached transcription without decoded PCM."""


class TranscribeBatchFn(beam.DoFn):
    """A batch of clips -> batched (and packed) transcription; each clip passes or dead-letters alone.

    Holds only the settings and the shared handle (picklable); the model is the
    worker process's shared instance.

    :param timeout_s: most seconds one clip may take to transcribe (a batch gets as
        many times that as it has clips; see :func:`transforms.deadline.each_within`).
    """

    def __init__(self, settings: AsrSettings, shared_handle: Shared,
                 timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        self._settings = settings
        self._shared_handle = shared_handle
        self._timeout_s = timeout_s
        self._model: Optional[ModelHolder] = None
        self._passed = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_passed")
        self._failed = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_failed")
        self._batch_ms = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_ms")
        self._batch_sizes = Metrics.distribution(METRICS_NAMESPACE, f"{STAGE}_batch_clips")

    def start_bundle(self) -> None:
        # Acquired here rather than in ``setup``: a runner reports metrics only
        # from inside a bundle, and the load counter must reach the job's metrics.
        # ``Shared`` still loads the model once per process.
        if self._model is None:
            self._model = acquire_whisper(self._shared_handle, self._settings)

    # Left unannotated: Beam would read annotations as element type hints.
    def process(self, batch):  # type: ignore[no-untyped-def]
        clips: List[Clip] = list(batch)
        ready = [clip for clip in clips if clip.pcm16 is not None]
        for clip in clips:
            if clip.pcm16 is None:
                self._failed.inc()
                yield TaggedOutput(DEAD_LETTER, dead_letter_for(clip.entry, STAGE, MissingAudio()))
        if not ready:
            return
        assert self._model is not None
        started = time.perf_counter()
        model = self._model.value
        try:
            results = each_within(
                self._timeout_s, [clip.pcm16 for clip in ready],
                lambda pcms: transcribe_batch(model, pcms, self._settings, detect_language=True))
        except Exception as error:  # noqa: BLE001 - fail closed: the whole batch dead-letters
            results = [ClipOutcome(None, error=error) for _ in ready]
        outcomes = [ClipOutcome(None, error=r) if isinstance(r, ClipTimeout) else r for r in results]
        self._batch_ms.inc(int((time.perf_counter() - started) * 1000))
        self._batch_sizes.update(len(ready))
        yield from self._emit(ready, outcomes)

    def _emit(self, clips: Sequence[Clip], outcomes: Sequence[ClipOutcome]) -> Iterator[Any]:
        for clip, outcome in zip(clips, outcomes):
            count_route(STAGE, outcome)
            if outcome.transcript is None:
                self._failed.inc()
                error = outcome.error if outcome.error is not None else MissingAudio()
                yield TaggedOutput(DEAD_LETTER, dead_letter_for(clip.entry, STAGE, error))
                continue
            self._passed.inc()
            yield with_transcript(clip, outcome, self._settings)


class Transcribe(beam.PTransform):
    """Clips with PCM -> clips with a word-timed :class:`Transcript`.

    Outputs ``.clips`` and ``[DEAD_LETTER]``, like every clip stage.

    :param clips_per_batch: most clips packed by one call (bounds memory).
    :param timeout_s: most seconds one clip may take to transcribe (``--clip-timeout-s``).
    """

    def __init__(self, settings: AsrSettings, shared_handle: Shared,
                 clips_per_batch: int = DEFAULT_CLIPS_PER_BATCH,
                 timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._settings = settings
        self._shared_handle = shared_handle
        self._clips_per_batch = clips_per_batch
        self._timeout_s = timeout_s

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_batched_stage(clips, "TranscribeBatch",
                                 TranscribeBatchFn(self._settings, self._shared_handle,
                                                   self._timeout_s),
                                 self._clips_per_batch)
