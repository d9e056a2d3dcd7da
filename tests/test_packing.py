"""Packing clips into shared windows and splitting the words back (no model)."""

from __future__ import annotations

import numpy as np
import pytest
from voicescrub.transforms.asr.packing import (
    SAMPLE_RATE,
    PackingSettings,
    WindowPlan,
    WindowWord,
    assemble_window,
    long_clip_pieces,
    plan_windows,
    speech_per_syllable_s,
    split_window,
    syllables,
    uncovered_speech_s,
)
from voicescrub.transforms.asr.whisper import transcript_from_clip_words

SETTINGS = PackingSettings(max_window_s=28.0, gap_s=1.0, max_clips=12)
# Three clips of 3 s, 2 s and 4 s with 1 s gaps: audio at [0,3], [4,6], [7,11].
PLAN = WindowPlan(members=(0, 1, 2), starts_s=(0.0, 4.0, 7.0), durations_s=(3.0, 2.0, 4.0))


def w(text: str, start: float, end: float, segment: int = 0) -> WindowWord:
    return WindowWord(text, start, end, 0.9, segment)


@pytest.mark.parametrize("durations, expected_groups", [
    ([3.0] * 7, [(0, 1, 2, 3, 4, 5, 6)]),              # 7*3 + 6 gaps = 27 s: one window
    ([3.0] * 8, [(0, 1, 2, 3, 4, 5, 6), (7,)]),        # the 8th would make 31 s
    ([5.0, 40.0, 5.0], [(0, 2), (1,)]),                # a long clip goes alone
    ([1.0] * 14, [tuple(range(12)), (12, 13)]),        # max_clips bounds a window
    # First-fit decreasing: in arrival order these need three windows
    # (20, 9+1+8+1+7, 6); longest first they fill two (20+1+7, 9+1+8+1+6).
    ([20.0, 9.0, 8.0, 7.0, 6.0], [(0, 3), (1, 2, 4)]),
    ([], []),
])
def test_plan_windows_fills_few_windows_within_limits(durations, expected_groups):
    plans = plan_windows(durations, SETTINGS)
    assert [plan.members for plan in plans] == expected_groups
    for plan in plans:
        end = plan.starts_s[-1] + plan.durations_s[-1]
        assert plan.solo or end <= SETTINGS.max_window_s
        for left, right in zip(range(len(plan.members)), range(1, len(plan.members))):
            gap = plan.starts_s[right] - plan.starts_s[left] - plan.durations_s[left]
            assert gap == pytest.approx(SETTINGS.gap_s)


def test_assemble_window_places_each_clip_with_silence_between():
    clips = [np.full(3 * 16000, 1, np.int16), np.full(2 * 16000, 2, np.int16),
             np.full(4 * 16000, 3, np.int16)]
    window = assemble_window(clips, PLAN)
    assert len(window) == 11 * 16000
    assert set(np.unique(window[3 * 16000:4 * 16000])) == {0}
    assert set(np.unique(window[4 * 16000:6 * 16000])) == {2}
    assert set(np.unique(window[7 * 16000:])) == {3}


def test_clean_split_gives_each_clip_its_words_on_its_own_clock():
    words = [w(" alpha", 0.2, 0.8), w(" one", 1.0, 1.4), w(" bravo", 4.3, 4.9, 1),
             w(" charlie", 7.5, 8.0, 2), w(" 4", 8.1, 8.3, 2), w(",111", 8.3, 8.9, 2)]
    split = split_window(words, PLAN, SETTINGS)
    assert [len(c.words) for c in split] == [2, 1, 3]
    assert not any(c.ambiguous for c in split)
    assert split[1].words[0].start_s == pytest.approx(0.3)
    assert split[2].words[0].start_s == pytest.approx(0.5)
    transcript = transcript_from_clip_words(split[2].words, "en")
    assert transcript.text == "charlie 4,111"
    assert all(transcript.text[x.char_start:x.char_end] == x.text for x in transcript.words)
    assert len(transcript.segments) == 1 and transcript.segments[0].start_s == pytest.approx(0.5)


