"""Map detected PII character spans to the stretch of audio that must be redacted.

A span is placed through the words whose characters it overlaps (a half-word
is still redacted), widened when the ASR squeezed it into less time than its
spoken pieces need (``min_piece_s``), padded because ASR word times are
approximate, and clamped to the clip. Word times the ASR could not give (end before start, zero length,
not finite) are repaired from the neighbouring words; a span whose words still
have no usable time widens to the ASR segment(s) they belong to. When even that
is impossible the span cannot be placed and :class:`AlignmentError` is raised,
so the pipeline dead-letters the clip rather than letting PII through.

faster-whisper tiny.en's word starts lag the audio by about a fifth of a second,
sometimes a third, so the fixed pad before each span is 0.30 s. The first word of
a spoken value almost never has a pause in front of it, so with :class:`StartAtDip`
the start goes to the quietest moment 0.15-0.35 s before the ASR start, where the
words meet, rather than a fixed 0.30 s pad that eats the end of the word before.
Word ends are off both ways, but a value is usually followed by a pause, so with
:class:`EndAtPause` the end goes to that pause, found in the clip's own audio,
rather than a fixed pad. Whisper rarely leaves a gap between words, so
``gap_fill_s`` rarely helps and is off by default. ``benchmarks/audio_leak.py``
measures these edges against the synthesiser's exact word times
(``benchmarks/espeak_words.py``).

Nothing here logs or raises text, offsets or times: error messages are fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np
from voicescrub.schemas.records import (
    AudioInterval,
    PiiSpan,
    Segment,
    TimedWord,
    Transcript,
)

METHOD_WORDS = "words"
METHOD_SEGMENT = "segment"
METHOD_CLIP = "clip"

# A repaired word squeezed into less room than this between its neighbours is
# widened over the neighbours themselves: the ASR collapsed it, it is in there.
_MIN_REPAIRED_WORD_S = 0.02


class AlignmentError(Exception):
    """A span cannot be placed in the audio. The message is a fixed string, never data."""


@dataclass(frozen=True)
class AlignedSpan:
    """A detected span and the audio actually redacted for it.

    :param span: the detected span.
    :param interval: the time redacted for it, padded and clamped to the clip.
    :param method: ``"words"`` (from word times), ``"segment"`` (widened to the
        whole ASR segment(s)) or ``"clip"`` (widened to the whole clip).
    """

    span: PiiSpan
    interval: AudioInterval
    method: str


@dataclass(frozen=True)
class _Time:
    start_s: float
    end_s: float


def _is_usable(start_s: float, end_s: float) -> bool:
    """Whether a (start, end) pair is a real stretch of time."""
    return math.isfinite(start_s) and math.isfinite(end_s) and 0.0 <= start_s < end_s


def _usable_segment(segments: Sequence[Segment], index: int) -> Optional[_Time]:
    """The segment's time, or None when the index or the times are unusable."""
    if not 0 <= index < len(segments):
        return None
    segment = segments[index]
    if not _is_usable(segment.start_s, segment.end_s):
        return None
    return _Time(segment.start_s, segment.end_s)


def _repair_word_times(words: Sequence[TimedWord], segments: Sequence[Segment] = ()) -> list[Optional[_Time]]:
    """Give every word a usable time, or None when it has none.

    A word whose own time is usable keeps it. Any other word (end before start,
    zero length, negative or non-finite) is placed in the gap between the
    nearest usable words before and after it, which is where it must be since
    words are in order. A missing neighbour on one side is replaced by the
    word's segment edge; when that is missing too, or there is no usable word
    on either side, the word stays None. When the neighbours
    leave it no room, it is widened over the neighbours themselves.

    :param words: the transcript's words, in order.
    :param segments: the transcript's segments, indexed by ``TimedWord.segment``.
    :return: one entry per word.
    """
    own: list[Optional[_Time]] = [
        _Time(w.start_s, w.end_s) if _is_usable(w.start_s, w.end_s) else None for w in words
    ]
    repaired: list[Optional[_Time]] = list(own)
    for index, word in enumerate(words):
        if own[index] is not None:
            continue
        previous = next((own[j] for j in range(index - 1, -1, -1) if own[j] is not None), None)
        following = next((own[j] for j in range(index + 1, len(words)) if own[j] is not None), None)
        if previous is None and following is None:
            continue  # no word time at all to repair from: the caller widens to the segment
        segment = _usable_segment(segments, word.segment)
        lower = previous.end_s if previous is not None else (segment.start_s if segment else None)
        upper = following.start_s if following is not None else (segment.end_s if segment else None)
        if lower is None or upper is None:
            continue
        if upper - lower >= _MIN_REPAIRED_WORD_S:
            repaired[index] = _Time(lower, upper)
            continue
        # No room between the neighbours: the word overlaps them in the audio.
        wide_start = previous.start_s if previous is not None else lower
        wide_end = following.end_s if following is not None else upper
        if _is_usable(min(wide_start, wide_end), max(wide_start, wide_end)):
            repaired[index] = _Time(min(wide_start, wide_end), max(wide_start, wide_end))
    return repaired


