"""benchmarks/word_times.py: pairing the ASR's words with the spoken ones, and the figures."""

from __future__ import annotations

import pytest

from benchmarks.word_times import (
    MAX_OFFSET_S,
    espeak_voice,
    figures,
    paired,
    percentiles,
    spoken_number_words,
    token,
)


def test_a_token_is_the_word_in_lower_case_without_punctuation() -> None:
    assert token("Card,") == "card"
    assert token("O'Brien.") == "o'brien"
    assert token("4,111") == "4111"
    assert token("—") == ""


def test_words_pair_only_where_both_write_the_same_word_in_order() -> None:
    spoken = [("my", 0.0, 0.2), ("card", 0.25, 0.5), ("ends", 0.5, 0.8), ("in", 0.8, 0.9),
              ("four", 0.9, 1.2)]
    # The ASR misheard "ends" as "and" and wrote the last word as a numeral.
    asr = [("my", 0.1, 0.3), ("card", 0.35, 0.6), ("and", 0.6, 0.85), ("in", 0.9, 1.0), ("4", 1.0, 1.3)]
    pairs, dropped = paired(asr, spoken)
    assert [(a[0], s[0]) for a, s, _ in pairs] == [("my", "my"), ("card", "card"), ("in", "in")]
    assert dropped == 0
    # The pause after each spoken word: "my" is followed after 50 ms, "card" runs on.
    assert [round(after, 3) for _, _, after in pairs] == [0.05, 0.0, 0.0]
    assert paired(asr, [("card", 0.25, 0.5)])[0][0][2] is None  # the clip's last word


def test_a_word_holding_a_digit_never_pairs_but_counts_as_the_next_word() -> None:
    # espeak-ng gives a numeral's characters to the first of the words it reads it as.
    spoken = [("in", 0.0, 0.2), ("665", 0.2, 0.6), ("665", 0.6, 1.0), ("please", 1.3, 1.6)]
    asr = [("in", 0.1, 0.3), ("665", 0.3, 1.1), ("please", 1.4, 1.7)]
    pairs, dropped = paired(asr, spoken)
    assert [s[0] for _, s, _ in pairs] == ["in", "please"] and dropped == 0
    # "in" runs into the numeral: no pause follows it, whatever follows the numeral.
    assert pairs[0][2] == 0.0 and pairs[1][2] is None


def test_a_match_too_far_apart_is_dropped_and_counted() -> None:
    # The ASR dropped the first "three": its one "three" would pair with the wrong word.
    spoken = [("three", 0.0, 0.3), ("apples", 0.3, 0.7), ("three", 2.0, 2.3)]
    asr = [("three", 2.0 + 0.1, 2.4)]
    pairs, dropped = paired(asr, spoken)
    assert len(pairs) + dropped == 1
    assert all(abs(a[1] - s[1]) <= MAX_OFFSET_S for a, s, _ in pairs)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(100)]
    got = percentiles(values[::-1])
    assert got["p1"] == 0.0 and got["p50"] == 49.0 and got["p99"] == 98.0
    assert percentiles([7.0])["p99"] == 7.0
    assert percentiles([])["p50"] is None


def test_figures_split_run_on_words_and_number_words() -> None:
    pairs = [
        (("four", 1.1, 1.3), ("four", 1.0, 1.2), 0.0),   # runs on; 0.1 s late both ends
        (("card", 0.3, 0.5), ("card", 0.3, 0.6), 0.2),   # a pause follows; ends 0.1 s early
        (("now", 2.0, 2.2), ("now", 2.1, 2.2), None),    # the clip's last word
    ]
    got = figures(pairs, frozenset({"four"}))
    assert [got[name]["words"] for name in ("all", "run_on", "number_words")] == [3, 1, 1]
    assert got["run_on"]["start_late_s"]["p50"] == pytest.approx(0.1)
    assert got["number_words"]["end_late_s"]["p50"] == pytest.approx(0.1)
    assert got["all"]["end_late_s"]["p1"] == pytest.approx(-0.1)


@pytest.mark.parametrize("voice, expected", [
    ("en-us+m3", "en-us+m3"), ("espeak:en-gb-x-rp", "en-gb-x-rp"), ("flite:kal", ""),
    ("festival:kal_diphone", ""), ("", "")])
def test_only_espeak_voices_are_measured(voice: str, expected: str) -> None:
    assert espeak_voice(voice) == expected


def test_number_words_come_from_the_english_pack() -> None:
    words = spoken_number_words()
    assert {"four", "forty", "hundred", "double", "oh"} <= words
    assert "card" not in words
