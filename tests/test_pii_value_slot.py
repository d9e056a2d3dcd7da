"""The value-slot fail-safe: the words after a value's cue are redacted when no value was found
there (transforms/pii/value_slot.py).

All vectors are synthetic, in the shapes tiny.en writes a garbled dictated value. Assertions
compare types and offsets only, so a failure never prints a value.
"""

from __future__ import annotations

import dataclasses
from typing import List, Tuple

import pytest
from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.config import (
    PiiConfigError,
    ValueSlotPolicy,
    load_pii_config,
)
from voicescrub.transforms.pii.config import load_pii_config as load
from voicescrub.transforms.pii.detector import PiiDetector
from voicescrub.transforms.pii.value_slot import RECOGNIZER, ValueSlots


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(load_pii_config())


@pytest.fixture(scope="module")
def slots() -> ValueSlots:
    return ValueSlots(load_pii_config().value_slots)


def _where(text: str, piece: str) -> Tuple[int, int]:
    start = text.index(piece)
    return start, start + len(piece)


def _typed_offsets(spans: List[PiiSpan]) -> List[Tuple[str, int, int]]:
    return [(s.entity_type, s.char_start, s.char_end) for s in spans]


# (transcript, the slot's type, the words redacted)
SLOTS = [
    ("My username in El Novec 64.", "USERNAME", "El Novec 64"),
    ("The password in sunset, carbon 59.", "PASSWORD", "sunset, carbon 59"),
    ("The security code on the Mac is O9-3.", "CARD_CVV", "the Mac is O9-3"),
    ("Security code of six eight.", "CARD_CVV", "six eight"),
    ("Change my current PIN to free free 8-5.", "PIN", "free free 8-5"),
    ("Freeze my card ending in ninety seven, please.", "CARD_LAST4", "ninety seven"),
    ("Lock the debit card ending into 3 I need.", "CARD_LAST4", "3 I need"),
    ("My mate on birth is March 5, 93.", "DATE_OF_BIRTH", "March 5, 93"),
    ("My mailing address is a behind-the-free orchard now, and who?", "STREET_ADDRESS",
     "a behind-the-free orchard now"),
    ("I live at 56th, 4th or 9th.", "STREET_ADDRESS", "56th, 4th or 9th"),
    ("The pin number is 8 or 9, 7.", "PIN", "8 or 9, 7"),
    # a handle dictated straight after the cue, "dot" written "not"
    ("Log me in, username victim not heartly, thanks.", "USERNAME", "victim not heartly"),
    # the value glued onto the cue's own word by a dot: the whole word goes
    ("Log me in, username.om.mada, password", "USERNAME", "username.om.mada"),
    # at most max_words (8) words
    ("I live at 7200 and 7900 and I seek a more present.", "STREET_ADDRESS", "7200 and 7900 and I seek a more"),
    # a phone number read out in pieces the model wrote as ordinals, after "call me back on"
    ("Call me back on O double, 7th of below, 9th of below.", "PHONE_NUMBER", "O double, 7th of below, 9th of below"),
]