def _clamp(start_s: float, end_s: float, duration_s: float) -> Optional[AudioInterval]:
    """Clamp to [0, duration_s]; None when nothing of the interval is left."""
    start = max(0.0, start_s)
    end = min(duration_s, end_s)
    if not end > start:
        return None
    return AudioInterval(start, end)


def _validate_settings(duration_s: float, pad_before_s: float, pad_after_s: float, gap_fill_s: float) -> None:
    if not (math.isfinite(duration_s) and duration_s > 0.0):
        raise AlignmentError("clip duration is not usable")
    for value in (pad_before_s, pad_after_s, gap_fill_s):
        if not (math.isfinite(value) and value >= 0.0):
            raise AlignmentError("padding is not usable")


@dataclass(frozen=True)
class EndAtPause:
    """End each word-placed redaction at the pause after the PII, not at a fixed pad.

    ASR word ends are off both ways (tiny.en's by up to about 0.4 s early or
    0.3 s late), while a spoken value is usually followed by a short pause
    before the next word. So the end edge goes to the start of the first pause
    of at least ``min_pause_s``
    that begins no earlier than ``search_before_s`` before the words' ASR end,
    plus ``guard_s``; never less than ``min_after_s`` and never more than
    ``max_after_s`` after the ASR end. With no such pause the fixed
    ``pad_after_s`` is kept (fail safe). A pause is a run of frames at least
    ``quiet_db`` below the clip's speech level (the mean power of frames
    within 30 dB of its loudest).
    """

    min_pause_s: float = 0.08
    search_before_s: float = 0.10
    guard_s: float = 0.03
    min_after_s: float = 0.05
    max_after_s: float = 0.60
    quiet_db: float = 30.0
    frame_s: float = 0.010

    def validate(self) -> None:
        values = (self.min_pause_s, self.search_before_s, self.guard_s, self.min_after_s,
                  self.max_after_s, self.quiet_db, self.frame_s)
        if not all(math.isfinite(v) and v >= 0.0 for v in values):
            raise AlignmentError("pause settings are not usable")
        if self.frame_s <= 0.0 or self.min_after_s > self.max_after_s:
            raise AlignmentError("pause settings are not usable")


@dataclass(frozen=True)
class StartAtDip:
    """Start each word-placed redaction at the quietest moment just before the PII.

    tiny.en's first word of a value starts a sixth to a third of a second after
    the audio does, and a spoken value almost never has a pause in front of it,
    so :class:`EndAtPause`'s trick has nothing to find at the start. Yet words
    meet at a dip in loudness even when run together. So
    the start goes to the quietest ``frame_s`` frame lying wholly between
    ``earliest_s`` and ``latest_s`` before the words' ASR start, less
    ``guard_s``. ``latest_s`` keeps the start clear of the stops and
    fricatives inside the first digit ("eight", "six"), which are as quiet as
    any boundary (a search right up to the ASR start lands in the first digit and
    leaves more of it audible than the fixed pad); with no whole frame in the
    window (the clip's first instants) the fixed ``pad_before_s`` is kept.

    Against the fixed pad this silences much less clean speech before values and
    leaves about as many first words partly audible (when tiny.en is later than
    about 0.3 s, neither reaches the start of the value). A smaller
    ``latest_s`` silences still less clean speech but leaves more first words
    partly audible. ``benchmarks/audio_leak.py`` measures both.
    """

    earliest_s: float = 0.35
    latest_s: float = 0.15
    guard_s: float = 0.0
    frame_s: float = 0.010

    def validate(self) -> None:
        values = (self.earliest_s, self.latest_s, self.guard_s, self.frame_s)
        if not all(math.isfinite(v) and v >= 0.0 for v in values):
            raise AlignmentError("dip settings are not usable")
        if self.frame_s <= 0.0 or self.latest_s > self.earliest_s:
            raise AlignmentError("dip settings are not usable")


