"""The one dead-letter mechanism every stage uses: each clip passes or is dead-lettered.

A stage's DoFn derives from :class:`ClipStageFn` (one clip per call) or
:class:`BatchStageFn` (a batch of clips per call, each judged alone) and never
catches broadly itself: these bases turn any exception into a dead-letter record
with the stage name, the error's type and a safe message, so a failing clip can
never slip through to ``utterances/`` and never crashes the job. A DoFn that
dead-letters something that is not yet a clip (a manifest line) uses
:class:`StageOutcomes` directly.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Iterator, List, Optional, Set

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from voicescrub.schemas.records import Clip, DeadLetter, Exclusion, ManifestEntry
from voicescrub.transforms.runtime.errors import safe_error_message, stage_of

DEAD_LETTER = "dead_letter"
#: Lines left out of review unread (``excluded/``): not failures, so never dead letters.
EXCLUDED = "excluded"
MAIN = "clips"
METRICS_NAMESPACE = "voicescrub"

#: Clips a batch stage handles per call. Each call ends with a part-filled window, a
#: second packing of the clips whose split was ambiguous and windows of their own for
#: those that fail twice; the more clips per call, the fuller those windows and the
#: fewer there are, and the more windows each of those steps gives every model replica.
#: Few enough that memory stays flat (96 clips of 8 s are 25 MB of PCM). The transcribe
#: stage and the audit pack and batch alike (``benchmarks/clips_per_batch.py``).
DEFAULT_CLIPS_PER_BATCH = 96
#: A clip takes one place in a batch for each this many seconds of audio begun, so a call
#: holds at most ``clips_per_batch`` short clips, or about ``clips_per_batch`` times this
#: many seconds of long ones (96 places are 31 MB of PCM: clips of 10 minutes, 60 places
#: each, go one to a call instead of 96 in 1.8 GB).
SECONDS_PER_BATCH_PLACE = 10.0


def batch_places(clip: Clip) -> int:
    """Places ``clip`` takes in a batch (see ``SECONDS_PER_BATCH_PLACE``)."""
    seconds = clip.duration_s if math.isfinite(clip.duration_s) else 0.0
    return max(1, math.ceil(seconds / SECONDS_PER_BATCH_PLACE))


def line_dead_letter(manifest: str, line: int, utterance_id: Optional[str], stage: str,
                     error: BaseException) -> DeadLetter:
    """The dead-letter record for manifest line ``line`` that failed in ``stage`` (or in
    the stage the error names: :func:`voicescrub.transforms.runtime.errors.stage_of`)."""
    return DeadLetter(
        utterance_id=utterance_id,
        manifest=manifest,
        line=line,
        stage=stage_of(error, stage),
        error_type=type(error).__name__,
        error_message=safe_error_message(error, stage),
    )


def dead_letter_for(entry: ManifestEntry, stage: str, error: BaseException) -> DeadLetter:
    """The dead-letter record for a clip that failed in ``stage``."""
    return line_dead_letter(entry.manifest, entry.line, entry.utterance_id, stage, error)


class StageOutcomes:
    """A stage's ``<stage>_passed`` / ``<stage>_failed`` counters and its dead-letter output.

    Metric names are the stage name and a fixed suffix, never anything from a clip.
    """

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._passed = Metrics.counter(METRICS_NAMESPACE, f"{stage}_passed")
        self._failed = Metrics.counter(METRICS_NAMESPACE, f"{stage}_failed")

    def passed(self, output: Any) -> Any:
        """Count ``output`` as passed and return it."""
        self._passed.inc()
        return output

    def dead(self, entry: ManifestEntry, error: BaseException) -> TaggedOutput:
        """Count a failure and return the clip's tagged dead letter."""
        self._failed.inc()
        return TaggedOutput(DEAD_LETTER, dead_letter_for(entry, self.stage, error))

    def left_out(self, entry: ManifestEntry, reason: str) -> TaggedOutput:
        """Count a clip left out of review for ``reason`` (a fixed word, see
        ``schemas.arrow.EXCLUSION_REASONS``) and return its tagged exclusion."""
        Metrics.counter(METRICS_NAMESPACE, f"excluded_{reason}").inc()
        return TaggedOutput(EXCLUDED, Exclusion(entry.utterance_id, entry.manifest, entry.line,
                                                reason))

    def dead_line(self, manifest: str, line: int, utterance_id: Optional[str],
                  error: BaseException) -> TaggedOutput:
        """Count a failure and return a manifest line's tagged dead letter."""
        self._failed.inc()
        return TaggedOutput(DEAD_LETTER, line_dead_letter(manifest, line, utterance_id,
                                                          self.stage, error))


