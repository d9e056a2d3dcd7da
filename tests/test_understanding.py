"""The understanding gate's evidence and rules (transforms/language/understanding.py), and the
decoding-loop shapes the ASR stage refuses (transforms/asr/whisper.py)."""

from __future__ import annotations

import dataclasses
from typing import Sequence, Tuple

import numpy as np
import pytest
from voicescrub.schemas.records import TimedWord, Transcript
from voicescrub.transforms.asr.whisper import garbled, repeats_a_phrase
from voicescrub.transforms.language.understanding import (
    DEFAULT_GATE,
    SpeechEvidence,
    UnderstandingGate,
    speech_evidence,
)

SR = 16000


def transcript_of(words: Sequence[Tuple[str, float, float, float]]) -> Transcript:
    """A transcript from (text, start_s, end_s, probability) words."""
    timed, cursor, parts = [], 0, []
    for text, start, end, probability in words:
        if parts:
            parts.append(" ")
            cursor += 1
        timed.append(TimedWord(text, cursor, cursor + len(text), start, end, probability))
        parts.append(text)
        cursor += len(text)
    return Transcript(text="".join(parts), words=tuple(timed))


def plain(text: str, probability: float = 0.9) -> Transcript:
    words = text.split()
    return transcript_of([(w, 0.3 * i, 0.3 * i + 0.25, probability) for i, w in enumerate(words)])


