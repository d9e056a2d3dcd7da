"""The re-listen audit's widening logic, with a scripted ASR and detector (no models)."""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import pytest
from voicescrub.schemas.records import (
    AudioInterval,
    PiiSpan,
    RedactedEntity,
    Segment,
    TimedWord,
    Transcript,
)
from voicescrub.transforms.audio.alignment import AlignmentError
from voicescrub.transforms.audit.policy import AuditSettings
from voicescrub.transforms.audit.relisten import (
    AUDIT_RESIDUE,
    audit_batch,
    audit_redaction,
    residue_entities,
    silenced_time_s,
)

DURATION_S = 10.0

# "card 4 4 4 4 ok": the digits from 2.0 s to 4.0 s.
WORDS = ("card", "4", "4", "4", "4", "ok")
TEXT = " ".join(WORDS)


def timed_transcript(times: Sequence[Tuple[float, float]] = ((1.0, 1.5), (2.0, 2.5), (2.5, 3.0),
                                                             (3.0, 3.5), (3.5, 4.0), (5.0, 5.5)),
                     segments: Sequence[Segment] = (Segment(0.0, 6.0),)) -> Transcript:
    words, cursor = [], 0
    for text, (start, end) in zip(WORDS, times):
        words.append(TimedWord(text, cursor, cursor + len(text), start, end))
        cursor += len(text) + 1
    return Transcript(TEXT, tuple(words), tuple(segments))


DIGITS_SPAN = PiiSpan("DIGIT_SEQUENCE", TEXT.index("4"), TEXT.rindex("4") + 1, 0.9, "DigitRunFailsafe")


class Script:
    """An ASR that always hears the same words and a detector that finds PII a set number of times."""

    def __init__(self, detections: int, transcript: Transcript | None = None) -> None:
        self.detections_left = detections
        self.transcript = transcript or timed_transcript()
        self.relistened: List[np.ndarray] = []
        self.redacted: List[List[Tuple[AudioInterval, str]]] = []

    def relisten(self, pcm: np.ndarray) -> Transcript:
        self.relistened.append(pcm)
        return self.transcript

    def detect(self, text: str) -> List[PiiSpan]:
        if self.detections_left <= 0:
            return []
        self.detections_left -= 1
        return [DIGITS_SPAN]

    def redact_more(self, pcm: np.ndarray, heard: Sequence[Tuple[AudioInterval, str]]) -> np.ndarray:
        self.redacted.append(list(heard))
        return pcm + 1  # marks each widening so the test can count them


def run(script: Script, **settings: float) -> object:
    pcm = np.zeros(16000, dtype=np.int16)
    return audit_redaction(pcm, DURATION_S, script.relisten, script.detect, script.redact_more,
                           AuditSettings(**settings))


def test_clean_first_relisten_passes_without_touching_the_audio() -> None:
    script = Script(detections=0)
    outcome = run(script)
    assert outcome.passed and outcome.relistens == 1
    assert outcome.residues == () and script.redacted == []
    assert int(outcome.pcm.max()) == 0


def test_a_residue_is_widened_over_its_padded_words_then_relistened() -> None:
    script = Script(detections=1)
    outcome = run(script, pad_before_s=0.3, pad_after_s=0.2)
    assert outcome.passed and outcome.relistens == 2
    assert len(script.redacted) == 1
    (interval, heard_type), = script.redacted[0]
    assert heard_type == "DIGIT_SEQUENCE"
    assert interval.start_s == pytest.approx(2.0 - 0.3) and interval.end_s == pytest.approx(4.0 + 0.2)
    # The second re-listen heard the widened samples, not the first ones.
    assert int(script.relistened[1].max()) == 1 and int(outcome.pcm.max()) == 1
    residue, = outcome.residues
    assert residue.entity_type == AUDIT_RESIDUE
    assert (residue.char_start, residue.char_end) == (0, 0)
    assert residue.recognizer == "audit:DigitRunFailsafe"
    assert (residue.audio_start_s, residue.audio_end_s) == (interval.start_s, interval.end_s)


