"""Stage 3: transcribe clips with faster-whisper, word timestamps on.

Clips are batched (``BatchElements``) and handed to
``voicescrub.transforms.asr.whisper.transcribe_batch``: short clips are packed several to a shared
30 s Whisper window and their words split back by time (``transforms/asr/packing.py``);
a clip whose split is not clear-cut, or every clip when packing is off, gets a
window of its own; the windows go through CTranslate2 several per forward pass.
The model is loaded once per worker process.
"""

from __future__ import annotations

from typing import Any, Iterator, List, Optional

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.asr.whisper import AsrSettings, transcribe_batch
from voicescrub.transforms.runtime.clip_stage import (
    DEFAULT_CLIPS_PER_BATCH,
    BatchStageFn,
    replace,
    run_batched_stage,
)
from voicescrub.transforms.runtime.deadline import (
    DEFAULT_CLIP_TIMEOUT_S,
    ClipTimeout,
    each_within,
)
from voicescrub.transforms.runtime.errors import ScrubError
from voicescrub.transforms.runtime.models import ModelHolder, SharedModels


class MissingAudio(ScrubError):
    """A clip reached transcription without decoded PCM."""


class TranscribeBatchFn(BatchStageFn):
    """A batch of clips -> batched (and packed) transcription; each clip passes or dead-letters alone.

    Holds only the settings and the shared handles (picklable); the model is the
    worker process's shared instance.

    :param timeout_s: most seconds one clip may take to transcribe (a batch gets as
        many times that as it has clips; see :func:`voicescrub.transforms.runtime.deadline.each_within`).
    """

    stage = "transcribe"

    def __init__(self, settings: AsrSettings, models: SharedModels,
                 timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._settings = settings
        self._models = models
        self._timeout_s = timeout_s
        self._model: Optional[ModelHolder] = None

    def start_bundle(self) -> None:
        super().start_bundle()
        # Acquired here rather than in ``setup``: a runner reports metrics only
        # from inside a bundle, and the load counter must reach the job's metrics.
        # ``Shared`` still loads the model once per process.
        if self._model is None:
            self._model = self._models.whisper_for(self._settings)

    def process_clips(self, clips: List[Clip]) -> Iterator[Any]:
        ready = [clip for clip in clips if clip.pcm16 is not None]
        for clip in clips:
            if clip.pcm16 is None:
                yield self.dead(clip, MissingAudio("clip reached transcription without audio"))
        if not ready:
            return
        assert self._model is not None
        model = self._model.value
        results = each_within(
            self._timeout_s, [clip.pcm16 for clip in ready],
            lambda pcms: transcribe_batch(model, pcms, self._settings, detect_language=True))
        for clip, result in zip(ready, results):
            if isinstance(result, ClipTimeout):
                yield self.dead(clip, result)
                continue
            self.count_route(result.route)
            if result.transcript is None:
                yield self.dead(clip, result.error if result.error is not None
                                else MissingAudio("transcription returned nothing for the clip"))
                continue
            yield self.passed(replace(clip, transcript=result.transcript,
                                      transcript_language=result.transcript.language,
                                      asr_model=self._settings.model_label))


class Transcribe(beam.PTransform):
    """Clips with PCM -> clips with a word-timed :class:`Transcript`.

    Outputs ``.clips`` and ``[DEAD_LETTER]``, like every clip stage.

    :param models: the run's shared model handles.
    :param clips_per_batch: places per call (a clip takes one per 10 s of audio begun,
        ``clip_stage.batch_places``): bounds memory.
    :param timeout_s: most seconds one clip may take to transcribe (``--clip-timeout-s``).
    """

    def __init__(self, settings: AsrSettings, models: SharedModels,
                 clips_per_batch: int = DEFAULT_CLIPS_PER_BATCH,
                 timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._settings = settings
        self._models = models
        self._clips_per_batch = clips_per_batch
        self._timeout_s = timeout_s

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_batched_stage(clips, "TranscribeBatch",
                                 TranscribeBatchFn(self._settings, self._models, self._timeout_s),
                                 self._clips_per_batch)
