"""The per-clip time bound (transforms/runtime/deadline.py) and the stages that use it."""

from __future__ import annotations

import os
import time

import pytest
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from voicescrub.schemas.records import Clip, ManifestEntry, Transcript
from voicescrub.transforms.asr.whisper import AsrSettings
from voicescrub.transforms.audio.redaction import AudioRedactionSettings
from voicescrub.transforms.audit.policy import AuditSettings
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.runtime.clip_stage import DEAD_LETTER
from voicescrub.transforms.runtime.deadline import ClipTimeout, each_within, within
from voicescrub.transforms.runtime.models import SharedModels
from voicescrub.transforms.stages.audit import AuditRedactionFn
from voicescrub.transforms.stages.decode_audio import DecodeAudioFn
from voicescrub.transforms.stages.detect_pii import DetectPiiFn
from voicescrub.transforms.stages.transcribe import TranscribeBatchFn

from tests.conftest import SAMPLES, speech_clip_pcm

#: A bound no real work meets: every bounded call is late.
NO_TIME = 1e-6


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


def test_a_batch_in_time_gives_every_result_in_order():
    assert each_within(5.0, [1, 2, 3], lambda items: [i * 2 for i in items]) == [2, 4, 6]
    assert each_within(5.0, [], lambda items: [i * 2 for i in items]) == []


def test_a_late_batch_is_worked_again_item_by_item_and_only_the_slow_item_times_out():
    calls = []

    def work(items):
        calls.append(list(items))
        if "slow" in items:
            time.sleep(30)
        return [item.upper() for item in items]

    started = time.monotonic()
    results = each_within(0.3, ["a", "slow", "b"], work)
    assert time.monotonic() - started < 10
    assert results[0] == "A" and results[2] == "B"
    assert isinstance(results[1], ClipTimeout)
    assert calls == [["a", "slow", "b"], ["a"], ["slow"], ["b"]]


def test_a_batch_that_raises_raises_unchanged():
    with pytest.raises(ZeroDivisionError):
        each_within(5.0, [1, 2], lambda items: [1 / 0 for _ in items])


def _entry(utterance_id: str = "u1") -> ManifestEntry:
    return ManifestEntry(utterance_id=utterance_id, account_id="a", device_id="d", recorded_at_us=0,
                         audio_uri="/x.flac", locale="en-US", manifest="m.jsonl", line=1)


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


def batch_outputs(fn, clips):
    """Every output of a batch stage for one batch: those ``process`` gives and those it
    leaves to ``finish_bundle`` (a batch in flight), without their window."""
    outputs = (list(fn.process(clips, window=GlobalWindow(), timestamp=MIN_TIMESTAMP))
               + list(fn.finish_bundle()))
    return [TaggedOutput(o.tag, getattr(o.value, "value", o.value)) if isinstance(o, TaggedOutput)
            else getattr(o, "value", o) for o in outputs]


def _decoded(name: str, utterance_id: str) -> Clip:
    pcm = speech_clip_pcm(name)
    return Clip(entry=_entry(utterance_id), pcm16=pcm, duration_s=len(pcm) / 16000)


def test_transcription_over_the_bound_dead_letters_each_clip_of_the_batch():
    clips = [_decoded("timer", "u1"), _decoded("balance_question", "u2")]
    late_fn = TranscribeBatchFn(AsrSettings(beam_size=1), SharedModels(), timeout_s=NO_TIME)
    late_fn.start_bundle()
    late = batch_outputs(late_fn, clips)
    assert [(o.tag, o.value.stage, o.value.error_type) for o in late] == [
        (DEAD_LETTER, "transcribe", "ClipTimeout")] * 2
    in_time_fn = TranscribeBatchFn(AsrSettings(beam_size=1), SharedModels())
    in_time_fn.start_bundle()
    in_time = batch_outputs(in_time_fn, clips)
    assert len(in_time) == 2 and all(isinstance(c, Clip) and c.transcript for c in in_time)


def _transcribed(text: str) -> Clip:
    return Clip(entry=_entry(), transcript=Transcript(text=text, words=()))


def test_detection_over_the_bound_is_dead_lettered():
    clip = _transcribed("my card number is 4111 1111 1111 1111")
    late_fn = DetectPiiFn(load_pii_config(), SharedModels(), timeout_s=NO_TIME)
    late_fn.setup()
    (late,) = list(late_fn.process(clip))
    assert (late.tag, late.value.stage, late.value.error_type) == (DEAD_LETTER, "detect", "ClipTimeout")
    in_time_fn = DetectPiiFn(load_pii_config(), SharedModels())
    in_time_fn.setup()
    (in_time,) = list(in_time_fn.process(clip))
    assert isinstance(in_time, Clip) and in_time.contains_critical_pii


def test_a_re_listen_over_the_bound_is_dead_lettered():
    pcm = speech_clip_pcm("timer")
    # Nothing redacted: the clip gets the audit's second listen of its audio.
    clip = Clip(entry=_entry(), pcm16=None, duration_s=len(pcm) / 16000,
                transcript_redacted="Please set a timer for 10 minutes.", audio_redacted=b"flac",
                audio_format="flac", redacted_pcm16=pcm)
    models, pii = SharedModels(), load_pii_config()
    late_fn = AuditRedactionFn(AuditSettings(clip_timeout_s=NO_TIME), redaction=AudioRedactionSettings(),
                               asr=AsrSettings(beam_size=1), pii=pii, models=models)
    late_fn.start_bundle()
    (late,) = batch_outputs(late_fn, [clip])
    assert (late.tag, late.value.stage, late.value.error_type) == (DEAD_LETTER, "audit", "ClipTimeout")
    in_time_fn = AuditRedactionFn(AuditSettings(), redaction=AudioRedactionSettings(),
                                  asr=AsrSettings(beam_size=1), pii=pii, models=models)
    in_time_fn.start_bundle()
    (in_time,) = batch_outputs(in_time_fn, [clip])
    assert isinstance(in_time, Clip) and in_time.audit_passed