def test_late_word_times_within_drift_stay_with_their_clip_and_are_clamped():
    # Whisper places the last word of clip 0 past its end, but before mid-gap.
    words = [w(" alpha", 0.5, 1.0), w(" done", 2.9, 3.3), w(" bravo", 4.2, 4.6), w(" x", 7.2, 7.5)]
    split = split_window(words, PLAN, SETTINGS)
    assert not any(c.ambiguous for c in split)
    assert [x.text.strip() for x in split[0].words] == ["alpha", "done"]
    assert split[0].words[-1].end_s == pytest.approx(3.0)   # clamped to the clip's end


def test_a_word_straddling_a_boundary_marks_both_clips_ambiguous():
    # Spans 2.5-4.6: midpoint 3.55 -> clip 0, but 0.6 s inside clip 1's audio.
    words = [w(" alpha", 0.2, 0.8), w(" blurred", 2.5, 4.6), w(" bravo", 5.0, 5.5),
             w(" charlie", 7.5, 8.0)]
    split = split_window(words, PLAN, SETTINGS)
    assert [c.ambiguous for c in split] == [True, True, False]
    assert split[0].reason == "straddle"
    # Still assigned to exactly one clip: never duplicated.
    assert sum(len(c.words) for c in split) == len(words)


def test_a_word_inside_the_silence_gap_marks_its_owner_ambiguous():
    # A hallucination in the middle of the 6-7 s gap, well beyond drift tolerance.
    words = [w(" alpha", 0.2, 0.8), w(" bravo", 4.3, 4.9), w(" thanks", 6.55, 6.65),
             w(" charlie", 7.5, 8.0)]
    split = split_window(words, PLAN, SETTINGS)
    assert sum(c.ambiguous for c in split) == 1
    assert {c.reason for c in split if c.ambiguous} == {"gap_word"}


def test_a_clip_with_no_words_is_lost_and_others_are_kept():
    words = [w(" alpha", 0.2, 0.8), w(" charlie", 7.5, 8.0)]
    split = split_window(words, PLAN, SETTINGS)
    assert [c.ambiguous for c in split] == [False, True, False]
    assert split[1].reason == "lost"


def test_a_token_glued_across_clips_marks_both_ambiguous():
    # ",5" carries no leading space: Whisper continued clip 0's number into clip 1.
    words = [w(" alpha", 0.2, 0.8), w(" 4", 2.5, 2.9), w(",5", 4.1, 4.5), w(" bravo", 4.6, 5.0),
             w(" charlie", 7.5, 8.0)]
    split = split_window(words, PLAN, SETTINGS)
    assert [c.ambiguous for c in split] == [True, True, False]
    assert split[1].reason == "glued"


def test_whitespace_only_words_are_ignored():
    words = [w(" ", 4.5, 4.6), w(" alpha", 0.2, 0.8), w(" bravo", 4.3, 4.9), w(" c", 7.5, 8.0)]
    split = split_window(words, PLAN, SETTINGS)
    assert [len(c.words) for c in split] == [1, 1, 1]


def test_a_window_that_came_back_empty_loses_every_clip_but_a_clip_alone_keeps_its_silence():
    plan = WindowPlan((0, 1), (0.0, 3.0), (2.0, 2.0))
    split = split_window([], plan, PackingSettings())
    assert [(c.ambiguous, c.reason) for c in split] == [(True, "lost"), (True, "lost")]
    alone = split_window([], WindowPlan((0,), (0.0,), (2.0,)), PackingSettings())
    assert [(c.ambiguous, c.words) for c in alone] == [(False, ())]


def _speech(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)


def test_uncovered_speech_is_the_longest_voiced_stretch_with_no_word_near_it():
    pcm = np.concatenate([_speech(1.0), np.zeros(8000, np.int16), _speech(2.0)])  # speech 0-1 s, 1.5-3.5 s
    assert uncovered_speech_s(pcm, [w(" a", 0.1, 0.6), w(" 1234", 1.6, 3.4)]) == 0.0
    # Words only over the first second: the second stretch, less the words' reach, is bare.
    bare = uncovered_speech_s(pcm, [w(" a", 0.1, 0.6)])
    assert 1.9 <= bare <= 2.0
    # Known non-speech (a redaction's tone) needs no words.
    assert uncovered_speech_s(pcm, [w(" a", 0.1, 0.6)], not_speech=[(1.5, 3.5)]) == 0.0
    assert uncovered_speech_s(np.zeros(16000, np.int16), []) == 0.0
    assert uncovered_speech_s(np.zeros(0, np.int16), []) == 0.0