def test_padding_grows_with_each_widening() -> None:
    script = Script(detections=2)
    outcome = run(script, max_rounds=2, pad_before_s=0.3, pad_after_s=0.2)
    assert outcome.passed and outcome.relistens == 3
    first, second = (heard[0][0] for heard in script.redacted)
    assert second.start_s == pytest.approx(2.0 - 0.6) and second.end_s == pytest.approx(4.0 + 0.4)
    assert second.start_s < first.start_s and second.end_s > first.end_s


def test_pii_still_heard_after_the_last_widening_fails_the_audit() -> None:
    script = Script(detections=99)
    outcome = run(script, max_rounds=2)
    assert not outcome.passed
    assert outcome.relistens == 3 and len(script.redacted) == 2


class Wandering(Script):
    """A detector that hears PII at a different word on each listen (``places``: word indices),
    then nothing."""

    def __init__(self, places: Sequence[int]) -> None:
        super().__init__(detections=len(places))
        self.places = list(places)

    def detect(self, text: str) -> List[PiiSpan]:
        if not self.places:
            return []
        word = self.transcript.words[self.places.pop(0)]
        return [PiiSpan("DIGIT_SEQUENCE", word.char_start, word.char_end, 0.9, "DigitRunFailsafe")]


def test_a_residue_where_nothing_was_widened_is_a_first_widening_whatever_the_listen() -> None:
    # "card" (1.0-1.5 s), then "ok" (5.0-5.5 s), then the last "4" (3.5-4.0 s): three stretches,
    # each heard once, so each gets a first widening and its first pads.
    script = Wandering([0, 5, 4])
    outcome = run(script, max_rounds=1, pad_before_s=0.1, pad_after_s=0.1)
    assert outcome.passed and outcome.relistens == 4
    widened = [heard[0][0] for heard in script.redacted]
    assert [(round(w.start_s, 2), round(w.end_s, 2)) for w in widened] == [
        (0.9, 1.6), (4.9, 5.6), (3.4, 4.1)]


def test_a_stretch_heard_again_after_its_last_widening_fails_even_after_other_stretches() -> None:
    script = Wandering([0, 5, 0])  # "card" again, inside its first widening
    outcome = run(script, max_rounds=1, pad_before_s=0.1, pad_after_s=0.1)
    assert not outcome.passed and outcome.relistens == 3 and len(script.redacted) == 2


def test_a_residue_just_outside_a_widening_is_the_same_stretch_and_its_pads_grow() -> None:
    # "4" at 2.0-2.5 s widened to 1.7-2.8 s; then "4" at 3.0-3.5 s, within a pad (0.3 s) of it:
    # a second widening, with twice the pads; a third hearing there fails.
    script = Wandering([1, 3, 3])
    outcome = run(script, max_rounds=2, pad_before_s=0.3, pad_after_s=0.3)
    assert not outcome.passed and outcome.relistens == 3
    first, second = (heard[0][0] for heard in script.redacted)
    assert (round(first.start_s, 2), round(first.end_s, 2)) == (1.7, 2.8)
    assert (round(second.start_s, 2), round(second.end_s, 2)) == (2.4, 4.1)


def test_a_clip_still_leaking_at_its_last_listen_fails_though_each_stretch_was_new() -> None:
    script = Wandering([0, 1, 3, 5, 2])  # five stretches apart (no pads)
    outcome = run(script, max_rounds=2, max_relistens=4, pad_before_s=0.0, pad_after_s=0.0)
    assert not outcome.passed and outcome.relistens == 4 and len(script.redacted) == 3


def test_zero_rounds_fails_on_the_first_detection_without_widening() -> None:
    script = Script(detections=1)
    outcome = run(script, max_rounds=0)
    assert not outcome.passed and outcome.relistens == 1
    assert script.redacted == [] and outcome.residues == ()