def speech(seconds: float, start_s: float = 0.0, total_s: float = 0.0) -> np.ndarray:
    """A tone standing in for speech from ``start_s`` for ``seconds`` in ``total_s`` of audio."""
    total = int(max(total_s, start_s + seconds) * SR)
    pcm = np.zeros(total, dtype=np.int16)
    t = np.arange(int(seconds * SR)) / SR
    pcm[int(start_s * SR):int(start_s * SR) + len(t)] = (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    return pcm


EVIDENCE = SpeechEvidence(words=8, speech_s=2.0, mean_probability=0.8, lexical_words=6,
                          lexical_probability=0.8, has_digits=False, s_per_syllable=0.25,
                          hallucination=False)


# --- the gate's rules, each with its near misses ------------------------------------------


def test_confident_speech_passes() -> None:
    assert DEFAULT_GATE.refuses(EVIDENCE) is None


@pytest.mark.parametrize("changes, refused", [
    ({"lexical_probability": 0.40}, True),                      # unsure of its words
    ({"lexical_probability": 0.56}, False),                     # near miss: just sure enough
    ({"lexical_probability": 0.40, "has_digits": True}, False),  # wrote the numbers it heard
    ({"lexical_probability": 0.20, "has_digits": True}, True),   # ...but not that unsure
    ({"lexical_probability": 0.20, "lexical_words": 2}, False),  # too few words to average
    ({"s_per_syllable": 0.9}, True),                            # a short phrase for long speech
    ({"s_per_syllable": 0.40}, False),                          # slow speech, still words for it
    ({"hallucination": True}, True),                            # "thanks for watching"
    ({"words": 0, "speech_s": 2.0}, True),                      # speech and no words at all
    ({"words": 0, "speech_s": 0.2}, False),                     # a click, nothing said
])
def test_each_rule_and_its_near_miss(changes, refused: bool) -> None:
    reason = DEFAULT_GATE.refuses(dataclasses.replace(EVIDENCE, **changes))
    assert (reason is not None) is refused
    assert reason is None or isinstance(reason, str)


def test_thresholds_are_settings() -> None:
    lenient = UnderstandingGate(min_lexical_probability=0.3)
    assert lenient.refuses(dataclasses.replace(EVIDENCE, lexical_probability=0.4)) is None


# --- the evidence read from a transcript ----------------------------------------------------


def test_lexical_words_leave_out_digits_and_spelled_codes() -> None:
    transcript = transcript_of([("Send", 0.0, 0.2, 0.9), ("it", 0.2, 0.3, 0.9),
                                ("to", 0.3, 0.4, 0.9), ("4-5-1,", 0.4, 1.0, 0.1),
                                ("B-R-K", 1.0, 1.5, 0.1), ("a", 1.5, 1.6, 0.1)])
    evidence = speech_evidence(transcript, speech(1.6))
    assert evidence.lexical_words == 3 and evidence.lexical_probability == pytest.approx(0.9)
    assert evidence.has_digits and evidence.words == 6
    assert evidence.mean_probability == pytest.approx((0.9 * 3 + 0.1 * 3) / 6)


def test_seconds_per_syllable_count_the_speech_the_words_leave_unsaid() -> None:
    short = plain("thank you very much")
    assert speech_evidence(short, speech(1.2)).s_per_syllable == pytest.approx(0.24, abs=0.03)
    assert speech_evidence(short, speech(4.8)).s_per_syllable == pytest.approx(0.96, abs=0.05)


def words_every(start_s: float, end_s: float, step_s: float = 0.25):
    """One-syllable words, one every ``step_s`` from ``start_s`` to ``end_s``."""
    count = int(round((end_s - start_s) / step_s))
    return [("go", start_s + i * step_s, start_s + i * step_s + 0.2, 0.9) for i in range(count)]


def test_a_long_clip_is_judged_by_its_worst_stretch_not_its_average() -> None:
    pcm = speech(90.0)
    # Speech throughout, words for its first 60 s only: 90 s of speech for 240 syllables is
    # 0.375 s a syllable on average, under the gate's 0.45, but its last 30 s have no word.
    partly = speech_evidence(transcript_of(words_every(0.0, 60.0)), pcm)
    assert partly.s_per_syllable >= 29.0
    assert DEFAULT_GATE.refuses(partly) == "far fewer words than its speech"
    heard = speech_evidence(transcript_of(words_every(0.0, 90.0)), pcm)
    assert heard.s_per_syllable == pytest.approx(0.25, abs=0.01)
    assert DEFAULT_GATE.refuses(heard) is None


def test_a_gap_across_the_edge_of_two_stretches_is_judged_whole() -> None:
    # 24 s without words from 18 s to 42 s: 12 s fall in each half of 0-30 s and 30-60 s, and
    # no fixed stretch would see it; a stretch starting at 15 s does.
    pcm = speech(90.0)
    words = words_every(0.0, 18.0) + words_every(42.0, 90.0)
    evidence = speech_evidence(transcript_of(words), pcm)
    assert DEFAULT_GATE.refuses(evidence) == "far fewer words than its speech"
    # A near miss: 3 s without words anywhere is a pause in a long clip, not a gap.
    near = speech_evidence(transcript_of(words_every(0.0, 40.0) + words_every(43.0, 90.0)), pcm)
    assert DEFAULT_GATE.refuses(near) is None


def test_a_clip_under_one_and_a_half_stretches_is_one_stretch() -> None:
    pcm = speech(44.0)
    evidence = speech_evidence(transcript_of(words_every(0.0, 22.0)), pcm)
    assert evidence.s_per_syllable == pytest.approx(evidence.speech_s / 88, abs=1e-6)


def test_no_speech_and_no_words_is_nothing_to_refuse() -> None:
    evidence = speech_evidence(Transcript(text="", words=()), np.zeros(SR, dtype=np.int16))
    assert evidence.speech_s == 0.0 and DEFAULT_GATE.refuses(evidence) is None


@pytest.mark.parametrize("text, hallucination", [
    ("Thank you very much for watching.", True),
    ("Thanks for watching!", True),
    ("Please subscribe to my channel", True),
    ("I can't wait to see you in the next video.", True),
    ("Thank you very much.", False),                 # a request can end so
    ("Play the next video", False),                  # requests about videos
    ("Send this video to mom", False),
    ("Unsubscribe me from this list", False),
    ("Record this show for watching later", False),
])
def test_whisper_hallucination_phrases(text: str, hallucination: bool) -> None:
    assert speech_evidence(plain(text), speech(2.0)).hallucination is hallucination


# --- decoding loops ------------------------------------------------------------------------


@pytest.mark.parametrize("text, loops", [
    ("I'm not going to do this, I'm not going to do this,", True),
    ("Cut, cut, cut, cut, cut, cut!", True),
    ("Look, look, look, look.", False),             # four: a speaker may say it so
    ("No, no, no, cancel that", False),
    ("My PIN is four four four four four", False),  # digits repeat in values
    ("Card 4111 1111 1111 1111", False),
    ("fine, fine, fine, oh one nine five", False),  # "five five five" misheard
    ("set it to the the the kitchen", False),
    ("play the song, then play the song again", False),  # with words between: said so
    ("what is the weather in London and what is the weather in Paris", False),
    ("I'm not sure if I'm going to do it. I'm not sure if I'm going to do it.", True),
    ("Thank you very much. Thank you very much.", True),
    ("call my mom, call my mom", False),
])
def test_a_repeated_phrase_is_a_loop(text: str, loops: bool) -> None:
    assert repeats_a_phrase(plain(text)) is loops


@pytest.mark.parametrize("text, looks_garbled", [
    ("Email my statement to m.minminminminminmin", True),   # a loop inside one word
    ("it went aaaaaaaa", True),
    ("order AAAA batteries", False),                         # four times is a word
    ("hahahaha that's funny", False),
    ("Email my statement to m.mendez@example.org", False),
    ("banana mississippi", False),
    ("card 4111 1111 1111 1111", False),
])
def test_a_loop_inside_a_word_is_garbled(text: str, looks_garbled: bool) -> None:
    assert garbled(plain(text)) is looks_garbled


def test_a_scrubbed_clip_may_repeat_a_phrase() -> None:
    looping = plain("beep beep beep beep beep beep")
    assert garbled(looping) and not garbled(looping, phrases=False)


def test_compression_is_judged_per_segment() -> None:
    """A long transcript compresses better the longer it is; a loop is one segment
    repeating itself."""
    sentences = [f"please set a timer for {n} minutes and remind me to call the bank" for n in range(40)]
    words = []
    for segment, sentence in enumerate(sentences):
        words += [(w, segment) for w in sentence.split()]
    text, timed, cursor = [], [], 0
    for w, segment in words:
        if text:
            text.append(" ")
            cursor += 1
        timed.append(TimedWord(w, cursor, cursor + len(w), 0.0, 0.1, 0.9, segment))
        text.append(w)
        cursor += len(w)
    long_transcript = Transcript(text="".join(text), words=tuple(timed))
    assert not garbled(long_transcript)
    loop = plain("10." * 60)
    assert garbled(loop)


@pytest.mark.parametrize("first, second, disagree", [
    ("I'm not sure if I'm going to do it.", "We will see you next time.", True),
    ("You may not need to hurt me, dude.", "I'm gonna turn the top mid", True),
    ("Snooze for nine minutes.", "Zeus for nine minutes.", False),           # one word misheard
    ("Dim the living room lights to seventy percent", "Didn't the living room light to seventy percent?", False),
    ("Set a timer for 10 minutes", "Sad a time for ten minutes", False),      # digits: not compared
    ("Yes please", "Thank you", False),                                      # too few words
    ("Call my mother on Sunday", "", True),                                  # heard nothing again
])
def test_two_listens_of_the_same_speech(first: str, second: str, disagree: bool) -> None:
    from voicescrub.transforms.language.understanding import listens_disagree

    assert listens_disagree(first, second) is disagree


@pytest.mark.parametrize("first,second,agreement", [
    ("Call my mother on Sunday", "call my mother on sunday", 1.0),     # case is not a word
    ("Call my mother on Sunday", "Call my brother on Monday", 0.6),    # 3 of 5 words
    ("Play the the song", "Play the song", 0.75),                      # counts: "the" once of twice
    ("Set a timer for 10 minutes", "Set timer for ten minutes", 0.8),   # digits and one-letter words left out
    ("Call my mother", "We will see you", 0.0),
    ("", "", 1.0),                                                     # no words either side
    ("Call my mother", "", 0.0),
])
def test_listen_agreement_shares_words_over_the_longer_listen(first: str, second: str, agreement: float) -> None:
    from voicescrub.transforms.language.understanding import listen_agreement

    assert listen_agreement(first, second) == pytest.approx(agreement)