_FULL_SCALE = 32768.0
_SILENT_DB = -120.0


class _FrameLevels:
    """The power of each ``frame_s`` frame of one clip, in dB full scale."""

    def __init__(self, pcm: np.ndarray, sample_rate: int, frame_s: float) -> None:
        if not isinstance(pcm, np.ndarray) or pcm.ndim != 1 or pcm.dtype != np.int16:
            raise AlignmentError("audio must be 1-D int16 mono")
        if not (isinstance(sample_rate, (int, np.integer)) and sample_rate > 0):
            raise AlignmentError("sample rate is not usable")
        frame = max(1, int(round(frame_s * sample_rate)))
        self.seconds_per_frame = frame / sample_rate
        count = len(pcm) // frame
        x = pcm[: count * frame].astype(np.float64).reshape(count, frame) / _FULL_SCALE
        self.power = np.mean(x * x, axis=1)
        with np.errstate(divide="ignore"):
            self.level = np.maximum(10.0 * np.log10(self.power), _SILENT_DB) if count else np.zeros(0)

    def quietest_between(self, from_s: float, until_s: float) -> Optional[float]:
        """Middle (s) of the quietest frame lying wholly in [from_s, until_s]; None if none does.

        Ties go to the earliest such frame (more redacted, not less).
        """
        first = max(0, math.ceil(from_s / self.seconds_per_frame - 1e-9))
        last = min(len(self.level), math.floor(until_s / self.seconds_per_frame + 1e-9))  # exclusive
        if last <= first:
            return None
        index = first + int(np.argmin(self.level[first:last]))
        return (index + 0.5) * self.seconds_per_frame


class _Pauses:
    """The quiet frames of one clip."""

    def __init__(self, levels: _FrameLevels, settings: EndAtPause) -> None:
        self._seconds_per_frame = levels.seconds_per_frame
        level, power = levels.level, levels.power
        count = len(level)
        self.quiet = np.zeros(count, dtype=bool)
        if count and np.max(level) > _SILENT_DB:
            active = level >= np.max(level) - 30.0
            speech_db = 10.0 * np.log10(np.mean(power[active]))
            self.quiet = level < speech_db - settings.quiet_db
        self._min_frames = max(1, math.ceil(settings.min_pause_s / self._seconds_per_frame - 1e-9))

    def first_pause_from(self, from_s: float, until_s: float) -> Optional[float]:
        """Start (s) of the first quiet run of the minimum length beginning in [from_s, until_s]."""
        first = max(0, math.ceil(from_s / self._seconds_per_frame - 1e-9))
        index = first
        while index < len(self.quiet) and index * self._seconds_per_frame <= until_s:
            if not self.quiet[index]:
                index += 1
                continue
            run_end = index
            while run_end < len(self.quiet) and self.quiet[run_end]:
                run_end += 1
            # A run cut off by the end of the clip counts: the speech is over.
            if run_end - index >= self._min_frames or run_end == len(self.quiet):
                return index * self._seconds_per_frame
            index = run_end
        return None


def spoken_pieces(text: str) -> int:
    """A floor on how many spoken word-pieces a piece of transcript holds.

    Each digit is spoken (at least one syllable); each run of letters is at
    least one word. "04/29" -> 4, "4,111" -> 4, "Visa" -> 1.
    """
    pieces = 0
    in_letters = False
    for ch in text:
        if ch.isdigit():
            pieces += 1
            in_letters = False
        elif ch.isalpha():
            if not in_letters:
                pieces += 1
            in_letters = True
        else:
            in_letters = False
    return pieces


