"""Re-listening to scrubbed audio with the middle of each redaction cut out
(``transforms/audit/condensed.py``): every sample of speech is heard, times map back
to the clip exactly, and on real speech the audit still finds and silences digits left
audible beside a long bleep. Only counts, booleans and times are asserted."""

from __future__ import annotations

import numpy as np
import pytest
from voicescrub.schemas.records import AudioInterval, Segment, TimedWord, Transcript
from voicescrub.transforms.asr.whisper import transcribe
from voicescrub.transforms.audio.codec import decode_exact_pcm16, pcm16_to_float
from voicescrub.transforms.audio.redaction import redact_pcm
from voicescrub.transforms.audit.condensed import (
    JOIN_FADE_S,
    WORD_TIME_ERROR_S,
    condense,
)
from voicescrub.transforms.audit.relisten import AUDIT_RESIDUE

from tests.test_audit import RATE, TONE_HZ, heard_digits, run_audit

KEPT_S = 0.25


def _speech(seconds: float) -> np.ndarray:
    """Distinct non-zero samples, so any sample dropped or moved shows."""
    return (np.arange(int(seconds * RATE)) % 30000 + 1).astype(np.int16)


def _scrubbed(seconds: float, intervals) -> np.ndarray:
    """Speech with each redacted interval zeroed, as a silence redaction leaves it."""
    pcm = _speech(seconds)
    for i in intervals:
        pcm[max(int(np.floor(i.start_s * RATE)), 0):max(int(np.ceil(i.end_s * RATE)), 0)] = 0
    return pcm


@pytest.mark.parametrize("kept_s", [0.0, 0.001, 0.1, KEPT_S])
@pytest.mark.parametrize("intervals", [
    [AudioInterval(2.0, 5.0)],
    [AudioInterval(0.0, 3.0), AudioInterval(7.5, 10.0)],  # at both ends of the clip
    [AudioInterval(2.0, 4.0), AudioInterval(3.5, 6.0), AudioInterval(6.0, 7.0)],  # overlapping, touching
    [AudioInterval(1.0, 1.4), AudioInterval(4.0, 8.0)],  # one too short to cut
    [AudioInterval(6.12345678, 9.87654321), AudioInterval(1.00003, 3.99997)],  # off the sample grid, unsorted
    [AudioInterval(-1.0, 0.7), AudioInterval(8.5, 12.0)],  # past both ends
])
def test_every_sample_outside_a_redaction_is_heard_in_order(intervals, kept_s) -> None:
    pcm = _scrubbed(10.0, intervals)
    condensed = condense(pcm, RATE, intervals, kept_s)
    # Every sample of speech is in the condensed audio, bit for bit and in order, and
    # only redacted samples were dropped.
    assert np.array_equal(condensed.pcm[condensed.pcm != 0], pcm[pcm != 0])
    assert len(condensed.pcm) == len(pcm) - round(condensed.removed_s * RATE)
    # And each redacted stretch (merged, within the clip) lost its middle, no more.
    merged = []
    for i in sorted(intervals, key=lambda i: i.start_s):
        start, end = max(i.start_s, 0.0), min(i.end_s, 10.0)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    cut = sum(end - start - 2 * kept_s for start, end in merged if end - start - 2 * kept_s > 0.011)
    assert condensed.removed_s == pytest.approx(cut, abs=3 * len(merged) / RATE)
    # The redactions in the condensed clock hold no speech.
    for start, end in condensed.not_speech:
        assert not condensed.pcm[int(np.ceil(start * RATE)):int(np.floor(end * RATE))].any()


def test_the_middle_of_a_long_redaction_is_cut_and_its_edges_kept() -> None:
    pcm = _speech(10.0)
    condensed = condense(pcm, RATE, [AudioInterval(2.0, 6.0), AudioInterval(8.0, 8.3)], KEPT_S)
    assert condensed.removed_s == pytest.approx(4.0 - 2 * KEPT_S, abs=2 / RATE)
    # The redactions in the condensed clock: the cut one is as long as its two edges.
    (cut_start, cut_end), (short_start, short_end) = condensed.not_speech
    assert cut_start == pytest.approx(2.0, abs=1 / RATE)
    assert cut_end - cut_start == pytest.approx(2 * KEPT_S, abs=2 / RATE)
    assert short_end - short_start == pytest.approx(0.3, abs=2 / RATE)
    assert short_start == pytest.approx(8.0 - condensed.removed_s, abs=2 / RATE)


def test_the_join_fades_inside_the_redaction_only() -> None:
    tone = np.full(int(10.0 * RATE), 8000, dtype=np.int16)
    condensed = condense(tone, RATE, [AudioInterval(2.0, 6.0)], KEPT_S)
    join = int(round((2.0 + KEPT_S) * RATE))
    fade = int(round(JOIN_FADE_S * RATE))
    assert abs(int(condensed.pcm[join - 1])) < 100 and abs(int(condensed.pcm[join])) < 100
    assert np.all(condensed.pcm[:join - fade] == 8000)
    assert np.all(condensed.pcm[join + fade:] == 8000)


def test_a_clip_with_nothing_long_redacted_is_heard_as_it_is() -> None:
    pcm = _speech(5.0)
    intervals = [AudioInterval(1.0, 1.3)]
    condensed = condense(pcm, RATE, intervals, KEPT_S)
    assert condensed.pcm is pcm and condensed.removed_s == 0.0
    assert condensed.not_speech == ((1.0, 1.3),)
    transcript = Transcript("a b", (TimedWord("a", 0, 1, 0.5, 0.9), TimedWord("b", 2, 3, 1.4, 1.6)))
    assert condensed.restore(transcript) is transcript


