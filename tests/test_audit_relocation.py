"""Relocation: PII a second listen heard is redacted from the words the first transcript
placed at the same time. Plain Python; only types, offsets and counts are asserted."""

from __future__ import annotations

from voicescrub.schemas.records import AudioInterval
from voicescrub.transforms.audit.relocation import SECOND_LISTEN, Heard, relocate

TEXT = "My car gets higher for I said a fine. Thank you."


def _word_times(text: str, seconds_per_word: float = 0.4):
    """Each word of ``text`` one after another, ``seconds_per_word`` long."""
    times, offset = [], 0
    for index, word in enumerate(text.split()):
        start = text.index(word, offset)
        offset = start + len(word)
        times.append((start, offset, index * seconds_per_word, (index + 1) * seconds_per_word))
    return times


def test_the_words_spoken_where_the_second_listen_heard_pii_are_redacted() -> None:
    # "for I said a fine." is words 5-9: 1.6 s to 3.6 s.
    heard = [Heard(AudioInterval(1.7, 3.5), "CREDIT_CARD", 0.9, "SpokenCreditCardRecognizer")]
    placed = relocate(TEXT, _word_times(TEXT), heard, 0.0, 0.0, frozenset({"CREDIT_CARD"}))
    assert placed is not None
    text, entities = placed
    assert text.startswith("My car gets higher [CREDIT_CARD]") and text.endswith("Thank you.")
    entity, = entities
    assert (entity.entity_type, text[entity.char_start:entity.char_end]) == ("CREDIT_CARD", "[CREDIT_CARD]")
    # The audio under the replaced words ("for I said a fine.", 1.6-3.6 s) is silenced too.
    assert (entity.audio_start_s, entity.audio_end_s) == (1.6, 3.6)
    assert entity.recognizer == f"{SECOND_LISTEN}:SpokenCreditCardRecognizer"


def test_the_slack_takes_in_words_the_first_listen_placed_a_little_apart() -> None:
    heard = [Heard(AudioInterval(2.05, 2.35), "PIN", 0.8, "r")]
    tight, _ = relocate(TEXT, _word_times(TEXT), heard, 0.0, 0.0)
    wide, _ = relocate(TEXT, _word_times(TEXT), heard, 0.35, 0.30)
    assert tight.count("[PIN]") == 1 and wide.count("[PIN]") == 1
    assert len(wide) < len(tight)  # more words went into the placeholder


def test_a_word_the_asr_gave_no_length_is_taken_at_its_start() -> None:
    times = _word_times(TEXT)
    times[5] = (times[5][0], times[5][1], 2.0, 2.0)  # "I", placed at an instant
    heard = [Heard(AudioInterval(1.9, 2.1), "PIN", 0.8, "r")]
    text, entities = relocate(TEXT, times, heard, 0.0, 0.0)
    assert text.count("[PIN]") == 1 and "I said" not in text


def test_two_stretches_give_two_entities() -> None:
    heard = [Heard(AudioInterval(0.0, 0.7), "PERSON", 0.7, "a"),
             Heard(AudioInterval(3.7, 4.3), "PIN", 0.8, "b")]
    text, entities = relocate(TEXT, _word_times(TEXT), heard, 0.0, 0.0)
    assert [e.entity_type for e in entities] == ["PERSON", "PIN"]
    assert [text[e.char_start:e.char_end] for e in entities] == ["[PERSON]", "[PIN]"]


def test_stretches_merged_into_one_placeholder_take_its_type() -> None:
    heard = [Heard(AudioInterval(1.7, 2.6), "CARD_EXPIRY", 0.6, "a"),  # "said" is in both
             Heard(AudioInterval(2.5, 3.5), "CREDIT_CARD", 0.9, "b")]
    text, entities = relocate(TEXT, _word_times(TEXT), heard, 0.0, 0.0, frozenset({"CREDIT_CARD"}))
    assert text.count("[CREDIT_CARD]") == 1 and "[CARD_EXPIRY]" not in text
    assert [e.entity_type for e in entities] == ["CREDIT_CARD", "CREDIT_CARD"]
    assert all(text[e.char_start:e.char_end] == "[CREDIT_CARD]" for e in entities)


def test_a_stretch_that_cannot_be_placed_in_the_text_gives_none() -> None:
    heard = [Heard(AudioInterval(1.7, 3.5), "CREDIT_CARD", 0.9, "r")]
    assert relocate(TEXT, [], heard, 0.3, 0.3) is None  # no word times
    unusable = _word_times(TEXT)
    unusable[6] = (unusable[6][0], unusable[6][1], float("nan"), float("nan"))
    assert relocate(TEXT, unusable, heard, 0.3, 0.3) is None  # a time that is not a number
    after_the_speech = [Heard(AudioInterval(9.0, 9.5), "PIN", 0.8, "r")]
    assert relocate(TEXT, _word_times(TEXT), after_the_speech, 0.3, 0.3) is None
    assert relocate(TEXT, _word_times(TEXT), [], 0.3, 0.3) is None
