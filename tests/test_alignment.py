"""Tests for voicescrub.transforms.audio.alignment: character spans to audio time."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pytest
from voicescrub.schemas.records import (
    AudioInterval,
    PiiSpan,
    Segment,
    TimedWord,
    Transcript,
)
from voicescrub.transforms.audio.alignment import (
    AlignedSpan,
    AlignmentError,
    EndAtPause,
    StartAtDip,
    align_spans,
    merge_intervals,
    spoken_pieces,
)

NO_PAD = {"pad_before_s": 0.0, "pad_after_s": 0.0}


def make_transcript(
    words: Sequence[tuple[str, float, float, int]], segments: Sequence[tuple[float, float]] = ()
) -> Transcript:
    """Join words with single spaces and give each its exact char span."""
    timed: list[TimedWord] = []
    offset = 0
    for text, start_s, end_s, segment in words:
        timed.append(TimedWord(text, offset, offset + len(text), start_s, end_s, 0.9, segment))
        offset += len(text) + 1
    return Transcript(
        text=" ".join(w[0] for w in words),
        words=tuple(timed),
        segments=tuple(Segment(s, e) for s, e in segments),
    )


def span_of(transcript: Transcript, needle: str, entity_type: str = "CREDIT_CARD") -> PiiSpan:
    start = transcript.text.index(needle)
    return PiiSpan(entity_type, start, start + len(needle), 0.9, "test")


def only(aligned: list[AlignedSpan]) -> AlignedSpan:
    assert len(aligned) == 1
    return aligned[0]


def assert_interval(actual: AudioInterval, start_s: float, end_s: float) -> None:
    assert math.isclose(actual.start_s, start_s, abs_tol=1e-9), "start differs"
    assert math.isclose(actual.end_s, end_s, abs_tol=1e-9), "end differs"


# (words, needle, expected interval without padding)
WORD_VECTORS = [
    pytest.param(
        [("card", 0.0, 0.4, 0), ("4,111,111", 0.5, 1.6, 0), ("thanks", 1.7, 2.0, 0)],
        "4,111,111",
        (0.5, 1.6),
        id="digits-merged-into-one-token",
    ),
    pytest.param(
        [("card", 0.0, 0.4, 0), ("4111", 0.5, 0.9, 0), ("1111", 1.0, 1.4, 0), ("1111", 1.5, 1.9, 0), ("ok", 2.0, 2.2, 0)],
        "4111 1111 1111",
        (0.5, 1.9),
        id="digits-split-across-tokens",
    ),
    pytest.param(
        [("number", 0.0, 0.4, 0), ("is:4111", 0.5, 1.2, 0), ("1111", 1.3, 1.7, 0)],
        "4111 1111",
        (0.5, 1.7),
        id="span-starts-mid-word",
    ),
    pytest.param(
        [("ends", 0.0, 0.4, 0), ("41111111x", 0.5, 1.2, 0), ("bye", 1.3, 1.7, 0)],
        "41111111",
        (0.5, 1.2),
        id="span-ends-mid-word",
    ),
    pytest.param(
        [("is", 0.0, 0.2, 0), ("4111.", 0.3, 0.8, 0), ("Thanks.", 0.9, 1.3, 0)],
        "4111",
        (0.3, 0.8),
        id="punctuation-attached",
    ),
    pytest.param(
        [("is", 0.0, 0.2, 0), ("4111", 0.3, 0.8, 1), ("1111", 0.9, 1.4, 2), ("ok", 1.5, 1.7, 2)],
        "4111 1111",
        (0.3, 1.4),
        id="entity-crosses-segment-boundary",
    ),
    pytest.param(
        # "1111" has end < start: placed between its neighbours' times.
        [("is", 0.0, 0.2, 0), ("4111", 0.3, 0.8, 0), ("1111", 1.2, 0.9, 0), ("ok", 1.5, 1.7, 0)],
        "4111 1111",
        (0.3, 1.5),
        id="end-before-start-repaired-from-neighbours",
    ),
    pytest.param(
        [("is", 0.0, 0.2, 0), ("4111", 0.9, 0.9, 0), ("ok", 1.5, 1.7, 0)],
        "4111",
        (0.2, 1.5),
        id="zero-length-repaired-from-neighbours",
    ),
    pytest.param(
        # Neighbours touch: no room for the word, so it spans them.
        [("is", 0.0, 0.5, 0), ("4111", 0.5, 0.5, 0), ("ok", 0.5, 1.0, 0)],
        "4111",
        (0.0, 1.0),
        id="zero-length-squeezed-between-neighbours",
    ),
    pytest.param(
        [("4111", float("nan"), 0.4, 0), ("1111", 0.5, 0.9, 0)],
        "4111",
        (0.0, 0.5),
        id="first-word-not-finite-repaired-from-segment-edge",
    ),
]


@pytest.mark.parametrize("words, needle, expected", WORD_VECTORS)
def test_span_maps_to_its_words(words, needle, expected) -> None:
    transcript = make_transcript(words, segments=[(0.0, 3.0), (0.25, 0.85), (0.85, 3.0)])
    aligned = only(align_spans([span_of(transcript, needle)], transcript, 10.0, **NO_PAD))
    assert aligned.method == "words"
    assert_interval(aligned.interval, *expected)


def test_padding_is_applied_and_clamped_to_the_clip() -> None:
    transcript = make_transcript([("4111", 0.05, 0.5, 0), ("1111", 0.6, 1.95, 0)], [(0.0, 2.0)])
    first, second = align_spans(
        [span_of(transcript, "4111"), span_of(transcript, "1111")], transcript, 2.0
    )
    assert_interval(first.interval, 0.0, 0.6)  # 0.05 - 0.15 clamped to 0
    assert_interval(second.interval, 0.45, 2.0)  # 1.95 + 0.10 clamped to the duration


@pytest.mark.parametrize("pad_before_s, pad_after_s", [(0.0, 0.0), (0.3, 0.2), (0.15, 0.10)])
def test_padding_is_configurable(pad_before_s: float, pad_after_s: float) -> None:
    transcript = make_transcript([("hi", 0.0, 0.4, 0), ("4111", 1.0, 1.5, 0)], [(0.0, 2.0)])
    aligned = only(
        align_spans([span_of(transcript, "4111")], transcript, 5.0, pad_before_s=pad_before_s, pad_after_s=pad_after_s)
    )
    assert_interval(aligned.interval, 1.0 - pad_before_s, 1.5 + pad_after_s)


def test_gap_fill_reaches_the_previous_and_next_word_when_the_gap_is_small() -> None:
    transcript = make_transcript(
        [("is", 0.0, 0.7, 0), ("4111", 1.0, 1.5, 0), ("ok", 1.6, 1.9, 0), ("far", 3.0, 3.5, 0)], [(0.0, 4.0)]
    )
    filled = only(align_spans([span_of(transcript, "4111")], transcript, 5.0, gap_fill_s=0.4, **NO_PAD))
    assert_interval(filled.interval, 0.7, 1.6)
    far_gap = only(align_spans([span_of(transcript, "ok")], transcript, 5.0, gap_fill_s=0.4, **NO_PAD))
    assert_interval(far_gap.interval, 1.5, 1.9)  # previous gap 0.1 filled, next gap 1.1 not


def test_overlapping_entities_each_get_an_interval_and_merge() -> None:
    transcript = make_transcript(
        [("card", 0.0, 0.4, 0), ("4111", 0.5, 0.9, 0), ("1111", 1.0, 1.4, 0), ("ok", 2.0, 2.2, 0)], [(0.0, 3.0)]
    )
    spans = [span_of(transcript, "4111 1111"), span_of(transcript, "1111", "US_BANK_NUMBER")]
    aligned = align_spans(spans, transcript, 3.0)
    assert [a.span for a in aligned] == spans
    assert_interval(aligned[0].interval, 0.35, 1.5)
    assert_interval(aligned[1].interval, 0.85, 1.5)
    assert merge_intervals(a.interval for a in aligned) == [AudioInterval(0.35, 1.5)]


def test_word_without_time_widens_to_its_segment() -> None:
    transcript = make_transcript(
        [("a", 0.0, 0.0, 0), ("4111", 0.0, 0.0, 0), ("b", 0.0, 0.0, 1)], [(0.0, 1.0), (1.0, 2.5)]
    )
    aligned = only(align_spans([span_of(transcript, "4111")], transcript, 3.0, **NO_PAD))
    assert aligned.method == "segment"
    assert_interval(aligned.interval, 0.0, 1.0)


def test_untimed_entity_crossing_segments_widens_to_all_its_segments() -> None:
    transcript = make_transcript(
        [("4111", -1.0, -1.0, 0), ("1111", 2.0, 1.0, 1), ("c", 0.0, 0.0, 2)], [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]
    )
    aligned = only(align_spans([span_of(transcript, "4111 1111")], transcript, 3.0))
    assert aligned.method == "segment"
    assert_interval(aligned.interval, 0.0, 2.1)


@pytest.mark.parametrize(
    "segments",
    [pytest.param([], id="no-segments"), pytest.param([(1.0, 1.0)], id="zero-length-segment"), pytest.param([(2.0, float("inf"))], id="infinite-segment")],
)
def test_span_without_time_or_segment_raises(segments) -> None:
    transcript = make_transcript([("4111", 0.0, 0.0, 0), ("1111", 0.0, 0.0, 0)], segments)
    with pytest.raises(AlignmentError) as raised:
        align_spans([span_of(transcript, "4111")], transcript, 3.0)
    assert "4111" not in str(raised.value)


def test_span_without_time_or_segment_can_widen_to_the_clip() -> None:
    transcript = make_transcript([("4111", 0.0, 0.0, 0)])
    aligned = only(align_spans([span_of(transcript, "4111")], transcript, 3.0, allow_whole_clip=True))
    assert aligned.method == "clip"
    assert_interval(aligned.interval, 0.0, 3.0)


def test_word_entirely_beyond_the_clip_falls_back_to_segment() -> None:
    transcript = make_transcript([("hi", 0.0, 0.5, 0), ("4111", 5.0, 5.5, 0)], [(0.0, 2.0)])
    aligned = only(align_spans([span_of(transcript, "4111")], transcript, 2.0, **NO_PAD))
    assert aligned.method == "segment"
    assert_interval(aligned.interval, 0.0, 2.0)


@pytest.mark.parametrize(
    "char_start, char_end",
    [
        pytest.param(-1, 3, id="negative-start"),
        pytest.param(5, 99, id="past-the-end"),
        pytest.param(4, 4, id="empty"),
        pytest.param(6, 2, id="reversed"),
        pytest.param(7, 8, id="only-a-space"),
    ],
)
def test_span_that_overlaps_no_word_raises(char_start: int, char_end: int) -> None:
    transcript = make_transcript([("card", 0.0, 0.4, 0), ("is", 0.5, 0.7, 0), ("4111", 0.8, 1.2, 0)], [(0.0, 2.0)])
    assert transcript.text[7] == " "
    with pytest.raises(AlignmentError):
        align_spans([PiiSpan("CREDIT_CARD", char_start, char_end, 0.9, "test")], transcript, 2.0)


@pytest.mark.parametrize(
    "kwargs",
    [{"duration_s": 0.0}, {"duration_s": float("nan")}, {"duration_s": 2.0, "pad_before_s": -0.1}, {"duration_s": 2.0, "pad_after_s": float("inf")}],
)
def test_unusable_settings_raise(kwargs) -> None:
    transcript = make_transcript([("4111", 0.0, 0.4, 0)], [(0.0, 1.0)])
    with pytest.raises(AlignmentError):
        align_spans([span_of(transcript, "4111")], transcript, **kwargs)


def test_no_spans_gives_no_intervals() -> None:
    assert align_spans([], make_transcript([("hi", 0.0, 0.4, 0)]), 1.0) == []


MERGE_VECTORS = [
    pytest.param([], [], id="empty"),
    pytest.param([(1.0, 2.0)], [(1.0, 2.0)], id="single"),
    pytest.param([(3.0, 4.0), (1.0, 2.0)], [(1.0, 2.0), (3.0, 4.0)], id="sorted"),
    pytest.param([(1.0, 2.0), (1.5, 3.0)], [(1.0, 3.0)], id="overlapping"),
    pytest.param([(1.0, 2.0), (2.0, 3.0)], [(1.0, 3.0)], id="touching"),
    pytest.param([(1.0, 5.0), (2.0, 3.0)], [(1.0, 5.0)], id="contained"),
    pytest.param([(2.0, 2.0), (0.0, 1.0)], [(0.0, 1.0)], id="empty-dropped"),
    pytest.param([(4.0, 6.0), (0.0, 1.0), (0.5, 2.0), (5.0, 7.0)], [(0.0, 2.0), (4.0, 7.0)], id="several"),
]


@pytest.mark.parametrize("given, expected", MERGE_VECTORS)
def test_merge_intervals(given, expected) -> None:
    merged = merge_intervals(AudioInterval(s, e) for s, e in given)
    assert merged == [AudioInterval(s, e) for s, e in expected]


@pytest.mark.parametrize("bad", [(2.0, 1.0), (float("nan"), 1.0), (0.0, float("inf"))])
def test_merge_intervals_rejects_unusable_intervals(bad) -> None:
    with pytest.raises(AlignmentError):
        merge_intervals([AudioInterval(*bad)])


def test_number_glued_from_several_tokens() -> None:
    """Whisper writes "4,111,111" from tokens "4", ",111", ",111" with no spaces between them."""
    words = (
        TimedWord("is", 0, 2, 0.0, 0.3, 0.9, 0),
        TimedWord("4", 3, 4, 0.4, 0.6, 0.9, 0),
        TimedWord(",111", 4, 8, 0.6, 1.0, 0.9, 0),
        TimedWord(",111", 8, 12, 1.0, 1.4, 0.9, 0),
        TimedWord("ok", 13, 15, 1.6, 1.8, 0.9, 0),
    )
    transcript = Transcript(text="is 4,111,111 ok", words=words, segments=(Segment(0.0, 2.0),))
    whole = only(align_spans([span_of(transcript, "4,111,111")], transcript, 2.0, **NO_PAD))
    assert_interval(whole.interval, 0.4, 1.4)
    tail = only(align_spans([span_of(transcript, "111,111")], transcript, 2.0, **NO_PAD))
    assert_interval(tail.interval, 0.6, 1.4)


@pytest.mark.parametrize(
    "text, pieces",
    [("04/29", 4), ("4,111", 4), ("Visa", 1), ("j.patel22", 4), ("", 0), ("—", 0), ("GB29 NWBK", 4)],
)
def test_spoken_pieces_counts_digits_and_letter_runs(text: str, pieces: int) -> None:
    assert spoken_pieces(text) == pieces


def test_squeezed_short_value_is_widened_to_its_spoken_length_on_both_sides() -> None:
    # A card expiry that the ASR squeezed into 0.1 s: 4 digits need at least 4 x 0.12 s.
    transcript = make_transcript([("expires", 0.0, 0.8, 0), ("04/29", 1.5, 1.6, 0), ("thanks", 2.5, 3.0, 0)])
    aligned = only(align_spans([span_of(transcript, "04/29", "CARD_EXPIRY")], transcript, 5.0,
                               min_piece_s=0.12, **NO_PAD))
    shortfall = 4 * 0.12 - 0.1
    assert_interval(aligned.interval, 1.5 - shortfall, 1.6 + shortfall)
    assert aligned.interval.end_s - aligned.interval.start_s >= 4 * 0.12


def test_widening_comes_before_padding_and_clamping() -> None:
    transcript = make_transcript([("04/29", 0.1, 0.2, 0)])
    aligned = only(align_spans([span_of(transcript, "04/29")], transcript, 0.5, min_piece_s=0.12,
                               pad_before_s=0.3, pad_after_s=0.25))
    assert_interval(aligned.interval, 0.0, 0.5)


def test_value_already_long_enough_is_not_widened() -> None:
    transcript = make_transcript([("card", 0.0, 0.4, 0), ("4111", 0.5, 1.9, 0), ("ok", 2.0, 2.2, 0)])
    aligned = only(align_spans([span_of(transcript, "4111")], transcript, 3.0, min_piece_s=0.12, **NO_PAD))
    assert_interval(aligned.interval, 0.5, 1.9)


def test_minimum_length_off_by_default() -> None:
    transcript = make_transcript([("04/29", 1.5, 1.6, 0)])
    aligned = only(align_spans([span_of(transcript, "04/29")], transcript, 3.0, **NO_PAD))
    assert_interval(aligned.interval, 1.5, 1.6)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_unusable_minimum_length_raises(bad: float) -> None:
    transcript = make_transcript([("4111", 0.0, 0.4, 0)])
    with pytest.raises(AlignmentError):
        align_spans([span_of(transcript, "4111")], transcript, 1.0, min_piece_s=bad)


# --- ending at the pause after the PII ---------------------------------------------------

SR = 16000


def speech_with_pauses(total_s: float, pauses: Sequence[tuple[float, float]], seed: int = 1) -> np.ndarray:
    """Loud noise ("speech") everywhere except digital silence in the given (start, end) pauses."""
    rng = np.random.default_rng(seed)
    pcm = (rng.normal(size=int(total_s * SR)) * 6000.0).clip(-32768, 32767).astype(np.int16)
    for start_s, end_s in pauses:
        pcm[int(round(start_s * SR)):int(round(end_s * SR))] = 0
    return pcm


def end_of(words, pcm, needle: str, settings: EndAtPause = EndAtPause(), pad_after_s: float = 0.25) -> float:
    transcript = make_transcript(words)
    aligned = only(align_spans([span_of(transcript, needle)], transcript, len(pcm) / SR,
                               pad_before_s=0.0, pad_after_s=pad_after_s, pcm=pcm, sample_rate=SR,
                               end_at_pause=settings))
    return aligned.interval.end_s


def test_end_reaches_the_pause_when_the_asr_ends_the_words_early() -> None:
    # The PII is spoken until 2.0 s, then a 0.2 s pause; the ASR ends it at 1.7 s.
    pcm = speech_with_pauses(3.0, [(2.0, 2.2)])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0), ("thanks", 2.3, 2.9, 0)]
    end = end_of(words, pcm, "4111")
    assert math.isclose(end, 2.0 + EndAtPause().guard_s, abs_tol=1e-6), "end is not at the pause"
    assert end > 1.7 + 0.25  # the fixed pad would have stopped short of the PII's end


def test_end_gives_the_next_word_back_when_the_asr_ends_the_words_late() -> None:
    pcm = speech_with_pauses(3.0, [(2.0, 2.2)])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 2.08, 0), ("thanks", 2.3, 2.9, 0)]
    end = end_of(words, pcm, "4111")
    assert math.isclose(end, 2.08 + EndAtPause().min_after_s, abs_tol=1e-6), "end is not the minimum after"
    assert end < 2.2  # the next word, from 2.2 s, is not bleeped (the fixed pad would reach 2.33 s)


def test_end_keeps_the_fixed_pad_when_there_is_no_pause() -> None:
    pcm = speech_with_pauses(3.0, [])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0), ("thanks", 1.8, 2.9, 0)]
    assert math.isclose(end_of(words, pcm, "4111"), 1.7 + 0.25, abs_tol=1e-9), "fixed pad not kept"


def test_a_short_dip_is_not_a_pause() -> None:
    # 40 ms of silence (a stop closure) inside the PII is shorter than the 80 ms minimum.
    pcm = speech_with_pauses(3.0, [(1.75, 1.79)])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0), ("thanks", 2.3, 2.9, 0)]
    assert math.isclose(end_of(words, pcm, "4111"), 1.7 + 0.25, abs_tol=1e-9), "dip taken for a pause"


def test_a_pause_beyond_the_search_keeps_the_fixed_pad() -> None:
    pcm = speech_with_pauses(3.0, [(2.5, 2.7)])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0), ("thanks", 2.75, 2.9, 0)]
    assert math.isclose(end_of(words, pcm, "4111"), 1.7 + 0.25, abs_tol=1e-9), "pause too far taken"


def test_a_pause_before_the_search_window_is_ignored() -> None:
    # A pause between digit groups well before the ASR end must not pull the end in.
    pcm = speech_with_pauses(3.0, [(1.2, 1.4), (2.0, 2.2)])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0), ("thanks", 2.3, 2.9, 0)]
    assert end_of(words, pcm, "4111") >= 1.7 + EndAtPause().min_after_s


def test_speech_running_to_the_end_of_the_clip_keeps_the_clamped_end() -> None:
    pcm = speech_with_pauses(2.0, [])
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.9, 0)]
    assert math.isclose(end_of(words, pcm, "4111"), 2.0, abs_tol=1e-9), "end not clamped to the clip"


def test_trailing_silence_ends_the_redaction() -> None:
    pcm = speech_with_pauses(3.0, [(2.0, 3.0)])
    words = [("is", 0.0, 0.9, 0), ("4111", 1.0, 1.8, 0)]
    assert math.isclose(end_of(words, pcm, "4111"), 2.0 + EndAtPause().guard_s, abs_tol=1e-6), "end not at silence"


def test_the_start_is_untouched_by_the_end_search() -> None:
    pcm = speech_with_pauses(3.0, [(2.0, 2.2)])
    transcript = make_transcript([("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0), ("thanks", 2.3, 2.9, 0)])
    aligned = only(align_spans([span_of(transcript, "4111")], transcript, 3.0, pad_before_s=0.3,
                               pad_after_s=0.25, pcm=pcm, sample_rate=SR, end_at_pause=EndAtPause()))
    assert math.isclose(aligned.interval.start_s, 0.7, abs_tol=1e-9), "start moved"


def test_silent_clip_keeps_the_fixed_pad() -> None:
    pcm = np.zeros(3 * SR, dtype=np.int16)
    words = [("card", 0.0, 0.9, 0), ("4111", 1.0, 1.7, 0)]
    assert math.isclose(end_of(words, pcm, "4111"), 1.7 + 0.25, abs_tol=1e-9), "fixed pad not kept"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"end_at_pause": EndAtPause()},  # no audio
        {"end_at_pause": EndAtPause(), "pcm": np.zeros(SR, dtype=np.float32), "sample_rate": SR},
        {"end_at_pause": EndAtPause(), "pcm": np.zeros((2, SR), dtype=np.int16), "sample_rate": SR},
        {"end_at_pause": EndAtPause(), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": 0},
        {"end_at_pause": EndAtPause(min_pause_s=float("nan")), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
        {"end_at_pause": EndAtPause(frame_s=0.0), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
        {"end_at_pause": EndAtPause(min_after_s=0.7, max_after_s=0.6), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
    ],
)
def test_unusable_pause_settings_or_audio_raise(kwargs) -> None:
    transcript = make_transcript([("4111", 0.0, 0.4, 0)])
    with pytest.raises(AlignmentError):
        align_spans([span_of(transcript, "4111")], transcript, 1.0, **kwargs)


# --- starting at the dip before the PII ---------------------------------------------------


def speech_with_dips(total_s: float, dips: Sequence[tuple[float, float, float]], seed: int = 2) -> np.ndarray:
    """Loud noise ("speech") turned down by the given factor in each (start, end, factor) stretch."""
    pcm = speech_with_pauses(total_s, [], seed=seed).astype(np.float64)
    for start_s, end_s, factor in dips:
        pcm[int(round(start_s * SR)):int(round(end_s * SR))] *= factor
    return pcm.round().astype(np.int16)


def start_of(words, pcm, needle: str, settings: StartAtDip = StartAtDip(), pad_before_s: float = 0.30) -> float:
    transcript = make_transcript(words)
    aligned = only(align_spans([span_of(transcript, needle)], transcript, len(pcm) / SR,
                               pad_before_s=pad_before_s, pad_after_s=0.0, pcm=pcm, sample_rate=SR,
                               start_at_dip=settings))
    return aligned.interval.start_s


WORDS_AT_ONE = [("card", 0.0, 0.6, 0), ("is", 0.6, 1.0, 0), ("4111", 1.0, 1.7, 0), ("thanks", 1.8, 2.5, 0)]


def test_start_goes_to_the_quietest_moment_before_the_words() -> None:
    # The words meet at 0.76 s, 0.24 s before the ASR's late start of the value.
    pcm = speech_with_dips(3.0, [(0.75, 0.77, 0.05)])
    start = start_of(WORDS_AT_ONE, pcm, "4111")
    assert 0.75 <= start <= 0.77, "start is not at the dip"
    assert start > 1.0 - 0.30  # the fixed pad would have bleeped 60 ms of the word before


def test_a_dip_too_close_to_the_asr_start_is_not_taken() -> None:
    # The quietest moment, 0.10 s before the ASR start, can be a stop inside the first digit.
    pcm = speech_with_dips(3.0, [(0.89, 0.91, 0.01), (0.70, 0.72, 0.2)])
    start = start_of(WORDS_AT_ONE, pcm, "4111")
    assert 0.70 <= start <= 0.72, "start is not at the deepest dip inside the window"


def test_a_dip_too_far_before_the_asr_start_is_not_taken() -> None:
    pcm = speech_with_dips(3.0, [(0.55, 0.57, 0.01)])
    start = start_of(WORDS_AT_ONE, pcm, "4111")
    assert 1.0 - StartAtDip().earliest_s <= start <= 1.0 - StartAtDip().latest_s, "start left the window"


def test_silence_in_the_window_starts_at_its_first_moment() -> None:
    # Equal quiet all along (a pause before the value): the earliest frame, redacting more.
    pcm = speech_with_pauses(3.0, [(0.60, 0.85)])
    assert math.isclose(start_of(WORDS_AT_ONE, pcm, "4111"), 0.655, abs_tol=1e-6), "start not at the pause's start"


def test_guard_moves_the_start_earlier() -> None:
    pcm = speech_with_dips(3.0, [(0.75, 0.77, 0.05)])
    plain = start_of(WORDS_AT_ONE, pcm, "4111")
    guarded = start_of(WORDS_AT_ONE, pcm, "4111", StartAtDip(guard_s=0.03))
    assert math.isclose(guarded, plain - 0.03, abs_tol=1e-9), "guard not applied"


def test_the_clip_start_keeps_the_fixed_pad() -> None:
    pcm = speech_with_dips(3.0, [])
    words = [("4111", 0.1, 0.8, 0), ("thanks", 0.9, 1.5, 0)]
    assert start_of(words, pcm, "4111") == 0.0, "no window before the words, yet the pad was not kept"


def test_the_end_is_untouched_by_the_start_search() -> None:
    pcm = speech_with_dips(3.0, [(0.75, 0.77, 0.05)])
    transcript = make_transcript(WORDS_AT_ONE)
    aligned = only(align_spans([span_of(transcript, "4111")], transcript, 3.0, pad_before_s=0.3,
                               pad_after_s=0.25, pcm=pcm, sample_rate=SR, start_at_dip=StartAtDip()))
    assert math.isclose(aligned.interval.end_s, 1.95, abs_tol=1e-9), "end moved"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start_at_dip": StartAtDip()},  # no audio
        {"start_at_dip": StartAtDip(), "pcm": np.zeros(SR, dtype=np.float32), "sample_rate": SR},
        {"start_at_dip": StartAtDip(), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": 0},
        {"start_at_dip": StartAtDip(earliest_s=float("nan")), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
        {"start_at_dip": StartAtDip(frame_s=0.0), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
        {"start_at_dip": StartAtDip(earliest_s=0.1, latest_s=0.2), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
        {"start_at_dip": StartAtDip(guard_s=-0.01), "pcm": np.zeros(SR, dtype=np.int16), "sample_rate": SR},
    ],
)
def test_unusable_dip_settings_or_audio_raise(kwargs) -> None:
    transcript = make_transcript([("4111", 0.0, 0.4, 0)])
    with pytest.raises(AlignmentError):
        align_spans([span_of(transcript, "4111")], transcript, 1.0, **kwargs)