class ClipStageFn(beam.DoFn):
    """Base DoFn of a clip stage: main output clips, tagged output dead letters.

    Subclasses set ``stage`` and implement ``process_clip``; they hold only
    configuration (picklable), and load heavy things in ``setup``.
    """

    stage = "stage"

    def __init__(self) -> None:
        self._outcomes = StageOutcomes(self.stage)

    def process_clip(self, clip: Clip, *side_inputs: Any) -> Any:  # pragma: no cover - abstract
        """The clip's output; a stage that may leave a clip out of review returns
        ``self.left_out(clip, reason)`` instead."""
        raise NotImplementedError

    def left_out(self, clip: Clip, reason: str) -> TaggedOutput:
        return self._outcomes.left_out(clip.entry, reason)

    # Left unannotated: Beam reads process() annotations as element type hints
    # and rejects a typed *side_inputs.
    def process(self, clip, *side_inputs):  # type: ignore[no-untyped-def]
        try:
            result = self.process_clip(clip, *side_inputs)
        except Exception as error:  # noqa: BLE001 - fail closed: every error dead-letters the clip
            yield self._outcomes.dead(clip.entry, error)
            return
        yield result if isinstance(result, TaggedOutput) else self._outcomes.passed(result)


def _utterance_of(output: Any) -> Optional[str]:
    """The utterance an output of a batch stage belongs to (a clip or a dead letter)."""
    if isinstance(output, TaggedOutput):
        output = output.value
    if isinstance(output, Clip):
        return output.entry.utterance_id
    return getattr(output, "utterance_id", None)


class BatchStageFn(beam.DoFn):
    """Base DoFn of a stage that works on a batch of clips and judges each clip alone.

    Subclasses set ``stage`` and implement ``process_clips`` (not Beam's own
    ``process_batch``, which would make this a batched DoFn), yielding every clip of
    the batch once, through :meth:`passed` or :meth:`dead`. An exception that escapes
    ``process_clips`` dead-letters every clip of the batch not yet yielded, so a batch
    can never lose or release a clip. Counts ``<stage>_ms`` (time in the stage) and
    ``<stage>_batch_clips``.
    """

    stage = "stage"

    def __init__(self) -> None:
        self._outcomes = StageOutcomes(self.stage)
        self._batch_ms = Metrics.counter(METRICS_NAMESPACE, f"{self.stage}_ms")
        self._batch_sizes = Metrics.distribution(METRICS_NAMESPACE, f"{self.stage}_batch_clips")

    def process_clips(self, clips: List[Clip]) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def passed(self, clip: Clip) -> Clip:
        return self._outcomes.passed(clip)

    def dead(self, clip: Clip, error: BaseException) -> TaggedOutput:
        return self._outcomes.dead(clip.entry, error)

    def count_route(self, route: str) -> None:
        """Count how a clip was transcribed, as ``<stage>_route_<route>``.

        Route names are a fixed vocabulary (see
        :class:`voicescrub.transforms.asr.whisper.ClipOutcome`), never anything from the audio.
        """
        Metrics.counter(METRICS_NAMESPACE, f"{self.stage}_route_{route.replace(':', '_')}").inc()

    # Left unannotated: Beam would read annotations as element type hints.
    def process(self, batch):  # type: ignore[no-untyped-def]
        clips = list(batch)
        if not clips:  # BatchElements emits one before a clip with more places than a batch
            return
        done: Set[Optional[str]] = set()
        outputs = self.process_clips(clips)
        # Only the time spent inside the stage counts: a runner runs the next fused
        # stages on each output before asking for the next one.
        in_stage_s = 0.0
        try:
            while True:
                started = time.perf_counter()
                try:
                    output = next(outputs)
                except StopIteration:
                    break
                finally:
                    in_stage_s += time.perf_counter() - started
                done.add(_utterance_of(output))
                yield output
        except Exception as error:  # noqa: BLE001 - fail closed: the batch's other clips dead-letter
            for clip in clips:
                if clip.entry.utterance_id not in done:
                    yield self.dead(clip, error)
        finally:
            self._batch_ms.inc(int(in_stage_s * 1000))
            self._batch_sizes.update(len(clips))


def replace(clip: Clip, **changes: Any) -> Clip:
    """``dataclasses.replace`` for clips, named for readability in stages."""
    return dataclasses.replace(clip, **changes)


def run_clip_stage(pcoll: beam.PCollection, fn: ClipStageFn,
                   *side_inputs: Any) -> beam.pvalue.DoOutputsTuple:
    """Apply a clip stage, returning ``result.clips`` and ``result[DEAD_LETTER]``."""
    return pcoll | beam.ParDo(fn, *side_inputs).with_outputs(DEAD_LETTER, main=MAIN)


def run_batched_stage(pcoll: beam.PCollection, label: str, fn: BatchStageFn,
                      clips_per_batch: int) -> beam.pvalue.DoOutputsTuple:
    """Batch clips (``clips_per_batch`` places per call, :func:`batch_places`) and apply a
    batch stage, like :func:`run_clip_stage`. A clip with more places than that is a batch
    of its own.

    :param label: the ParDo step's name.
    """
    return (
        pcoll
        | "BatchClips" >> beam.BatchElements(min_batch_size=clips_per_batch,
                                             max_batch_size=clips_per_batch,
                                             element_size_fn=batch_places)
        | label >> beam.ParDo(fn).with_outputs(DEAD_LETTER, main=MAIN)
    )

