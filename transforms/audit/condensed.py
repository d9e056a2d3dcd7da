"""Scrubbed audio with the middle of each redaction cut out, and times mapped back.

Plain Python, no Beam. A re-listen looks for PII left audible around a redaction,
yet most of a scrubbed clip with PII in it is the redaction itself: tone or
silence, with no speech under it. Whisper encodes every window at its full 30 s,
so the audit pays for every second of tone it hears. :func:`condense` keeps
``kept_s`` of each redaction at both of its edges (the speech either side still
meets a redaction, heard as it will be) and drops the rest, so a packed window
holds more clips; :meth:`CondensedClip.restore` puts the words of the re-listen
back on the clip's own clock.

Only samples inside a redacted interval are ever dropped, so every sample of
speech is heard, and a time outside the dropped stretches maps back exactly. A
word that spans a cut point maps to both of its sides: it covers the stretch
that was dropped, which is tone or silence, so a residue there is widened, never
narrowed; so does a word within ``WORD_TIME_ERROR_S`` of a cut, since its time may be that
far off and the other side of the cut is a whole dropped stretch away. The two ends that meet at a cut fade over a few milliseconds, so the
join makes no click for the ASR to hear as a consonant.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np
from voicescrub.schemas.records import AudioInterval, Segment, Transcript
from voicescrub.transforms.audio.redaction import fade_in_ramp

#: Fade on either side of a cut, in seconds.
JOIN_FADE_S = 0.005
#: How far a word time may be from where the word was spoken (tiny.en's run late by
#: 0.2-0.4 s, ``PackingSettings.drift_tolerance_s``). Near a cut, such an error would put
#: the word on the wrong side of it, a whole dropped stretch away, where the audit's pads
#: cannot reach: a word ending or starting this close to a cut reaches across it.
WORD_TIME_ERROR_S = 0.45


@dataclass(frozen=True)
class CondensedClip:
    """A clip's samples with stretches of its redactions removed.

    :param pcm: the samples heard (int16).
    :param not_speech: the redacted stretches in ``pcm``'s time, ``(start_s, end_s)``.
    :param pieces: ``(start in pcm, start in the clip)`` of each run of samples kept, in
        samples, in order; the first is ``(0, 0)``.
    :param sample_rate: samples per second of both.
    """

    pcm: np.ndarray
    not_speech: Tuple[Tuple[float, float], ...]
    pieces: Tuple[Tuple[int, int], ...]
    sample_rate: int

    @property
    def removed_s(self) -> float:
        """Seconds of the clip that are not heard."""
        return (self.pieces[-1][1] - self.pieces[-1][0]) / self.sample_rate

    def clip_time(self, seconds: float, at_cut: str) -> float:
        """A time in ``pcm`` on the clip's clock.

        :param at_cut: ``"before"`` or ``"after"``: which side of a cut a time that
            falls exactly on it belongs to (a word's start takes the side before, its
            end the side after, so a word at a cut covers what was dropped there).
        """
        if not math.isfinite(seconds):
            return seconds
        heard_starts = [heard for heard, _ in self.pieces]
        sample = seconds * self.sample_rate
        if at_cut == "before":
            index = bisect.bisect_left(heard_starts, sample) - 1
        else:
            index = bisect.bisect_right(heard_starts, sample) - 1
        heard, clip = self.pieces[max(index, 0)]
        return round((sample - heard + clip) / self.sample_rate, 6)

    def start_on_clip(self, seconds: float) -> float:
        """A word's start on the clip's clock, taken back across a cut up to
        ``WORD_TIME_ERROR_S`` before it."""
        if not math.isfinite(seconds):
            return seconds
        return min(self.clip_time(seconds, "before"),
                   self.clip_time(seconds - WORD_TIME_ERROR_S, "before") + WORD_TIME_ERROR_S)

    def end_on_clip(self, seconds: float) -> float:
        """A word's end on the clip's clock, taken on across a cut up to
        ``WORD_TIME_ERROR_S`` after it."""
        if not math.isfinite(seconds):
            return seconds
        return max(self.clip_time(seconds, "after"),
                   self.clip_time(seconds + WORD_TIME_ERROR_S, "after") - WORD_TIME_ERROR_S)

    def restore(self, transcript: Transcript) -> Transcript:
        """``transcript`` (of :attr:`pcm`) with its word and segment times on the clip's clock."""
        if len(self.pieces) == 1:
            return transcript
        words = tuple(dataclasses.replace(w, start_s=self.start_on_clip(w.start_s),
                                          end_s=self.end_on_clip(w.end_s))
                      for w in transcript.words)
        segments = tuple(Segment(self.start_on_clip(s.start_s), self.end_on_clip(s.end_s))
                         for s in transcript.segments)
        return dataclasses.replace(transcript, words=words, segments=segments)


