"""Pack short clips into shared Whisper windows and split the words back by time.

Whisper encodes every input as a 30 s window, so a 3 s request spends most of
the encoder's work on padding. Several clips laid end to end with digital
silence between them share one window; each word the ASR returns is then given
back to the clip whose time range holds the middle of the word.

Plain Python and numpy, no Beam, no model: ``voicescrub.transforms.asr.whisper.transcribe_batch`` drives it.

Safety first: a word of one clip must never land in another clip's transcript
(its PII would be missed by the right clip's audio redaction). Whenever the
split is not clear-cut for a clip, :func:`split_window` marks the clip
*ambiguous* and the caller transcribes it alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
from voicescrub.transforms.audio.alignment import spoken_pieces

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class PackingSettings:
    """How clips share a window and how strictly words are split back.

    :param max_window_s: longest packed window; under Whisper's 30 s so nothing
        spills into a second decoding window.
    :param gap_s: digital silence between two clips of a window.
    :param max_clips: most clips in one window (bounds the damage of a failed window).
    :param straddle_tolerance_s: how far a word may reach into a neighbouring
        clip's audio before the split counts as ambiguous.
    :param drift_tolerance_s: how far after its clip's audio a word may be placed
        and still belong to it (Whisper's word times run late by 0.2-0.4 s).
    :param early_tolerance_s: how far before its clip's audio a word may start
        (less: word times run late, rarely early).
    :param uncovered_speech_s: longest stretch of a clip's speech that may go
        without any word near it (:func:`uncovered_speech_s`) before the split
        counts as ambiguous: Whisper skipped part of the clip.
    :param max_speech_per_syllable_s: most seconds of a clip's speech per syllable
        of its words (:func:`speech_per_syllable_s`) before the split counts as
        ambiguous: too few words for the speech, spread over it; 0 turns it off.
    """

    max_window_s: float = 28.0
    gap_s: float = 1.0
    max_clips: int = 12
    straddle_tolerance_s: float = 0.15
    drift_tolerance_s: float = 0.45
    early_tolerance_s: float = 0.2
    uncovered_speech_s: float = 0.8
    max_speech_per_syllable_s: float = 0.35


@dataclass(frozen=True)
class WindowPlan:
    """Where each member clip sits in a packed window.

    :param members: indices of the clips (into the caller's list), in window order.
    :param starts_s: start of each member's audio in the window, seconds.
    :param durations_s: each member's audio length, seconds.
    """

    members: Tuple[int, ...]
    starts_s: Tuple[float, ...]
    durations_s: Tuple[float, ...]

    @property
    def solo(self) -> bool:
        return len(self.members) == 1


@dataclass(frozen=True)
class WindowWord:
    """One word as the ASR returned it for a whole window (times in window seconds).

    :param text: the raw token text, leading space included (it tells whether the
        token continues the previous one, as in ``4`` ``,111``).
    :param segment: index of the ASR segment in the window.
    """

    text: str
    start_s: float
    end_s: float
    probability: float
    segment: int


@dataclass(frozen=True)
class ClipWords:
    """The words a window gave back to one clip, times relative to the clip start.

    :param ambiguous: the split is not trustworthy for this clip; transcribe it alone.
    :param reason: why (a fixed word, for metrics): ``straddle``, ``glued``,
        ``gap_word``, ``lost`` or ``""``.
    """

    words: Tuple[WindowWord, ...]
    ambiguous: bool = False
    reason: str = ""


def plan_windows(durations_s: Sequence[float], settings: PackingSettings) -> List[WindowPlan]:
    """Group clips into as few windows of at most ``max_window_s`` as first-fit can.

    Clips are placed longest first, each into the first window it still fits
    (first-fit decreasing): every window costs a full 30 s encoder pass and a
    decoder whose every step attends to all 30 s, so the fewer windows the
    faster, and taking clips in arrival order leaves about a clip's length empty
    at the end of most windows. Within a window, clips keep their input order.
    A clip longer than a window goes alone (faster-whisper handles long audio
    in 30 s chunks itself).

    :param durations_s: each clip's length in seconds.
    """
    groups: List[List[int]] = []
    filled: List[float] = []  # each group's length: its clips plus the gaps between them
    alone: List[int] = []
    for index in sorted(range(len(durations_s)), key=lambda i: (-durations_s[i], i)):
        duration = float(durations_s[index])
        if duration > settings.max_window_s:
            alone.append(index)
            continue
        for group_index, group in enumerate(groups):
            if (len(group) < settings.max_clips
                    and filled[group_index] + settings.gap_s + duration <= settings.max_window_s):
                group.append(index)
                filled[group_index] += settings.gap_s + duration
                break
        else:
            groups.append([index])
            filled.append(duration)
    groups.extend([index] for index in alone)
    plans: List[WindowPlan] = []
    for group in sorted(groups, key=min):
        members = sorted(group)
        starts: List[float] = []
        cursor = 0.0
        for member in members:
            starts.append(cursor)
            cursor += float(durations_s[member]) + settings.gap_s
        plans.append(WindowPlan(tuple(members), tuple(starts),
                                tuple(float(durations_s[m]) for m in members)))
    return plans


def assemble_window(pcm_clips: Sequence[np.ndarray], plan: WindowPlan) -> np.ndarray:
    """The window's int16 audio: the member clips at their planned starts, silence between.

    :param pcm_clips: every clip's 16 kHz int16 PCM, indexed as in ``plan.members``.
    """
    last = len(plan.members) - 1
    total = int(round(plan.starts_s[last] * SAMPLE_RATE)) + len(pcm_clips[plan.members[last]])
    window = np.zeros(total, dtype=np.int16)
    for member, start_s in zip(plan.members, plan.starts_s):
        pcm = pcm_clips[member]
        offset = int(round(start_s * SAMPLE_RATE))
        window[offset:offset + len(pcm)] = pcm
    return window


def _owner(midpoint: float, plan: WindowPlan) -> int:
    """Position (in ``plan.members``) of the clip whose territory holds ``midpoint``.

    Territories meet in the middle of each silence gap.
    """
    for position in range(len(plan.members) - 1):
        boundary = (plan.starts_s[position] + plan.durations_s[position] + plan.starts_s[position + 1]) / 2
        if midpoint < boundary:
            return position
    return len(plan.members) - 1


def split_window(words: Sequence[WindowWord], plan: WindowPlan,
                 settings: PackingSettings) -> List[ClipWords]:
    """Give each word of a packed window to exactly one member clip.

    A word belongs to the clip whose territory holds its midpoint; its times
    are shifted to the clip's own clock and clamped to the clip. A clip is
    marked ambiguous (to be transcribed alone) when

    * a word reaches more than ``straddle_tolerance_s`` into the audio of a
      clip that is not its owner (``straddle``);
    * its first word carries no leading space although the word before it,
      of another clip, ends a token: Whisper glued the two clips (``glued``);
    * a word lies wholly in a silence gap, ending more than ``early_tolerance_s``
      before its owner's audio or starting more than ``drift_tolerance_s`` after
      it: a hallucination or a badly placed word (``gap_word``);
    * it got no words while other clips shared its window (``lost``).

    :returns: one :class:`ClipWords` per member, in ``plan.members`` order.
    """
    count = len(plan.members)
    assigned: List[List[WindowWord]] = [[] for _ in range(count)]
    reasons: List[str] = ["" for _ in range(count)]

    def mark(position: int, reason: str) -> None:
        if not reasons[position]:
            reasons[position] = reason

    previous_owner: Optional[int] = None
    for word in words:
        body = word.text.strip()
        if not body:
            continue
        start, end = float(word.start_s), max(float(word.end_s), float(word.start_s))
        owner = _owner((start + end) / 2, plan)
        own_start = plan.starts_s[owner]
        own_end = own_start + plan.durations_s[owner]
        for position in range(count):
            if position == owner:
                continue
            other_start = plan.starts_s[position]
            other_end = other_start + plan.durations_s[position]
            if min(end, other_end) - max(start, other_start) > settings.straddle_tolerance_s:
                mark(owner, "straddle")
                mark(position, "straddle")
        if end < own_start - settings.early_tolerance_s or start > own_end + settings.drift_tolerance_s:
            mark(owner, "gap_word")
        if previous_owner is not None and previous_owner != owner and not word.text[:1].isspace():
            mark(owner, "glued")
            mark(previous_owner, "glued")
        clamped_start = min(max(start, own_start), own_end) - own_start
        clamped_end = min(max(end, own_start), own_end) - own_start
        assigned[owner].append(WindowWord(word.text, clamped_start, clamped_end,
                                          float(word.probability), int(word.segment)))
        previous_owner = owner

    # A clip without words is lost when a neighbour got words, and so is every
    # clip of a window that came back empty: Whisper can end a window early,
    # and an empty transcript would release the clip's audio unredacted. Alone
    # in its window, a clip's silence is taken as the ASR's verdict.
    if count > 1:
        for position in range(count):
            if not assigned[position]:
                mark(position, "lost")
    return [ClipWords(tuple(assigned[p]), ambiguous=bool(reasons[p]), reason=reasons[p])
            for p in range(count)]


def window_words(segments: Sequence[Any]) -> List[WindowWord]:
    """Flatten faster-whisper segments (with ``words``) into :class:`WindowWord` s."""
    flat: List[WindowWord] = []
    for seg_index, seg in enumerate(segments):
        for word in seg.words or ():
            flat.append(WindowWord(word.word, float(word.start), float(word.end),
                                   float(word.probability), seg_index))
    return flat


#: Voice-activity frame for :func:`uncovered_speech_s`, seconds.
VOICE_FRAME_S = 0.02
#: A frame is speech when its RMS is within this many dB of the clip's loudest
#: frame (and above an absolute floor of -50 dBFS).
VOICE_RANGE_DB = 35.0
#: Slack around each word's times (word times are approximate and lag).
WORD_REACH_S = 0.4
#: Most speech one word can account for, per spoken piece (each digit, each run of
#: letters; :func:`voicescrub.transforms.audio.alignment.spoken_pieces`). Whisper stretches a word it could
#: not place across the audio it skipped: a packed window can give a 7 s IBAN request back
#: as the one word "$9." spanning the whole clip, which then looks covered.
WORD_S_PER_PIECE = 0.6


def _frame_levels_db(pcm: np.ndarray) -> np.ndarray:
    """The RMS level of each whole ``VOICE_FRAME_S`` frame of ``pcm``, dBFS."""
    frame = int(VOICE_FRAME_S * SAMPLE_RATE)
    count = len(pcm) // frame
    frames = pcm[:count * frame].astype(np.float64).reshape(count, frame) / 32768.0
    return 10.0 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)


def _voiced(levels_db: np.ndarray, not_speech: Sequence[Tuple[float, float]]) -> np.ndarray:
    if len(levels_db) == 0:
        return np.zeros(0, dtype=bool)
    voiced = levels_db > max(float(levels_db.max()) - VOICE_RANGE_DB, -50.0)
    for start_s, end_s in not_speech:
        voiced[max(int(start_s / VOICE_FRAME_S), 0):max(int(np.ceil(end_s / VOICE_FRAME_S)), 0)] = False
    return voiced


def voiced_frames(pcm: np.ndarray, not_speech: Sequence[Tuple[float, float]] = ()) -> np.ndarray:
    """One flag per ``VOICE_FRAME_S`` frame of ``pcm``: speech, outside ``not_speech``."""
    return _voiced(_frame_levels_db(pcm), not_speech)


#: Shortest piece a long clip is cut into, as a share of the longest: a cut takes the longest
#: pause in the second half of the piece's reach, not the first pause it meets, so pieces fill
#: their windows and cut where a speaker stops rather than between two words.
MIN_PIECE_SHARE = 0.5


def long_clip_pieces(pcm: np.ndarray, max_piece_s: float,
                     not_speech: Sequence[Tuple[float, float]] = ()) -> List[Tuple[int, int]]:
    """Where to cut a clip longer than a window: the ``(start, end)`` samples of consecutive
    pieces that together hold every sample once, each at most ``max_piece_s`` long.

    Each cut goes to the middle of the longest pause (a run of frames that are not speech,
    :func:`voiced_frames`; a stretch of ``not_speech`` counts as one) between half and all of
    the piece's reach, the latest of equal ones, and leaves at least half a reach after it, so
    no piece is a fragment (Whisper writes words of its own into a fraction of a second).
    Speech with no pause there is cut at its quietest frame, most often the dip between two
    words. Whisper hears each piece in a window of its own time, so a word is never split
    between windows at a pause, and every piece is checked as strictly as a short clip is
    (see :func:`split_window`, :func:`uncovered_speech_s`): faster-whisper's own long-form
    decoding can skip many seconds of speech in a long clip without any sign of it.

    :param pcm: the clip's 16 kHz int16 samples.
    :param max_piece_s: the longest piece (the packing's window).
    :param not_speech: ``(start_s, end_s)`` stretches known to hold no speech (a redaction).
    """
    frame = int(VOICE_FRAME_S * SAMPLE_RATE)
    reach = max(int(max_piece_s / VOICE_FRAME_S), 2)
    least = max(int(reach * MIN_PIECE_SHARE), 1)
    levels = _frame_levels_db(pcm)
    voiced = _voiced(levels, not_speech)
    pieces: List[Tuple[int, int]] = []
    start = 0  # in frames
    while len(pcm) - start * frame > reach * frame:
        low, high = start + least, min(start + reach, len(levels) - least)
        cut = _longest_pause_middle(voiced[low:high])
        if cut is None:  # no pause: the quietest frame, the latest of equals
            quiet = levels[low:high]
            cut = len(quiet) - 1 - int(np.argmin(quiet[::-1]))
        pieces.append((start * frame, (low + cut) * frame))
        start = low + cut
    pieces.append((start * frame, len(pcm)))
    return pieces


def _longest_pause_middle(voiced: np.ndarray) -> Optional[int]:
    """The middle frame of the longest run of unvoiced frames (the latest of equals), or
    ``None`` when every frame is voiced."""
    best: Optional[Tuple[int, int]] = None  # (length, middle)
    run_start: Optional[int] = None
    for index, is_voiced in enumerate(list(voiced) + [True]):
        if not is_voiced and run_start is None:
            run_start = index
        elif is_voiced and run_start is not None:
            length = index - run_start
            if best is None or length >= best[0]:
                best = (length, run_start + length // 2)
            run_start = None
    return None if best is None else best[1]


#: A numeral with thousands separators ("1,250", "384,000"): a speech model writes digits
#: grouped so only for a number said as one ("one thousand two hundred and fifty"), never for
#: digits read out one by one.
_GROUPED_NUMERAL = re.compile(r"\d{1,3}(?:,\d{3})+")


def _group_syllables(group: str) -> int:
    """Syllables of a group of up to three digits said as a number ("250": "two hundred fifty",
    5): a digit word one, "hundred" two, a tens or teen word two (a low estimate: "seven" and
    "eleven" have more)."""
    hundreds, rest = divmod(int(group), 100)
    count = (1 + 2) if hundreds else 0
    if rest >= 20:
        count += 2 + (1 if rest % 10 else 0)
    elif rest:
        count += 2 if rest >= 10 else 1
    return count


def _numeral_syllables(numeral: str) -> int:
    """Syllables of a grouped numeral said as a number: each group, and a scale word of two
    syllables ("thousand", "million") after each group but the last."""
    groups = numeral.split(",")
    return sum(_group_syllables(g) + (2 if i < len(groups) - 1 and int(g) else 0)
               for i, g in enumerate(groups))


def syllables(text: str) -> int:
    """A rough syllable count of written English: vowel groups per word (a silent final "e"
    dropped), each digit one, a numeral with thousands separators as the number is said;
    at least one per word."""
    count = 0
    for word in text.split():
        grouped = _GROUPED_NUMERAL.fullmatch(word.strip(".,;:!?\"'()$£€"))
        if grouped:
            count += max(1, _numeral_syllables(grouped.group()))
            continue
        letters = re.sub(r"[^a-z]", "", word.lower())
        digits = sum(ch.isdigit() for ch in word)
        groups = len(re.findall(r"[aeiouy]+", letters))
        if groups > 1 and letters.endswith("e") and not letters.endswith("le"):
            groups -= 1
        count += max(1, groups + digits)
    return count


def speech_per_syllable_s(pcm: np.ndarray, words: Sequence[WindowWord],
                          not_speech: Sequence[Tuple[float, float]] = ()) -> float:
    """Seconds of the clip's speech per syllable of its words (0 with no speech).

    A packed window can drop the start of a clip and spread the words it kept over
    the whole clip, each at a believable length, so that no stretch of speech is
    left without a word (:func:`uncovered_speech_s` sees nothing): "Hi, this is Priya
    Winslow, I want to check my balance." can come back as "I want to check my
    balance.", 3.2 s of speech for 7 syllables. Speech at ordinary rates runs at
    about a quarter of a second a syllable; a transcript well above 0.4 s a
    syllable has almost always lost words.

    :param pcm: the clip's 16 kHz int16 samples.
    :param words: the clip's words.
    :param not_speech: stretches known to hold no speech (a redaction's tone).
    """
    speech_s = float(voiced_frames(pcm, not_speech).sum()) * VOICE_FRAME_S
    if speech_s == 0.0:
        return 0.0
    return speech_s / max(1, sum(syllables(word.text) for word in words))


def uncovered_speech_s(pcm: np.ndarray, words: Sequence[WindowWord],
                       not_speech: Sequence[Tuple[float, float]] = ()) -> float:
    """Most speech in one stretch of ``pcm`` that no word reaches (within ``WORD_REACH_S``).

    A packed window can come back with a clip only partly transcribed (Whisper
    skips a stretch, or ends the window early after a few words). Missing words
    may be the PII, and an incomplete transcript would leave it unredacted, so
    the caller treats a long uncovered stretch as an ambiguous split.

    A stretch runs from one word's reach to the next; the speech in it is
    summed, so the short pauses between spoken words do not cut it into
    harmless-looking pieces (3 s of untranscribed words with a dip every
    0.6 s is 3 s missing, not 0.6 s). A word reaches ``WORD_REACH_S`` either
    side of its times, but a word lasting longer than ``WORD_S_PER_PIECE`` per
    spoken piece (stretched over speech the ASR dropped) reaches only that far
    from its start.

    :param pcm: the clip's 16 kHz int16 samples.
    :param words: the clip's words, times relative to the clip.
    :param not_speech: ``(start_s, end_s)`` stretches known to hold no speech
        (a redaction's tone is loud but has nothing to transcribe).
    :return: seconds of speech (0 when every speech frame is near a word).
    """
    voiced = voiced_frames(pcm, not_speech)
    count = len(voiced)
    if count == 0:
        return 0.0
    covered = np.zeros(count, dtype=bool)
    for word in words:
        # A word stretched over more time than it can take to say covers only its start, and
        # reaches no further: its end is not to be trusted. A packed window can give "Hi, this
        # is Kevin Quinn. I want to check my balance." back as "I want to check my balance."
        # with "to" stretched over the dropped words; trusting the stretched word's end would
        # leave too little of them uncovered to notice.
        said_by_s = word.start_s + WORD_S_PER_PIECE * max(1, spoken_pieces(word.text))
        reach_end_s = word.end_s + WORD_REACH_S if word.end_s <= said_by_s else said_by_s
        first = max(int((word.start_s - WORD_REACH_S) / VOICE_FRAME_S), 0)
        last = min(int(np.ceil(reach_end_s / VOICE_FRAME_S)), count)
        covered[first:last] = True
    longest = run = 0
    for is_covered, is_voiced in zip(covered, voiced):
        run = 0 if is_covered else run + int(is_voiced)
        longest = max(longest, run)
    return longest * VOICE_FRAME_S
