"""Did the ASR understand the clip? The evidence a transcript gives, and the gate on it.

Plain Python, no Beam; ``transforms/stages/check_speech.py`` wraps it.

A model hears speech it cannot understand (another language, a mislabelled
locale, mumbling) as the words of its own language it finds nearest, with low
confidence; detection then finds nothing in those words and the clip would be
released with whatever it said audible. This module reads what the decoder
itself reports about each clip and says when the transcript is not to be
trusted, so the clip goes to the dead letter instead (fail closed).

The signals, each measured on English and foreign-language corpora by
``benchmarks/language_gate.py``:

- the probability of the words it wrote: on speech it cannot follow, the model is
  unsure of most of them (digits and spelled codes aside, which it is unsure how
  to write even when it heard them well);
- seconds of speech per transcribed syllable: it writes a short phrase of its own
  for a long stretch it could not follow;
- its stock phrases for such speech, the outros of the videos it learned from;
- whether a second listen of the same clean audio gives the same words (the audit's
  second listen, :func:`listens_disagree`);
- with a multilingual model, the language it detects (``detected_language``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Optional

import numpy as np
from voicescrub.schemas.records import Transcript
from voicescrub.schemas.settings import setting
from voicescrub.transforms.asr.packing import VOICE_FRAME_S, syllables, voiced_frames
from voicescrub.transforms.runtime.errors import ScrubError


class Unintelligible(ScrubError):
    """The ASR did not understand the clip's speech well enough to scrub it."""

    stage = "understanding"


class ForeignSpeech(ScrubError):
    """The clip's speech is not in its locale's language."""

    #: Dead-lettered under the language stage, beside ``UnsupportedLocale``.
    stage = "language"


#: What Whisper writes for speech it cannot follow: the closing lines of the videos it
#: learned from ("thanks for watching", "please subscribe", "see you in the next
#: video"). Matched as whole phrases: "play the next video" is a request.
WHISPER_HALLUCINATIONS = re.compile(
    r"\b(?:thanks?(?: you)?(?: (?:so|very) much)? for watching"
    r"|(?:please|don't forget to) subscribe"
    r"|see you (?:in the next (?:video|one)|next time))\b")

#: A lexical word: two or more letters, no digit, not a spelled code ("B-R-K").
_LEXICAL = re.compile(r"^[^\W\d_]{2,}(?:['’-][^\W\d_]+)*$")


@dataclass(frozen=True)
class SpeechEvidence:
    """What a transcript says about how well its clip was understood.

    :param words: words in the transcript.
    :param speech_s: seconds of speech in the clip (voiced frames).
    :param mean_probability: the words' mean probability (1.0 with no words).
    :param lexical_words: words made of letters alone, two or more (not digits, not a
        spelled letter): what the model heard as the language's own words.
    :param lexical_probability: their mean probability (1.0 with none). Digits and
        spelled codes are left out: an English model is often unsure how to write a
        number it heard well ("4-5" or "45"), while on speech of another language it
        writes words it is unsure of, and few digits.
    :param has_digits: whether any word holds a digit.
    :param s_per_syllable: seconds of speech per transcribed syllable (0 with no speech), in
        the worst ``STRETCH_S`` of a longer clip.
    :param hallucination: whether the text holds a ``WHISPER_HALLUCINATIONS`` phrase.
    """

    words: int
    speech_s: float
    mean_probability: float
    lexical_words: int
    lexical_probability: float
    has_digits: bool
    s_per_syllable: float
    hallucination: bool


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"()[]")


def speech_evidence(transcript: Transcript, pcm: np.ndarray) -> SpeechEvidence:
    """The evidence of ``transcript``, heard from ``pcm`` (16 kHz mono int16)."""
    voiced = voiced_frames(pcm)
    speech_s = float(voiced.sum()) * VOICE_FRAME_S
    words = transcript.words
    probabilities = [w.probability for w in words]
    lexical = [w.probability for w in words if _LEXICAL.match(_bare(w.text))]
    text = " ".join(re.sub(r"[^\w' ]", " ", transcript.text.lower()).split())
    return SpeechEvidence(
        words=len(words),
        speech_s=speech_s,
        mean_probability=float(np.mean(probabilities)) if probabilities else 1.0,
        lexical_words=len(lexical),
        lexical_probability=float(np.mean(lexical)) if lexical else 1.0,
        has_digits=any(ch.isdigit() for ch in transcript.text),
        s_per_syllable=_worst_s_per_syllable(voiced, transcript),
        hallucination=bool(WHISPER_HALLUCINATIONS.search(text)),
    )


#: The stretch of a clip :func:`_worst_s_per_syllable` judges at a time: a Whisper window,
#: the length the gate's thresholds were measured on; and how far apart two stretches start.
STRETCH_S = 30.0
STRETCH_HOP_S = 5.0


