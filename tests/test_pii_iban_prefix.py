"""The IBAN prefix step: a banking span is widened back over the country code, check digits
and bank code the ASR wrote apart from the IBAN's digits (transforms/pii/iban_prefix.py).

All vectors are synthetic, in the shapes tiny.en writes a dictated IBAN. Assertions compare
types and offsets only, so a failure never prints a value.
"""

from __future__ import annotations

from typing import List, Sequence

import pytest
from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.config import (
    DIGIT_SEQUENCE,
    IbanPrefixPolicy,
    load_pii_config,
)
from voicescrub.transforms.pii.detector import PiiDetector
from voicescrub.transforms.pii.iban_prefix import IbanPrefixExtender


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(load_pii_config())


@pytest.fixture(scope="module")
def policy() -> IbanPrefixPolicy:
    return load_pii_config().iban_prefix


def _covering(spans: Sequence[PiiSpan], start: int, end: int) -> List[PiiSpan]:
    return [s for s in spans if s.char_start <= start and end <= s.char_end]


# (transcript, the prefix's first words, the IBAN's last words, the word right before the prefix)
WIDENED = [
    ("My Iman is DB64, K-W-H-L 8083 1473 3495 43", "DB64", "43", "is"),
    ("I'm a gb96, ckyr 2517 2578 1337 16", "gb96", "16", "a"),
    ("IBM DB19, F-C-C-F, 6230 4923 6606 88", "DB19", "88", "IBM"),
    ("Transfer to IBM D15, 7516 1250 1108 5156 1", "D15", "5156 1", "IBM"),
    # tiny.en said the prefix twice around the cue word ("item", its measured "IBAN"): both
    # copies go, the first cue word stays.
    ("My item E6 1, item E6 8991 0549 0251 5852 62", "E6 1", "62", "item"),
    ("Transfer to IBM DB60, 0470 1496 1209 53", "DB60", "53", "IBM"),
    # No cue word, but a real country code glued to its check digits; "and" is the bank code.
    ("Send 50 euros to gb6i and 4417 8821 3365 76", "gb6i", "76", "to"),
    # "item" is how tiny.en hears "IBAN"; the bank code heard as words.
    ("that item in NLL 70, keeping the age 79, 88, 56, 66, 77.", "NLL 70", "77", "in"),
    # A cue one sound away from "iban" with any model ("eban", "iman").
    ("My eban is NLL 70, keeping the age 79, 88, 56, 66, 77.", "NLL 70", "77", "is"),
    # Letters glued to check digits right before a banking value, no cue word.
    ("Transfer to the D15, 7516 1250 1108 5156 1", "D15", "5156 1", "the"),
    ("My IBAN is G B 64, R D W K, 5968 3665 7641 15", "G B 64", "15", "is"),
    ("IBAN G B 69, J C P R, 6278 3642 6495 49", "G B 69", "49", "IBAN"),
    ("My IBAN is DB 6412 3456 7890 12", "DB", "12", "is"),
    ("My name is Gb61, RBWK 5968 3657 6411 5", "Gb61", "6411 5", "is"),
    ("I'm an EB-19, FCCF 623-0, 4923-66-0-6, 8-8.", "EB-19", "8-8", "an"),
    ("Iber DB43. HUCR, 5874, 2854, 6475, 65", "DB43", "65", "Iber"),
    # The bank code glued to the account number's first digits, no cue word: the country
    # code glued to its check digits before it says IBAN.
    ("Pay it to an L54, DBWK13. double 1, 8 double 1, 8, 1, 5", "L54", "1, 5", "an"),
    ("Send 50 euros to gb9 or pdlb7, 3 8 4 0 2 2 1 9 0 4", "gb9", "0 4", "to"),
    # A bank code spelled with dashes, no country code and no cue word.
    ("Send it to the music sign, K-C-B-R, 6278, 3 6 4 2, 6 4 9 5 4 9", "K-C-B-R", "6 4 9 5 4 9", "sign"),
]


@pytest.mark.parametrize("text, prefix, last, before", WIDENED)
def test_span_covers_the_iban_prefix(detector: PiiDetector, text: str, prefix: str, last: str, before: str) -> None:
    found = detector.detect(text)
    start = text.index(prefix)
    end = text.rindex(last) + len(last)
    covering = _covering(found, start, end)
    assert len(covering) == 1
    assert covering[0].entity_type == "IBAN_CODE"
    assert covering[0].char_start == start
    before_at = text.rindex(before, 0, start)
    assert not _covering(found, before_at, before_at + len(before))