def align_spans(
    spans: Sequence[PiiSpan],
    transcript: Transcript,
    duration_s: float,
    *,
    pad_before_s: float = 0.15,
    pad_after_s: float = 0.10,
    gap_fill_s: float = 0.0,
    allow_whole_clip: bool = False,
    min_piece_s: float = 0.0,
    pcm: Optional[np.ndarray] = None,
    sample_rate: Optional[int] = None,
    end_at_pause: Optional[EndAtPause] = None,
    start_at_dip: Optional[StartAtDip] = None,
) -> list[AlignedSpan]:
    """Place each detected span in the audio.

    :param spans: detected spans, offsets into ``transcript.text``.
    :param transcript: the transcript the spans were detected in.
    :param duration_s: length of the clip; every interval is clamped to it.
    :param pad_before_s: seconds added before each span (word starts are late).
    :param pad_after_s: seconds added after each span (word ends are early).
    :param gap_fill_s: when the silence between a span and its neighbouring
        word is at most this long, the redaction also covers that whole gap.
        0 (default) turns this off.
    :param allow_whole_clip: when a span cannot be placed by words or
        segments, redact the whole clip (method ``"clip"``) instead of raising.
    :param min_piece_s: before padding, a span's words cover at least this
        many seconds per spoken piece of its text (each digit, each run of
        letters; see :func:`spoken_pieces`): the ASR can squeeze a short value
        ("04/29") into a sliver of time, and a bleep that short leaves most of
        it audible. A shorter hull is widened equally on both sides. 0 (default)
        turns this off.
    :param pcm: the clip's int16 samples, needed with ``end_at_pause`` or ``start_at_dip``.
    :param sample_rate: samples per second of ``pcm``.
    :param end_at_pause: end word-placed intervals at the pause after the
        PII (:class:`EndAtPause`) instead of at ``pad_after_s``; None (default)
        keeps the fixed pad.
    :param start_at_dip: start word-placed intervals at the quietest moment
        before the PII (:class:`StartAtDip`) instead of at ``pad_before_s``;
        None (default) keeps the fixed pad.
    :return: one :class:`AlignedSpan` per span, in the order given.
    :raises AlignmentError: a span is out of the text's range, overlaps no
        word, or neither its words nor their segments have a usable time.
    """
    _validate_settings(duration_s, pad_before_s, pad_after_s, gap_fill_s)
    if not (math.isfinite(min_piece_s) and min_piece_s >= 0.0):
        raise AlignmentError("minimum length is not usable")
    pauses: Optional[_Pauses] = None
    dips: Optional[_FrameLevels] = None
    levels: dict[float, _FrameLevels] = {}  # one pass over the clip per frame size

    def levels_at(frame_s: float) -> _FrameLevels:
        if pcm is None or sample_rate is None:
            raise AlignmentError("fitting an edge to the audio needs the audio")
        if frame_s not in levels:
            levels[frame_s] = _FrameLevels(pcm, sample_rate, frame_s)
        return levels[frame_s]

    if end_at_pause is not None:
        end_at_pause.validate()
        pauses = _Pauses(levels_at(end_at_pause.frame_s), end_at_pause)
    if start_at_dip is not None:
        start_at_dip.validate()
        dips = levels_at(start_at_dip.frame_s)
    words = transcript.words
    segments = transcript.segments
    word_times = _repair_word_times(words, segments)
    aligned: list[AlignedSpan] = []
    for span in spans:
        if not 0 <= span.char_start < span.char_end <= len(transcript.text):
            raise AlignmentError("span is outside the transcript")
        covered = [
            i for i, w in enumerate(words) if w.char_start < span.char_end and w.char_end > span.char_start
        ]
        if not covered:
            raise AlignmentError("span overlaps no word")
        min_length_s = min_piece_s * spoken_pieces(transcript.text[span.char_start:span.char_end])
        interval = _interval_from_words(
            covered, word_times, duration_s, pad_before_s, pad_after_s, gap_fill_s,
            min_length_s=min_length_s, pauses=pauses, end_at_pause=end_at_pause,
            dips=dips, start_at_dip=start_at_dip,
        )
        method = METHOD_WORDS
        if interval is None:
            interval = _interval_from_segments(
                [words[i].segment for i in covered], segments, duration_s, pad_before_s, pad_after_s
            )
            method = METHOD_SEGMENT
        if interval is None:
            if not allow_whole_clip:
                raise AlignmentError("span cannot be placed in time")
            interval = AudioInterval(0.0, duration_s)
            method = METHOD_CLIP
        aligned.append(AlignedSpan(span=span, interval=interval, method=method))
    return aligned