def test_a_word_stretched_over_the_clip_covers_only_what_it_can_take_to_say():
    # A packed window can give a 7 s request back as one short word spanning it all.
    pcm = _speech(7.0)
    stretched = uncovered_speech_s(pcm, [w(" $9.", 0.0, 7.0)])
    assert stretched > 5.0
    # A long number written as one token may take that long: 16 digits, 7 s.
    assert uncovered_speech_s(pcm, [w(" 4111111111111111", 0.0, 7.0)]) == 0.0


def test_a_stretched_word_reaches_no_further_than_it_can_take_to_say():
    # 4.6 s of speech with a pause at 2.3-2.6 s; a packed window drops the words before
    # the pause and spreads what is left over the clip, one short word stretched over 2.3 s.
    # Its reach must not cover the dropped words.
    pcm = np.concatenate([_speech(2.3), np.zeros(int(0.3 * 16000), np.int16), _speech(2.0)])
    heard = [w(" I", 0.0, 0.24), w(" want", 0.24, 1.12), w(" to", 1.12, 3.46), w(" check", 3.46, 3.64),
             w(" my", 3.64, 4.08), w(" balance.", 4.08, 4.56)]
    assert uncovered_speech_s(pcm, heard) > PackingSettings().uncovered_speech_s
    # The same words at times they can take: nothing is missing.
    said = [w(t, 0.75 * i, 0.75 * i + 0.55) for i, t in enumerate([" I", " want", " to", " check", " my", " balance."])]
    assert uncovered_speech_s(pcm, said) == 0.0


def test_too_few_words_for_the_speech_is_sparse():
    # 3.2 s of speech, a packed window's words for its second half spread over all of it,
    # each at a believable length: nothing is uncovered, but 7 syllables cannot fill 3.2 s.
    pcm = _speech(3.2)
    kept = [w(t, 0.53 * i, 0.53 * i + 0.5) for i, t in enumerate([" I", " want", " to", " check", " my", " balance."])]
    assert uncovered_speech_s(pcm, kept) == 0.0
    assert speech_per_syllable_s(pcm, kept) > PackingSettings().max_speech_per_syllable_s
    # Every word heard: 16 syllables.
    heard = [w(t, 0.2 * i, 0.2 * i + 0.18) for i, t in enumerate(
        [" Hi,", " this", " is", " Priya", " Winslow,", " I", " want", " to", " check", " my", " balance."])]
    assert speech_per_syllable_s(pcm, heard) < PackingSettings().max_speech_per_syllable_s
    assert speech_per_syllable_s(np.zeros(16000, np.int16), heard) == 0.0
    # Known non-speech (a redaction's tone) is not counted.
    assert speech_per_syllable_s(pcm, kept, not_speech=[(0.0, 2.0)]) < PackingSettings().max_speech_per_syllable_s


@pytest.mark.parametrize("text, count", [("I want to check my balance.", 7), ("Winslow balance", 4),
                                         ("4111 1111", 8), ("$40,", 2), ("the", 1), ("made", 1),
                                         # grouped numerals are said as numbers
                                         ("Add 1,250 and 3,475.", 19), ("384,000", 8),
                                         ("1,000,000", 3), ("4111 1111,", 8), ("4111,1111", 8)])
def test_syllables(text: str, count: int) -> None:
    assert syllables(text) == count


