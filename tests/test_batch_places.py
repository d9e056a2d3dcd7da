"""Batch stages bound the audio one call holds, not only its clips: a long clip takes
one place per ``SECONDS_PER_BATCH_PLACE`` begun (``transforms/runtime/clip_stage.py``)."""

from __future__ import annotations

from typing import Any, Iterator, List

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that
from voicescrub.schemas.records import Clip, ManifestEntry
from voicescrub.transforms.runtime.clip_stage import (
    SECONDS_PER_BATCH_PLACE,
    BatchStageFn,
    batch_places,
    run_batched_stage,
)


def _clip(uid: str, seconds: float) -> Clip:
    entry = ManifestEntry(uid, "acct", "dev", 0, f"mem://{uid}.wav", "en-US", "m.jsonl", 1)
    return Clip(entry=entry, sample_rate=16000, duration_s=seconds)


class BatchShapeFn(BatchStageFn):
    """Gives, for each clip, the number of clips and the seconds of audio in its batch."""

    stage = "shape"

    def process_clips(self, clips: List[Clip]) -> Iterator[Any]:
        seconds = sum(clip.duration_s for clip in clips)
        for _ in clips:
            yield self.passed((len(clips), seconds))


@pytest.mark.parametrize("seconds, places", [
    (0.0, 1), (4.5, 1), (SECONDS_PER_BATCH_PLACE, 1), (SECONDS_PER_BATCH_PLACE + 0.01, 2),
    (600.0, 60), (float("nan"), 1),
])
def test_a_clip_takes_one_place_per_stretch_of_audio_begun(seconds, places) -> None:
    assert batch_places(_clip("u", seconds)) == places


def test_a_batch_holds_many_short_clips_but_few_long_ones() -> None:
    per_call = 12
    short = [_clip(f"s{i}", 4.0) for i in range(40)]
    long = [_clip(f"l{i}", 5 * SECONDS_PER_BATCH_PLACE) for i in range(7)]  # 5 places each
    huge = [_clip("h", 30 * SECONDS_PER_BATCH_PLACE)]  # more places than a call has

    def check(shapes: List[Any]) -> None:
        assert len(shapes) == len(short) + len(long) + len(huge)
        for clips, seconds in shapes:
            assert clips <= per_call
            # Within the call's places, unless a single clip is bigger than a call.
            assert clips == 1 or seconds <= per_call * SECONDS_PER_BATCH_PLACE
        assert max(clips for clips, _ in shapes) == per_call  # short clips fill a call

    with BeamTestPipeline() as p:
        shapes = run_batched_stage(p | beam.Create(huge + short + long), "Shape", BatchShapeFn(),
                                   per_call)
        assert_that(shapes.clips, check)