def condense(pcm: np.ndarray, sample_rate: int, redacted: Sequence[AudioInterval],
             kept_s: float) -> CondensedClip:
    """Keep ``kept_s`` of each redacted stretch at both of its edges and drop its middle.

    :param pcm: the clip's scrubbed int16 samples.
    :param redacted: the redacted intervals (overlapping or touching ones are one stretch).
    :param kept_s: seconds of each stretch heard at its start and at its end; a stretch
        shorter than twice this, plus both fades, is heard whole.
    """
    stretches = _sample_stretches(redacted, sample_rate, len(pcm))
    keep = max(int(round(kept_s * sample_rate)), 0)
    fade = max(int(round(JOIN_FADE_S * sample_rate)), 1)
    parts: List[np.ndarray] = []
    pieces: List[Tuple[int, int]] = [(0, 0)]
    not_speech: List[Tuple[float, float]] = []
    cursor = 0  # next clip sample to take
    heard = 0  # samples taken so far
    ramp = fade_in_ramp(fade)
    for start, end in stretches:
        cut_from, cut_to = start + keep, end - keep
        if cut_to - cut_from <= 2 * fade:
            not_speech.append(((heard + start - cursor) / sample_rate,
                               (heard + end - cursor) / sample_rate))
            continue
        before = pcm[cursor:cut_from].astype(np.float32)
        # Both faded runs lie inside the redaction (``keep`` of it stays on each side,
        # and ``keep`` may be 0): no sample of speech is changed.
        tail = min(fade, cut_from - start)
        if tail:
            before[len(before) - tail:] *= ramp[fade - tail:][::-1]
        parts.append(before.astype(np.int16))
        not_speech_start = heard + start - cursor
        heard += cut_from - cursor
        cursor = cut_to
        pieces.append((heard, cursor))
        not_speech.append((not_speech_start / sample_rate, (heard + end - cursor) / sample_rate))
        lead = min(fade, end - cut_to)
        if lead:
            after = pcm[cursor:cursor + lead].astype(np.float32) * ramp[:lead]
            parts.append(after.astype(np.int16))
            heard += lead
            cursor += lead
    parts.append(pcm[cursor:])
    if len(pieces) == 1:  # nothing cut: the clip as it is, its intervals as given
        return CondensedClip(pcm, tuple((i.start_s, i.end_s) for i in redacted), tuple(pieces),
                             sample_rate)
    return CondensedClip(np.concatenate(parts), tuple(not_speech), tuple(pieces), sample_rate)


def _sample_stretches(redacted: Sequence[AudioInterval], sample_rate: int,
                      length: int) -> List[Tuple[int, int]]:
    """Redacted intervals as disjoint sample ranges, sorted, each within the clip.

    A range starts at the first sample wholly inside its interval and ends after the
    last one (the redaction itself floors starts and ceils ends, so every sample in
    the range was redacted)."""
    ranges = sorted((max(int(math.ceil(i.start_s * sample_rate)), 0),
                     min(int(math.floor(i.end_s * sample_rate)), length))
                    for i in redacted if math.isfinite(i.start_s) and math.isfinite(i.end_s))
    merged: List[Tuple[int, int]] = []
    for start, end in ranges:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