def test_a_residue_without_word_times_widens_to_its_segment() -> None:
    broken = [(0.0, 0.0)] * 6
    transcript = timed_transcript(broken, segments=(Segment(0.5, 6.5),))
    residue, = residue_entities([DIGITS_SPAN], transcript, DURATION_S, 0.1, 0.1)
    assert (residue.audio_start_s, residue.audio_end_s) == pytest.approx((0.4, 6.6))


def test_a_residue_that_cannot_be_placed_fails_closed() -> None:
    no_times = timed_transcript([(0.0, 0.0)] * 6, segments=())
    script = Script(detections=1, transcript=no_times)
    with pytest.raises(AlignmentError):
        run(script)


def test_residues_are_clamped_to_the_clip() -> None:
    residue, = residue_entities([DIGITS_SPAN], timed_transcript(), 3.2, 5.0, 5.0)
    assert (residue.audio_start_s, residue.audio_end_s) == (0.0, 3.2)


def test_silenced_time_counts_overlaps_once() -> None:
    def entity(start: float, end: float) -> RedactedEntity:
        return RedactedEntity(AUDIT_RESIDUE, 0, 0, start, end, 1.0, "x")

    assert silenced_time_s([entity(1.0, 2.0), entity(1.5, 3.0), entity(5.0, 5.5)]) == pytest.approx(2.5)
    assert silenced_time_s([]) == 0.0


def test_treatment_follows_the_heard_type() -> None:
    from voicescrub.transforms.audio.redaction import AudioRedactionSettings

    settings = AudioRedactionSettings(treatment="beep", treatment_by_entity={"PIN": "silence"})
    assert settings.treatment_for("PIN") == "silence"
    assert settings.treatment_for("PERSON") == "beep"


class BatchScript:
    """A batched ASR: clip ``i`` is heard with PII ``detections[i]`` times; clip ``fail_at`` cannot
    be transcribed. Records which clips each round re-listened to."""

    def __init__(self, detections: Sequence[int], fail_at: int = -1) -> None:
        self.left = list(detections)
        self.fail_at = fail_at
        self.rounds: List[List[int]] = []
        self.redacted_counts: List[List[int]] = []

    def relisten_many(self, pcms: Sequence[np.ndarray], redacted=None) -> list:
        # Each clip's PCM carries its index in sample 0 (see ``run_batch``).
        indices = [int(pcm[0]) for pcm in pcms]
        self.rounds.append(indices)
        self.redacted_counts.append([len(r) for r in redacted or [()] * len(pcms)])
        return [RuntimeError("asr") if i == self.fail_at else tagged(i) for i in indices]

    def detect(self, position: int, text: str) -> List[PiiSpan]:
        index = int(text.split("|")[0])
        assert index == position  # the audit is told which clip it reads
        if self.left[index] <= 0:
            return []
        self.left[index] -= 1
        return [DIGITS_SPAN]

    @staticmethod
    def redact_more(i: int, pcm: np.ndarray, heard) -> np.ndarray:
        widened = pcm.copy()
        widened[1] += 1
        return widened


def tagged(index: int) -> Transcript:
    base = timed_transcript()
    prefix = f"{index}|"
    words = tuple(TimedWord(w.text, w.char_start + len(prefix), w.char_end + len(prefix), w.start_s,
                            w.end_s) for w in base.words)
    return Transcript(prefix + base.text, words, base.segments)


def run_batch(script: BatchScript, clips: int, **settings: float) -> list:
    pcms = [np.array([i, 0], dtype=np.int16) for i in range(clips)]
    first = [[AudioInterval(0.5, 0.9)] for _ in range(clips)]
    return audit_batch(pcms, [DURATION_S] * clips, first, script.relisten_many, script.detect,
                       script.redact_more, AuditSettings(**settings))


