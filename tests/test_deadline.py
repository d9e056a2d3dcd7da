"""The per-clip time bound (transforms/deadline.py) and the stages that use it."""

from __future__ import annotations

import os
import time

import pytest

from schemas.records import Clip, ManifestEntry
from tests.conftest import SAMPLES
from transforms.deadline import ClipTimeout, within
from transforms.decode_audio import DecodeAudioFn
from transforms.stage import DEAD_LETTER


def test_work_that_returns_in_time_gives_its_result():
    assert within(5.0, lambda: 41 + 1) == 42


def test_work_that_raises_raises_unchanged():
    def fail():
        raise KeyError("x")

    with pytest.raises(KeyError):
        within(5.0, fail)


def test_work_that_does_not_return_in_time_is_a_timeout():
    started = time.monotonic()
    with pytest.raises(ClipTimeout):
        within(0.2, lambda: time.sleep(30))
    assert time.monotonic() - started < 5


def test_a_clip_over_the_bound_is_dead_lettered_and_the_next_one_goes_on():
    with open(os.path.join(SAMPLES, "audio", "s01.flac"), "rb") as handle:
        data = handle.read()
    entry = ManifestEntry(utterance_id="u1", account_id="a", device_id="d", recorded_at_us=0,
                          audio_uri="/x.flac", locale="en-US", manifest="m.jsonl", line=1)
    clip = Clip(entry=entry, audio_bytes=data)
    (late,) = list(DecodeAudioFn(600.0, timeout_s=1e-6).process(clip))
    assert late.tag == DEAD_LETTER
    assert (late.value.stage, late.value.error_type) == ("decode", "ClipTimeout")
    (in_time,) = list(DecodeAudioFn(600.0).process(clip))
    assert isinstance(in_time, Clip) and in_time.pcm16 is not None