def test_times_map_back_exactly_and_a_word_across_a_cut_covers_it() -> None:
    condensed = condense(_speech(10.0), RATE, [AudioInterval(2.0, 6.0)], KEPT_S)
    cut = condensed.removed_s
    join = 2.0 + KEPT_S  # where the cut is, in the condensed clock
    reach = WORD_TIME_ERROR_S
    words = (
        TimedWord("before", 0, 6, 0.5, join - reach - 0.1),
        TimedWord("across", 7, 13, join - 0.1, join + 0.1),
        TimedWord("at", 14, 16, join, join),
        TimedWord("near", 17, 21, join + reach - 0.1, join + reach + 0.2),
        TimedWord("after", 22, 27, join + reach + 0.1, join + reach + 0.6),
    )
    restored = condensed.restore(Transcript("before across at near after", words,
                                            (Segment(0.5, join + reach + 0.6),)))
    before, across, at, near, after = restored.words
    # Farther from the cut than a word time can be off: exact.
    assert (before.start_s, before.end_s) == (0.5, pytest.approx(join - reach - 0.1))
    assert after.start_s == pytest.approx(join + reach + 0.1 + cut)
    assert after.end_s == pytest.approx(join + reach + 0.6 + cut)
    # Across the cut or on it: covers what was dropped, start before it, end after it.
    assert across.start_s == pytest.approx(join - 0.1) and across.end_s == pytest.approx(join + 0.1 + cut)
    assert at.start_s == pytest.approx(join) and at.end_s == pytest.approx(join + cut)
    # Starting just after the cut: its time may be off by enough to belong before it,
    # so it reaches back across the dropped stretch.
    assert near.start_s == pytest.approx(join + reach - 0.1) and near.start_s < join + cut
    assert near.end_s == pytest.approx(join + reach + 0.2 + cut)
    assert restored.segments == (Segment(0.5, pytest.approx(join + reach + 0.6 + cut)),)
    assert [w.text for w in restored.words] == [w.text for w in words]


def test_a_redaction_past_the_clip_end_is_clamped() -> None:
    pcm = _speech(4.0)
    condensed = condense(pcm, RATE, [AudioInterval(2.0, 9.0)], KEPT_S)
    assert len(condensed.pcm) == pytest.approx(int((2.0 + 2 * KEPT_S) * RATE), abs=2)


@pytest.fixture(scope="module")
def long_bleep_clip(whisper_model):  # -> Clip
    """``card_spoken`` bleeped, with no padding, from the first card digit to three
    quarters of the way through the digits: the last quarter is still spoken."""
    from tests.test_audit import (
        Clip,
        ManifestEntry,
        RedactedEntity,
        encode_pcm16,
        speech_clip_pcm,
    )

    pcm = speech_clip_pcm("card_spoken")
    transcript = transcribe(whisper_model, pcm16_to_float(pcm))
    digit_words = [w for w in transcript.words if heard_digits(w.text)]
    start, end = digit_words[0].start_s, digit_words[-1].end_s
    interval = AudioInterval(start, start + 0.75 * (end - start))
    assert interval.end_s - interval.start_s > 2 * KEPT_S + 1.0, "the bleep must be long enough to cut"
    redacted = redact_pcm(pcm, RATE, [interval], tone_hz=TONE_HZ)
    entry = ManifestEntry("u1", "acct", "dev", 0, "mem://card.wav", "en-US", "m.jsonl", 1)
    entity = RedactedEntity("CREDIT_CARD", 18, 31, interval.start_s, interval.end_s, 0.9, "test")
    clip = Clip(entry=entry, sample_rate=RATE, duration_s=len(pcm) / RATE,
                audio_redacted=encode_pcm16(redacted, RATE, "flac"), audio_format="flac",
                entities=(entity,), redacted_pcm16=redacted, transcript_redacted="[CREDIT_CARD]")
    return clip, interval, end


def test_the_audit_hears_digits_beside_a_long_bleep_and_silences_them_in_clip_time(
        long_bleep_clip, whisper_model, pii_detector, tmp_path) -> None:
    clip, bleep, digits_end = long_bleep_clip
    condensed = condense(clip.redacted_pcm16, RATE, [bleep], KEPT_S)
    assert condensed.removed_s > 1.0
    # The premise: heard as the audit hears it (greedy, the bleep's middle cut), the
    # scrubbed clip still gives card digits.
    digits_heard = len(heard_digits(transcribe(whisper_model, pcm16_to_float(condensed.pcm),
                                               beam_size=1).text))
    assert digits_heard >= 3
    out = run_audit(clip, str(tmp_path), whisper_model, pii_detector, max_rounds=3)
    assert out["dead"] == []
    audited, = out["clips"]
    residues = [e for e in audited.entities if e.entity_type == AUDIT_RESIDUE]
    assert residues
    # The widening lands on the clip's clock where the digits are still spoken, between
    # the bleep's end and the end of the digits.
    spoken = np.zeros(int(clip.duration_s * 100) + 1, dtype=bool)
    spoken[int(bleep.end_s * 100):int(digits_end * 100)] = True
    widened = np.zeros_like(spoken)
    for r in residues:
        widened[max(int(r.audio_start_s * 100), 0):int(np.ceil(r.audio_end_s * 100))] = True
    assert (spoken & widened).sum() >= 0.9 * spoken.sum()
    scrubbed = decode_exact_pcm16(audited.audio_redacted)
    digits_left = len(heard_digits(transcribe(whisper_model, pcm16_to_float(scrubbed)).text))
    assert digits_left == 0
