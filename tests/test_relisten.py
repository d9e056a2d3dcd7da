"""The re-listen audit's widening logic, with a scripted ASR and detector (no models)."""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import pytest

from schemas.records import AudioInterval, PiiSpan, RedactedEntity, Segment, TimedWord, Transcript
from transforms.alignment import AlignmentError
from transforms.relisten import (AUDIT_RESIDUE, AuditSettings, audit_redaction, residue_entities,
                                 silenced_time_s)

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
    from transforms.redact_audio import AudioRedactionSettings

    settings = AudioRedactionSettings(treatment="beep", treatment_by_entity={"PIN": "silence"})
    assert settings.treatment_for("PIN") == "silence"
    assert settings.treatment_for("PERSON") == "beep"