def _worst_s_per_syllable(voiced: np.ndarray, transcript: Transcript) -> float:
    """Seconds of speech per transcribed syllable (as
    :func:`voicescrub.transforms.asr.packing.speech_per_syllable_s`) in the worst ``STRETCH_S``
    of the clip, the stretches starting every ``STRETCH_HOP_S`` (the last one ending with the
    clip), each word counted where its middle is; 0 with no speech. A clip under one and a half
    ``STRETCH_S`` is one stretch, the whole clip. A long clip is heard in pieces, and speech a
    piece left without words is then judged as in a short clip, wherever it lies, not
    averaged away over minutes of speech heard well."""
    count = len(voiced)
    if count == 0 or not voiced.any():
        return 0.0
    length = int(round(STRETCH_S / VOICE_FRAME_S))
    if count * VOICE_FRAME_S < 1.5 * STRETCH_S:
        length = count
    hop = max(int(round(STRETCH_HOP_S / VOICE_FRAME_S)), 1)
    # Running sums over frames: speech, and the syllables of the words whose middle is there.
    spoken = np.concatenate(([0], np.cumsum(voiced)))
    said = np.zeros(count + 1)
    for word in transcript.words:
        middle = (word.start_s + max(word.end_s, word.start_s)) / 2
        said[min(max(int(middle / VOICE_FRAME_S), 0), count - 1) + 1] += syllables(word.text)
    said = np.cumsum(said)
    starts = sorted(set(range(0, count - length + 1, hop)) | {count - length})
    worst = 0.0
    for start in starts:
        speech_s = float(spoken[start + length] - spoken[start]) * VOICE_FRAME_S
        if speech_s:
            worst = max(worst, speech_s / max(1.0, float(said[start + length] - said[start])))
    return worst


@dataclass(frozen=True)
class UnderstandingGate:
    """When a transcript is too unsure to scrub its clip by.

    Thresholds are measured, not guessed: ``python benchmarks/language_gate.py signals``
    prints each signal's spread on English and foreign-language clips and what these
    settings refuse of each. They are tiny.en's: another model is surer or less sure
    of itself, so measure it before deploying it.

    :param min_lexical_words: fewer lexical words than this are too few to average.
    :param max_s_per_syllable: more seconds of speech per transcribed syllable than
        this means most of the speech has no words (the model wrote a short phrase of
        its own for a long stretch it could not follow).
    :param min_speech_s: a clip with no words but at least this much speech is refused.
    """

    min_lexical_probability: float = setting(
        0.55, "a transcript without digits whose words (enough to average) have a lower mean "
        "ASR probability is refused as not understood (fitted to tiny.en: "
        "benchmarks/language_gate.py)", minimum=0.0, maximum=1.0, flag="--min-word-probability")
    min_lexical_probability_with_digits: float = setting(
        0.30, "the same for a transcript holding digits", minimum=0.0, maximum=1.0,
        flag="--min-word-probability-with-digits")
    min_lexical_words: int = 3
    max_s_per_syllable: float = 0.45
    min_speech_s: float = 0.5

    def refuses(self, evidence: SpeechEvidence) -> Optional[str]:
        """The reason the clip is refused (fixed text), or ``None`` when it may go on."""
        if evidence.words == 0:
            return "no words for its speech" if evidence.speech_s >= self.min_speech_s else None
        if evidence.hallucination:
            return "the transcript is a phrase the ASR writes for speech it cannot follow"
        if evidence.s_per_syllable > self.max_s_per_syllable:
            return "far fewer words than its speech"
        floor = (self.min_lexical_probability_with_digits if evidence.has_digits
                 else self.min_lexical_probability)
        if evidence.lexical_words >= self.min_lexical_words and evidence.lexical_probability < floor:
            return "the ASR was unsure of its words"
        return None


#: The gate the pipeline runs by default (``CheckSpeech``).
DEFAULT_GATE = UnderstandingGate()


#: Least share of words two listens of the same clean speech have in common
#: (``listens_disagree``); measured on English and foreign-language corpora with
#: ``benchmarks/language_gate.py``.
MIN_LISTEN_AGREEMENT = 0.2

_WORD = re.compile(r"[^\W\d_]{2,}(?:'[^\W\d_]+)?")


def _words_of(text: str) -> Counter:
    return Counter(word.lower() for word in _WORD.findall(text))


def listen_agreement(first: str, second: str) -> float:
    """Share of words two transcripts have in common: the words both hold (with their
    counts), over the longer one's words; 1.0 when neither holds a word. Only lexical words
    count (two letters or more, no digit), lower-cased."""
    words_first, words_second = _words_of(first), _words_of(second)
    longer = max(sum(words_first.values()), sum(words_second.values()))
    return sum((words_first & words_second).values()) / longer if longer else 1.0


def listens_disagree(first: str, second: str, min_agreement: float = MIN_LISTEN_AGREEMENT) -> bool:
    """Whether two transcripts of the same clean audio share too few words to be the same
    speech understood twice.

    Speech the model understands comes back in much the same words whatever it is
    packed with; speech it cannot follow comes back as a different guess each time
    ("I'm not sure if I'm going to do it", then "We will see you next time"). Only
    transcripts without digits are compared (a number is written "4-5" one time and
    "45" the next), and only when the first holds three words or more.
    """
    if any(ch.isdigit() for ch in first + second):
        return False
    if sum(_words_of(first).values()) < 3:
        return False
    return listen_agreement(first, second) < min_agreement