@pytest.mark.parametrize("text", [
    # "call me back on" a day or a time: fewer than min_number_words (3) number-like words
    "Call me back on the 5th please.",
    "Ring me on Tuesday at 3.",
    "Call me back on the 15th at 10.",
])
def test_a_cue_that_takes_a_day_or_a_time_needs_a_number_in_pieces(detector: PiiDetector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize("text, entity_type, piece", SLOTS)
def test_unfilled_slot_is_redacted(detector: PiiDetector, text: str, entity_type: str, piece: str) -> None:
    found = detector.detect(text)
    assert _typed_offsets(found) == [(entity_type, *_where(text, piece))]
    assert found[0].recognizer == RECOGNIZER


# Questions about a value, requests naming one without giving it, counts and talk about other
# things open no slot: see HARMLESS in test_pii_detector.py.


def test_a_found_value_fills_the_slot(detector: PiiDetector) -> None:
    text = "My PIN is 4 4 2 1 and the security code is 3 6 1."
    found = detector.detect(text)
    assert [s.entity_type for s in found] == ["PIN", "CARD_CVV"]
    assert all(s.recognizer != RECOGNIZER for s in found)


@pytest.mark.parametrize("text, entity_type, piece", [
    # the first word of a password found, the rest written as words no recognizer reads
    ("My password is harder to fix hash copper.", "PASSWORD", "harder to fix hash copper"),
    # an e-mail's host found, its local part written as words ("email" heard as "mail")
    ("My mail is ironed on to that northwindmail.com", "EMAIL_ADDRESS", "ironed on to that northwindmail.com"),
    # ... up to a closing word
    ("My password is harder to fix hash copper and that's it.", "PASSWORD", "harder to fix hash copper"),
    # no link word, but a symbol said between two pieces ("garden eight five hash orange")
    ("Log me in, password guard on 85 hash orange.", "PASSWORD", "guard on 85 hash orange"),
])
def test_a_word_value_found_in_part_takes_its_slot(detector: PiiDetector, text: str, entity_type: str,
                                                    piece: str) -> None:
    assert _typed_offsets(detector.detect(text)) == [(entity_type, *_where(text, piece))]


@pytest.mark.parametrize("text, entity_type, piece", [
    # the first digits written as digits and caught, the rest written as words
    ("My phone number is 4821 tree fate six", "PHONE_NUMBER", "4821 tree fate six"),
    ("My phone number is 4821 feet free eight six", "PHONE_NUMBER", "4821 feet free eight six"),
    ("My date of birth is 1203, degrees free nine", "DATE_OF_BIRTH", "1203, degrees free nine"),
    # a word value with the fail-safe's digits inside it
    ("My email is sunset carbon 4821, am I spelling it right?", "EMAIL_ADDRESS",
     "sunset carbon 4821, am I spelling it right"),
])
def test_a_number_found_in_part_leaves_its_slot_open(detector: PiiDetector, text: str, entity_type: str,
                                                     piece: str) -> None:
    slot = [s for s in detector.detect(text) if s.recognizer == RECOGNIZER]
    assert _typed_offsets(slot) == [(entity_type, *_where(text, piece))]


@pytest.mark.parametrize("text", [
    # Near misses: the value found as its cue's type, whatever words follow it in the clause;
    # other spans holding every word of the slot but function words
    "My phone number is 07700 900123, thanks.",
    "My phone number is 555 0142 but the old one still works.",
    "The card ending in 4821 was charged twice for one order.",
    "My sort code is 20 45 67 so call me in one hour.",
    "My phone number is 4821 and my PIN is 1234.",
    "My PIN is 4 4 2 1 and the security code is 3 6 1.",
    "My sort code is £29, £37, £41.",
])
def test_a_number_found_whole_fills_its_slot(detector: PiiDetector, text: str) -> None:
    found = detector.detect(text)
    assert found and all(s.recognizer != RECOGNIZER for s in found)


def test_widening_passes_the_failsafes_digits(detector: PiiDetector) -> None:
    """A house number the fail-safe caught inside an address is part of the address."""
    text = "My address is Willow Court 4405, second floor."
    street = [s for s in detector.detect(text) if s.entity_type == "STREET_ADDRESS"]
    assert _typed_offsets(street) == [("STREET_ADDRESS", *_where(text, "Willow Court 4405, second floor"))]


def test_widening_stops_at_the_next_value(detector: PiiDetector) -> None:
    text = "My username is Quill hash and my PIN is 4 4 2 1."
    assert _typed_offsets(detector.detect(text)) == [("USERNAME", *_where(text, "Quill hash")),
                                                     ("PIN", *_where(text, "4 4 2 1"))]


def test_the_audit_detects_without_slots(detector: PiiDetector) -> None:
    """A re-listen hears the tone after a cue as stray words: those are no value still heard."""
    text = "My username in El Novec 64."
    assert len(detector.detect(text)) == 1
    assert detector.detect(text, relisten=True) == []


def test_slot_stops_at_the_next_cue(slots: ValueSlots) -> None:
    text = "Log me in, username is Quill hash, password is marble 7 7."
    found = slots.complete(text, [])
    assert _typed_offsets(found) == [("USERNAME", *_where(text, "Quill hash")),
                                     ("PASSWORD", *_where(text, "marble 7 7"))]


def test_off_finds_nothing() -> None:
    policy = dataclasses.replace(load_pii_config().value_slots, enabled=False)
    assert ValueSlots(policy).complete("My username in El Novec 64.", []) == []
    assert ValueSlots(ValueSlotPolicy()).complete("My username in El Novec 64.", []) == []


#: The word lists a value_slots section must give (a language's words; none has a default).
WORD_LISTS = "function_words: [my], closers: [please], count_units: [days], handle_separators: [dot]"


@pytest.mark.parametrize("section, message", [
    ("value_slots: [1]", "must be a mapping"),
    ("value_slots: {cues: {}}", "cues"),
    ("value_slots: {cues: {PIN: pin}}", "must be a list"),
    ("value_slots: {max_words: 0, cues: {PIN: [pin]}}", "max_words"),
    ("value_slots: {score: 2, cues: {PIN: [pin]}}", "score"),
    ("value_slots: {enabled: 1, cues: {PIN: [pin]}}", "enabled"),
])
def test_bad_section_is_refused(tmp_path, section: str, message: str) -> None:
    path = tmp_path / "pii.yaml"
    path.write_text("entities: [PIN]\n" + section.replace("cues:", WORD_LISTS + ", cues:") + "\n")
    with pytest.raises(PiiConfigError, match=message):
        load(str(path))


def test_a_section_without_its_word_lists_is_refused(tmp_path) -> None:
    # A config written before the lists were data loses no setting in silence.
    path = tmp_path / "pii.yaml"
    path.write_text("entities: [PIN]\nvalue_slots: {cues: {PIN: [pin]}}\n")
    with pytest.raises(PiiConfigError, match="required"):
        load(str(path))


def test_cues_of_types_not_detected_are_left_out(tmp_path) -> None:
    path = tmp_path / "pii.yaml"
    path.write_text("entities: [PIN]\nvalue_slots: {" + WORD_LISTS + ", cues: {PIN: [pin], USERNAME: [username]}}\n")
    policy = load(str(path)).value_slots
    assert policy.cues == (("pin", "PIN"),)


@pytest.mark.parametrize("text, first_pass, relisten", [
    ("Reset my bin", 1, 0),                # the tone after "pin" heard as a word spaCy calls a name
    ("You say me, Robin Humber", 1, 1),    # capitalised: still a name
    ("Pay Chloe hardly 50 pounds.", 1, 1),  # the payee rule, not spaCy: still a name
    ("My card number is F. F. F. F. I. I. F.", 1, 0),  # the tone itself, written as letters
    ("F**k Send my new card", 1, 0),  # the tone as a censored word
    ("F**k F**k Maria Lopez called", 1, 1),  # ... beside a name the bleep missed: still a name
])
def test_relisten_drops_names_made_of_the_tone(detector: PiiDetector, text: str, first_pass: int,
                                                relisten: int) -> None:
    assert len([s for s in detector.detect(text) if s.entity_type == "PERSON"]) == first_pass
    assert len([s for s in detector.detect(text, relisten=True) if s.entity_type == "PERSON"]) == relisten