# (transcript, first words of the banking value, its last words): nothing before them is taken.
NOT_WIDENED = [
    ("send it to my mum, 4417 8821", "4417", "8821"),
    ("transfer 50 euros to Mark 4417 8821 3365", "4417", "3365"),
    ("transfer 50 euros to Mark, IBAN 4417 8821 3365 7788", "4417", "7788"),
    ("My IBAN is 4417 8821 3365 7788", "4417", "7788"),
    ("IBM is 4417 8821 3365 76", "4417", "76"),
    ("after the G20 summit call 07700 900123", "07700", "900123"),
    # A cue word in the clip, but "call" starts another value: the G20 is not the bank code.
    ("My IBAN is ready. After the G20 summit call 07700 900123", "07700", "900123"),
    # Four capitals alone (a bank's name) with no IBAN in the clip.
    ("HSBC 4417 8821 3365", "4417", "3365"),
    # Four letters glued to digits: with no country code and no IBAN in the clip, a reference;
    # five letters, or a word between it and the digits, no bank code.
    ("Reference ABCD12, 4417 8821 3365 7788", "4417", "7788"),
    ("My IBAN is HELLO12 4417 8821 3365 7788", "4417", "7788"),
    ("My IBAN is ABCD12 then 4417 8821 3365 7788", "4417", "7788"),
    # A question between the letters and the digits.
    ("Was it DB64? 4417 8821 3365 7788", "4417", "7788"),
]


@pytest.mark.parametrize("text, first, last", NOT_WIDENED)
def test_ordinary_words_are_not_taken(detector: PiiDetector, text: str, first: str, last: str) -> None:
    found = detector.detect(text)
    start = text.index(first)
    end = text.rindex(last) + len(last)
    assert _covering(found, start, end)
    assert all(s.char_start >= start or s.char_end <= start for s in found if s.char_end > start)
    assert not any(s.recognizer.endswith("+IbanPrefix") for s in found)


@pytest.mark.parametrize("text", [
    "The G20 summit is on 4 July.",
    "Play track B12 on repeat.",
    # A glued code not right before the value, and a word two sounds from "iban".
    "The G20 summit, call 0770 0900 123.",
    "My bean is NLL 70, keeping the age 79, 88, 56, 66, 77.",
])
def test_no_banking_span_no_change(detector: PiiDetector, text: str) -> None:
    assert not any(s.entity_type == "IBAN_CODE" for s in detector.detect(text))


def test_offsets_exact_and_other_spans_kept(policy: IbanPrefixPolicy) -> None:
    text = "Call Dana on 0770 0900 123, IBM DB64, K-W-H-L, 8083 1473 3495 43"
    digits = text.index("8083")
    spans = [
        PiiSpan("PERSON", text.index("Dana"), text.index("Dana") + 4, 0.85, "SpacyRecognizer"),
        PiiSpan("PHONE_NUMBER", text.index("0770"), text.index("123") + 3, 0.75, "SpokenPhoneRecognizer"),
        PiiSpan(DIGIT_SEQUENCE, digits, len(text), 0.6, "DigitRunFailsafeRecognizer"),
    ]
    out = IbanPrefixExtender(policy).extend(text, spans)
    assert out[:2] == spans[:2]
    assert (out[2].entity_type, out[2].char_start, out[2].char_end) == ("IBAN_CODE", text.index("DB64"), len(text))
    assert out[2].score == 0.6 and out[2].recognizer == "DigitRunFailsafeRecognizer+IbanPrefix"


def test_span_types_and_switch(policy: IbanPrefixPolicy) -> None:
    text = "IBAN DB64, 8083 1473 3495 43"
    digits = text.index("8083")
    person = [PiiSpan("PERSON", digits, len(text), 0.85, "SpacyRecognizer")]
    assert IbanPrefixExtender(policy).extend(text, person) == person  # not a banking type
    iban = [PiiSpan("IBAN_CODE", digits, len(text), 0.6, "SpokenIbanDigitsRecognizer")]
    assert IbanPrefixExtender(policy).extend(text, iban)[0].char_start == text.index("DB64")
    off = IbanPrefixPolicy(cue_words=policy.cue_words, span_types=policy.span_types, enabled=False)
    assert IbanPrefixExtender(off).extend(text, iban) == iban
    no_gap = IbanPrefixPolicy(cue_words=policy.cue_words, span_types=policy.span_types, gap_words=0)
    gapped = "IBAN NLL 70, keeping the age 79 88 56 66 77"
    start = gapped.index("79")
    digit_span = [PiiSpan(DIGIT_SEQUENCE, start, len(gapped), 0.6, "DigitRunFailsafeRecognizer")]
    assert IbanPrefixExtender(no_gap).extend(gapped, digit_span) == digit_span
    assert IbanPrefixExtender(policy).extend(gapped, digit_span)[0].char_start == gapped.index("NLL")


def test_span_at_the_start_is_left_alone(policy: IbanPrefixPolicy) -> None:
    text = "8083 1473 3495 43 is my IBAN"
    spans = [PiiSpan(DIGIT_SEQUENCE, 0, text.index(" is"), 0.6, "DigitRunFailsafeRecognizer")]
    assert IbanPrefixExtender(policy).extend(text, spans) == spans


def test_detected_prefix_is_critical(detector: PiiDetector) -> None:
    found = detector.detect("that item in NLL 70, keeping the age 79, 88, 56, 66, 77.")
    assert detector.contains_critical_pii(found)
    assert {s.entity_type for s in found} == {"IBAN_CODE"}
