"""The shape every stage shares: process one clip, or send it to the dead letter.

A stage's DoFn implements ``process_clip`` and never catches broadly itself:
this base class turns any exception into a dead-letter record with the stage
name, the error's type and a safe message, so a failing clip can never slip
through to ``utterances/`` and never crashes the job.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from schemas.records import Clip, DeadLetter, ManifestEntry
from transforms.errors import safe_error_message, stage_of

DEAD_LETTER = "dead_letter"
MAIN = "clips"
METRICS_NAMESPACE = "voicescrub"


def dead_letter_for(entry: ManifestEntry, stage: str, error: BaseException) -> DeadLetter:
    """The dead-letter record for a clip that failed in ``stage`` (or in the stage the
    error names: :func:`transforms.errors.stage_of`)."""
    return DeadLetter(
        utterance_id=entry.utterance_id,
        manifest=entry.manifest,
        line=entry.line,
        stage=stage_of(error, stage),
        error_type=type(error).__name__,
        error_message=safe_error_message(error, stage),
    )


class ClipStageFn(beam.DoFn):
    """Base DoFn of a clip stage: main output clips, tagged output dead letters.

    Subclasses set ``stage`` and implement ``process_clip``; they hold only
    configuration (picklable), and load heavy things in ``setup``.
    """

    stage = "stage"

    def __init__(self) -> None:
        self._failed = Metrics.counter(METRICS_NAMESPACE, f"{self.stage}_failed")
        self._passed = Metrics.counter(METRICS_NAMESPACE, f"{self.stage}_passed")

    def process_clip(self, clip: Clip, *side_inputs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # Left unannotated: Beam reads process() annotations as element type hints
    # and rejects a typed *side_inputs.
    def process(self, clip, *side_inputs):  # type: ignore[no-untyped-def]
        try:
            result = self.process_clip(clip, *side_inputs)
        except Exception as error:  # noqa: BLE001 - fail closed: every error dead-letters the clip
            self._failed.inc()
            yield TaggedOutput(DEAD_LETTER, dead_letter_for(clip.entry, self.stage, error))
            return
        self._passed.inc()
        yield result


def replace(clip: Clip, **changes: Any) -> Clip:
    """``dataclasses.replace`` for clips, named for readability in stages."""
    return dataclasses.replace(clip, **changes)


def run_clip_stage(pcoll: beam.PCollection, fn: ClipStageFn,
                   *side_inputs: Any) -> beam.pvalue.DoOutputsTuple:
    """Apply a clip stage, returning ``result.clips`` and ``result[DEAD_LETTER]``."""
    return pcoll | beam.ParDo(fn, *side_inputs).with_outputs(DEAD_LETTER, main=MAIN)


def run_batched_stage(pcoll: beam.PCollection, label: str, fn: beam.DoFn,
                      clips_per_batch: int) -> beam.pvalue.DoOutputsTuple:
    """Batch clips (``clips_per_batch`` per call) and apply a batch DoFn that emits
    clips and ``DEAD_LETTER``s, like :func:`run_clip_stage`.

    :param label: the ParDo step's name.
    """
    return (
        pcoll
        | "BatchClips" >> beam.BatchElements(min_batch_size=clips_per_batch,
                                             max_batch_size=clips_per_batch)
        | label >> beam.ParDo(fn).with_outputs(DEAD_LETTER, main=MAIN)
    )