def test_a_batch_relistens_only_the_clips_still_under_audit_each_round() -> None:
    script = BatchScript(detections=[0, 1, 2, 99])
    outcomes = run_batch(script, 4, max_rounds=2)
    assert script.rounds == [[0, 1, 2, 3], [1, 2, 3], [2, 3]]
    # Every re-listen is told what is redaction so far: the first interval plus each widening.
    assert script.redacted_counts == [[1, 1, 1, 1], [2, 2, 2], [3, 3]]
    assert [o.passed for o in outcomes] == [True, True, True, False]
    assert [o.relistens for o in outcomes] == [1, 2, 3, 3]
    assert [len(o.residues) for o in outcomes] == [0, 1, 2, 2]
    # Each clip's widenings landed on its own samples only.
    assert [int(o.pcm[1]) for o in outcomes] == [0, 1, 2, 2]
    assert all(o.error is None for o in outcomes)


def test_one_clip_failing_in_a_batch_fails_alone() -> None:
    script = BatchScript(detections=[1, 0, 1], fail_at=1)
    outcomes = run_batch(script, 3)
    assert [o.passed for o in outcomes] == [True, False, True]
    assert isinstance(outcomes[1].error, RuntimeError) and outcomes[1].relistens == 0


def test_a_residue_that_cannot_be_placed_fails_only_its_clip() -> None:
    script = BatchScript(detections=[1, 1])
    untimed = {0}

    def relisten_many(pcms, redacted):
        heard = script.relisten_many(pcms, redacted)
        return [Transcript(t.text, (), ()) if int(p[0]) in untimed else t for p, t in zip(pcms, heard)]

    outcomes = audit_batch([np.array([i, 0], dtype=np.int16) for i in range(2)], [DURATION_S] * 2,
                           [(), ()], relisten_many, script.detect, script.redact_more,
                           AuditSettings())
    assert isinstance(outcomes[0].error, AlignmentError) and not outcomes[0].passed
    assert outcomes[1].passed and outcomes[1].error is None


def test_a_listen_of_untouched_audio_is_placed_as_first_finds_are_and_widened_after() -> None:
    # Clip 0 had nothing silenced (a second listen): its find goes where ``place_untouched``
    # fits it. Clip 1 had a redaction: its residue is padded by the audit's own pads.
    script = BatchScript(detections=[2, 1])
    placed: List[int] = []

    def place_untouched(spans, transcript, duration_s, pcm):
        placed.append(int(pcm[0]))
        assert duration_s == DURATION_S and [s.entity_type for s in spans] == ["DIGIT_SEQUENCE"]
        return [AudioInterval(1.95, 4.05)]

    pcms = [np.array([i, 0], dtype=np.int16) for i in range(2)]
    outcomes = audit_batch(pcms, [DURATION_S] * 2, [(), [AudioInterval(0.5, 0.9)]],
                           script.relisten_many, script.detect, script.redact_more,
                           AuditSettings(max_rounds=2, pad_before_s=0.3, pad_after_s=0.2),
                           place_untouched)
    assert placed == [0]  # only the first find of the untouched clip
    assert all(o.passed for o in outcomes)
    first, widened = ((r.audio_start_s, r.audio_end_s) for r in outcomes[0].residues)
    assert first == (1.95, 4.05)
    # Heard again inside what was placed: the same stretch, widened by twice the audit's pads.
    def padded(index: int, before: float, after: float) -> Tuple[float, float]:
        residue, = residue_entities([DIGITS_SPAN], tagged(index), DURATION_S, before, after)
        return residue.audio_start_s, residue.audio_end_s

    assert widened == padded(0, 0.6, 0.4)
    assert [(r.audio_start_s, r.audio_end_s) for r in outcomes[1].residues] == [padded(1, 0.3, 0.2)]
    assert all(r.entity_type == AUDIT_RESIDUE and r.recognizer == "audit:DigitRunFailsafe"
               for o in outcomes for r in o.residues)


def test_a_placement_that_misses_a_span_fails_only_its_clip() -> None:
    script = BatchScript(detections=[1, 1])
    outcomes = audit_batch([np.array([i, 0], dtype=np.int16) for i in range(2)], [DURATION_S] * 2,
                           [(), [AudioInterval(0.5, 0.9)]], script.relisten_many, script.detect,
                           script.redact_more, AuditSettings(), lambda *_: [])
    assert isinstance(outcomes[0].error, AlignmentError) and not outcomes[0].passed
    assert outcomes[1].passed
