"""A batch stage works on two batches of a bundle at once and still gives every clip on
exactly once, with its metrics (``transforms/runtime/clip_stage.py``)."""

from __future__ import annotations

import threading
from typing import Any, Iterator, List, Optional

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to
from voicescrub.schemas.records import Clip, ManifestEntry
from voicescrub.transforms.runtime.clip_stage import (
    BATCHES_IN_FLIGHT,
    DEAD_LETTER,
    BatchStageFn,
    counter,
    run_batched_stage,
)

CLIPS_PER_BATCH = 3
UTTERANCES = [f"u{i}" for i in range(4 * CLIPS_PER_BATCH)]


def _clip(uid: str) -> Clip:
    entry = ManifestEntry(uid, "acct", "dev", 0, f"mem://{uid}.wav", "en-US", "m.jsonl", 1)
    return Clip(entry=entry, sample_rate=16000, duration_s=2.0)


class MeetingFn(BatchStageFn):
    """Counts each clip on the worker thread; with ``meet``, passes a batch's clips only once
    two batches are being worked on at the same time (a batch worked on
    alone waits in vain and fails); fails the batch holding ``fail_with``."""

    stage = "meeting"

    def __init__(self, meet: bool, fail_with: Optional[str] = None) -> None:
        super().__init__()
        self._meet = meet
        self._fail_with = fail_with
        self._seen = counter("meeting_seen")

    def setup(self) -> None:
        super().setup()
        self._together = threading.Barrier(2, timeout=20)

    def process_clips(self, clips: List[Clip]) -> Iterator[Any]:
        for _ in clips:
            self._seen.inc()
        if any(clip.entry.utterance_id == self._fail_with for clip in clips):
            raise RuntimeError("fixed text")
        if self._meet:
            self._together.wait()
        for clip in clips:
            yield self.passed(clip.entry.utterance_id)


def test_batches_are_worked_on_together_and_their_metrics_reach_the_job():
    assert BATCHES_IN_FLIGHT >= 2
    pipeline = BeamTestPipeline()
    outputs = run_batched_stage(pipeline | beam.Create([_clip(u) for u in UTTERANCES]), "Meet",
                                MeetingFn(meet=True), CLIPS_PER_BATCH)
    assert_that(outputs.clips, equal_to(UTTERANCES), label="passed")
    assert_that(outputs[DEAD_LETTER], equal_to([]), label="dead")
    result = pipeline.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed
                for c in result.metrics().query(MetricsFilter())["counters"]}
    assert counters["meeting_seen"] == counters["meeting_passed"] == len(UTTERANCES)


def test_a_failing_batch_dead_letters_its_clips_and_the_others_pass():
    pipeline = BeamTestPipeline()
    outputs = run_batched_stage(pipeline | beam.Create([_clip(u) for u in UTTERANCES]), "Meet",
                                MeetingFn(meet=False, fail_with="u0"), CLIPS_PER_BATCH)
    every = ((outputs.clips | "Passed" >> beam.Map(lambda u: (u, "passed")),
              outputs[DEAD_LETTER] | "Dead" >> beam.Map(lambda d: (d.utterance_id, d.error_type)))
             | beam.Flatten())

    def each_once_one_batch_dead(found: List[Any]) -> None:
        assert sorted(u for u, _ in found) == sorted(UTTERANCES)
        dead = [u for u, kind in found if kind == "RuntimeError"]
        assert "u0" in dead and len(dead) == CLIPS_PER_BATCH
        assert all(kind in ("passed", "RuntimeError") for _, kind in found)

    assert_that(every, each_once_one_batch_dead)
    result = pipeline.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed
                for c in result.metrics().query(MetricsFilter())["counters"]}
    assert counters["meeting_failed"] == CLIPS_PER_BATCH
    assert counters["meeting_passed"] == len(UTTERANCES) - CLIPS_PER_BATCH


class EchoFn(BatchStageFn):
    """Passes every clip of a batch."""

    stage = "echo"

    def process_clips(self, clips: List[Clip]) -> Iterator[Any]:
        for clip in clips:
            yield self.passed(clip.entry.utterance_id)


def test_a_batch_gives_its_clips_on_in_its_own_window_and_a_new_bundle_drops_what_was_left():
    from apache_beam.transforms.window import IntervalWindow
    from apache_beam.utils.timestamp import Timestamp

    fn = EchoFn()
    fn.setup()
    first, second = IntervalWindow(0, 10), IntervalWindow(10, 20)
    fn.start_bundle()
    assert list(fn.process([_clip("a")], window=first, timestamp=Timestamp(1))) == []
    given = list(fn.process([_clip("b")], window=second, timestamp=Timestamp(11)))
    given += list(fn.finish_bundle())
    assert [(o.value, tuple(o.windows), o.timestamp) for o in given] == [
        ("a", (first,), Timestamp(1)), ("b", (second,), Timestamp(11))]
    # A bundle that fails while a batch is in flight leaves it there; the runner retries the
    # bundle, whose clips come again, so the next bundle must not give the old batch on.
    fn.start_bundle()
    list(fn.process([_clip("c")], window=first, timestamp=Timestamp(1)))
    fn.start_bundle()
    assert list(fn.finish_bundle()) == []
    fn.teardown()