def _interval_from_words(
    covered: Sequence[int],
    word_times: Sequence[Optional[_Time]],
    duration_s: float,
    pad_before_s: float,
    pad_after_s: float,
    gap_fill_s: float,
    *,
    min_length_s: float = 0.0,
    pauses: Optional[_Pauses] = None,
    end_at_pause: Optional[EndAtPause] = None,
    dips: Optional[_FrameLevels] = None,
    start_at_dip: Optional[StartAtDip] = None,
) -> Optional[AudioInterval]:
    """The padded, clamped hull of the covered words' times; None if any has no time.

    A hull shorter than ``min_length_s`` is widened by the shortfall on both
    sides before padding (the ASR collapsed the words; where exactly they
    were is uncertain, so both ways).
    """
    times = [word_times[i] for i in covered]
    if any(t is None for t in times):
        return None
    start = min(t.start_s for t in times if t is not None)
    end = max(t.end_s for t in times if t is not None)
    if end - start < min_length_s:
        start, end = min(start, end - min_length_s), max(end, start + min_length_s)
    padded_start = start - pad_before_s
    padded_end = end + pad_after_s
    if dips is not None and start_at_dip is not None:
        dip = dips.quietest_between(start - start_at_dip.earliest_s, start - start_at_dip.latest_s)
        if dip is not None:
            padded_start = min(max(dip - start_at_dip.guard_s, start - start_at_dip.earliest_s),
                               start - start_at_dip.latest_s)
    if pauses is not None and end_at_pause is not None:
        pause_start = pauses.first_pause_from(end - end_at_pause.search_before_s,
                                              end + end_at_pause.max_after_s)
        if pause_start is not None:
            padded_end = min(max(pause_start + end_at_pause.guard_s, end + end_at_pause.min_after_s),
                             end + end_at_pause.max_after_s)
    if gap_fill_s > 0.0:
        previous = word_times[covered[0] - 1] if covered[0] > 0 else None
        following = word_times[covered[-1] + 1] if covered[-1] + 1 < len(word_times) else None
        if previous is not None and 0.0 <= start - previous.end_s <= gap_fill_s:
            padded_start = min(padded_start, previous.end_s)
        if following is not None and 0.0 <= following.start_s - end <= gap_fill_s:
            padded_end = max(padded_end, following.start_s)
    return _clamp(padded_start, padded_end, duration_s)


def _interval_from_segments(
    segment_indices: Sequence[int],
    segments: Sequence[Segment],
    duration_s: float,
    pad_before_s: float,
    pad_after_s: float,
) -> Optional[AudioInterval]:
    """The padded, clamped hull of the given segments; None if any is unusable."""
    times = [_usable_segment(segments, i) for i in segment_indices]
    if not times or any(t is None for t in times):
        return None
    start = min(t.start_s for t in times if t is not None)
    end = max(t.end_s for t in times if t is not None)
    return _clamp(start - pad_before_s, end + pad_after_s, duration_s)


def merge_intervals(intervals: Iterable[AudioInterval]) -> list[AudioInterval]:
    """Sort intervals and merge those that overlap or touch.

    Empty intervals (end == start) redact nothing and are dropped.

    :param intervals: intervals in any order.
    :return: disjoint intervals sorted by start.
    :raises AlignmentError: an interval is not finite or ends before it starts.
    """
    ordered: list[AudioInterval] = []
    for interval in intervals:
        if not (math.isfinite(interval.start_s) and math.isfinite(interval.end_s)):
            raise AlignmentError("interval is not finite")
        if interval.end_s < interval.start_s:
            raise AlignmentError("interval ends before it starts")
        if interval.end_s > interval.start_s:
            ordered.append(interval)
    ordered.sort(key=lambda i: (i.start_s, i.end_s))
    merged: list[AudioInterval] = []
    for interval in ordered:
        if merged and interval.start_s <= merged[-1].end_s:
            last = merged[-1]
            merged[-1] = AudioInterval(last.start_s, max(last.end_s, interval.end_s))
        else:
            merged.append(interval)
    return merged
