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
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Deque, Iterator, List, Optional, Set, Tuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue
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


#: Batches a batch stage works on at once. The model calls of one batch end in steps that
#: keep only some of the model replicas busy (a second packing of the few clips whose split
#: was ambiguous, windows of their own for those that fail twice, the audit's widenings);
#: the next batch's calls fill them, and the stages after this one work on a batch's
#: clips while the next is heard. Each batch in flight holds its clips' audio.
BATCHES_IN_FLIGHT = 2


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


#: Per thread: the metric updates a batch's worker thread has made, waiting to be replayed.
_WORKER = threading.local()


class StageMetric:
    """A Beam counter or distribution that a batch stage's worker thread may update too.

    Beam reports only the updates made on the bundle's own thread; one made on a worker
    thread (:class:`BatchStageFn`) is kept in that thread's log and replayed on the bundle's
    thread with the batch's outputs. Names are fixed text, never anything from a clip.
    """

    def __init__(self, metric: Any) -> None:
        self._metric = metric

    def inc(self, n: int = 1) -> None:
        self._record("inc", n)

    def update(self, value: int) -> None:
        self._record("update", value)

    def _record(self, method: str, value: int) -> None:
        log = getattr(_WORKER, "log", None)
        if log is None:
            getattr(self._metric, method)(value)
        else:
            log.append((self._metric, method, value))


def counter(name: str) -> StageMetric:
    """The run's counter ``name`` (namespace ``METRICS_NAMESPACE``), safe on a worker thread."""
    return StageMetric(Metrics.counter(METRICS_NAMESPACE, name))


def distribution(name: str) -> StageMetric:
    """The run's distribution ``name``, safe on a worker thread."""
    return StageMetric(Metrics.distribution(METRICS_NAMESPACE, name))


class StageOutcomes:
    """A stage's ``<stage>_passed`` / ``<stage>_failed`` counters and its dead-letter output.

    Metric names are the stage name and a fixed suffix, never anything from a clip.
    """

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._passed = counter(f"{stage}_passed")
        self._failed = counter(f"{stage}_failed")

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
        counter(f"excluded_{reason}").inc()
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

    Up to ``BATCHES_IN_FLIGHT`` batches of a bundle are worked on at once, each on a
    worker thread: a batch's outputs go on when the next batch has started, and the last
    ones when the bundle finishes. ``process_clips`` must therefore not depend on another
    batch, and records metrics only through :func:`counter` and :func:`distribution`
    (a plain Beam metric updated on a worker thread is lost).
    """

    stage = "stage"

    def __init__(self) -> None:
        self._outcomes = StageOutcomes(self.stage)
        self._batch_ms = counter(f"{self.stage}_ms")
        self._batch_sizes = distribution(f"{self.stage}_batch_clips")
        self._workers: Optional[ThreadPoolExecutor] = None
        #: Batches started and not yet given on: (window, timestamp, outputs and metric log).
        self._in_flight: Deque[Tuple[Any, Any, Future]] = deque()

    def setup(self) -> None:
        self._workers = ThreadPoolExecutor(max_workers=BATCHES_IN_FLIGHT,
                                           thread_name_prefix=f"{self.stage}-batch")

    def start_bundle(self) -> None:
        # A bundle that failed part-way (a later stage raised while a batch was given on)
        # leaves batches in flight. The runner retries the bundle and its clips come again,
        # so what was left must never come out: it would duplicate them.
        self._drop_in_flight()

    def teardown(self) -> None:
        self._drop_in_flight()
        if self._workers is not None:
            self._workers.shutdown(wait=True)
            self._workers = None

    def _drop_in_flight(self) -> None:
        while self._in_flight:
            self._in_flight.popleft()[2].cancel()

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
        counter(f"{self.stage}_route_{route.replace(':', '_')}").inc()

    # Left unannotated: Beam would read annotations as element type hints.
    def process(self, batch, window=beam.DoFn.WindowParam,  # type: ignore[no-untyped-def]
                timestamp=beam.DoFn.TimestampParam):
        clips = list(batch)
        if not clips:  # BatchElements emits one before a clip with more places than a batch
            return
        if self._workers is None:  # a runner that skips ``setup``
            self.setup()
        assert self._workers is not None
        self._in_flight.append((window, timestamp, self._workers.submit(self._judge, clips)))
        while len(self._in_flight) >= BATCHES_IN_FLIGHT:
            yield from self._give_on_oldest()

    def finish_bundle(self):  # type: ignore[no-untyped-def]
        while self._in_flight:
            yield from self._give_on_oldest()

    def _give_on_oldest(self) -> Iterator[Any]:
        """The oldest batch's outputs, once it is done, in its own window and at its own
        timestamp (they go on while a later batch is the element in hand), after replaying
        its metric updates."""
        window, timestamp, work = self._in_flight.popleft()
        outputs, log = work.result()
        for metric, method, value in log:
            getattr(metric, method)(value)
        for output in outputs:
            if isinstance(output, TaggedOutput):
                yield TaggedOutput(output.tag, WindowedValue(output.value, timestamp, [window]))
            else:
                yield WindowedValue(output, timestamp, [window])

    def _judge(self, clips: List[Clip]) -> Tuple[List[Any], List[Tuple[Any, str, int]]]:
        """On a worker thread: every output of the batch, and the metric updates made. An
        exception that escapes ``process_clips`` dead-letters each clip not yet given."""
        _WORKER.log = log = []
        started = time.perf_counter()
        outputs: List[Any] = []
        try:
            try:
                for output in self.process_clips(clips):
                    outputs.append(output)
            except Exception as error:  # noqa: BLE001 - fail closed: the rest dead-letter
                done: Set[Optional[str]] = {_utterance_of(output) for output in outputs}
                outputs.extend(self.dead(clip, error) for clip in clips
                               if clip.entry.utterance_id not in done)
            self._batch_ms.inc(int((time.perf_counter() - started) * 1000))
            self._batch_sizes.update(len(clips))
            return outputs, log
        finally:
            _WORKER.log = None


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