def test_pauses_between_untranscribed_words_do_not_hide_a_missing_stretch():
    # Five 0.5 s words with 0.12 s pauses, then the one word Whisper returned (a packed
    # window can give a 3.7 s sort-code request back as "I"): the pauses must not cut
    # 3 s of missing speech into pieces that each look short enough to accept.
    gap = np.zeros(int(0.12 * 16000), np.int16)
    pcm = np.concatenate([np.concatenate([_speech(0.5), gap]) for _ in range(6)])
    missing = uncovered_speech_s(pcm, [w(" I", 3.2, 3.6)])
    assert missing >= 2.0
    assert missing > PackingSettings().uncovered_speech_s
    # Every word heard: nothing is missing, whatever the pauses.
    every = [w(" x", 0.62 * i, 0.62 * i + 0.5) for i in range(6)]
    assert uncovered_speech_s(pcm, every) == 0.0


# --- cutting a clip longer than a window into pieces -------------------------------------


def bursts(layout, seed: int = 0) -> np.ndarray:
    """Noise bursts standing in for speech, with digital silence: ``layout`` is a list of
    ``(seconds, loud)``."""
    rng = np.random.default_rng(seed)
    parts = [(rng.normal(0, 6000, int(seconds * SAMPLE_RATE)) if loud
              else np.zeros(int(seconds * SAMPLE_RATE))) for seconds, loud in layout]
    return np.clip(np.concatenate(parts), -32768, 32767).astype(np.int16)


def assert_pieces_tile(pieces, length: int, max_s: float) -> None:
    assert pieces[0][0] == 0 and pieces[-1][1] == length
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all(0 < end - start <= max_s * SAMPLE_RATE for start, end in pieces)
    if len(pieces) > 1:  # no fragment: every piece holds at least half the longest (to a frame)
        assert all(end - start >= (max_s / 2 - 0.04) * SAMPLE_RATE for start, end in pieces)


def test_a_clip_within_the_longest_piece_is_one_piece():
    pcm = bursts([(3.0, True), (0.5, False), (2.0, True)])
    assert long_clip_pieces(pcm, 10.0) == [(0, len(pcm))]


def test_a_cut_takes_the_middle_of_the_longest_pause_in_the_second_half_of_its_reach():
    # Pauses at 2-3.5 s (longest, but before half of the 10 s reach), 6-6.3 s and 8-8.6 s.
    pcm = bursts([(2.0, True), (1.5, False), (2.5, True), (0.3, False), (1.7, True),
                  (0.6, False), (5.0, True)])
    pieces = long_clip_pieces(pcm, 10.0)
    assert_pieces_tile(pieces, len(pcm), 10.0)
    assert len(pieces) == 2 and abs(pieces[0][1] / SAMPLE_RATE - 8.3) <= 0.02


def test_speech_without_a_pause_is_cut_at_its_quietest_frame():
    pcm = bursts([(16.0, True)])
    pcm[int(7.0 * SAMPLE_RATE):int(7.1 * SAMPLE_RATE)] //= 8  # a dip between two words
    pieces = long_clip_pieces(pcm, 10.0)
    assert_pieces_tile(pieces, len(pcm), 10.0)
    assert 7.0 <= pieces[0][1] / SAMPLE_RATE < 7.1


def test_a_stretch_known_to_hold_no_speech_is_a_pause():
    pcm = bursts([(16.0, True)])  # a redaction's tone is loud, and holds no speech
    pieces = long_clip_pieces(pcm, 10.0, not_speech=[(6.5, 8.5)])
    assert 7.4 <= pieces[0][1] / SAMPLE_RATE <= 7.6


def test_a_clip_just_over_the_longest_piece_is_cut_into_two_halves_not_a_fragment():
    pcm = bursts([(27.9, True), (0.3, False)])  # 28.2 s, its only pause at the very end
    pieces = long_clip_pieces(pcm, 28.0)
    assert_pieces_tile(pieces, len(pcm), 28.0)
    assert len(pieces) == 2


@pytest.mark.parametrize("seed", range(20))
def test_pieces_hold_every_sample_once_in_order_and_none_is_too_long(seed):
    rng = np.random.default_rng(seed)
    layout = [(float(rng.uniform(0.01, 6.0)), bool(rng.integers(0, 4))) for _ in range(30)]
    pcm = bursts(layout, seed)
    max_s = float(rng.uniform(0.5, 28.0))
    assert_pieces_tile(long_clip_pieces(pcm, max_s), len(pcm), max_s)
