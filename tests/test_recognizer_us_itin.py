"""SpokenUsItinRecognizer (transforms/language/en/recognizers/us_itin.yaml): shapes and near misses."""

from __future__ import annotations

import pytest
from recognizer_cases import found_by, span_of
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.detector import PiiDetector


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(load_pii_config())


def _found(detector: PiiDetector, text: str):
    return [(s.entity_type, s.char_start, s.char_end) for s in detector.detect(text)]


# Fake numbers in the ITIN ranges (9XX, middle group 50-65, 70-88, 90-92, 94-99).
@pytest.mark.parametrize(
    "text, value",
    [
        ("My ITIN is 912 78 1234.", "912 78 1234"),
        ("My ITIN is 900-70-0000.", "900-70-0000"),
        ("Taxpayer number nine one two, seven eight, one two three four.",
         "nine one two, seven eight, one two three four"),
        ("The TIN on the form is 987 65 4321, thanks.", "987 65 4321"),
        ("My itin, 955 94 1234", "955 94 1234"),
    ],
)
def test_an_itin_after_its_cue(detector: PiiDetector, text: str, value: str) -> None:
    assert found_by(detector, text, "SpokenUsItinRecognizer") == [span_of(text, value, "US_ITIN")]
    assert _found(detector, text) == [span_of(text, value, "US_ITIN")]
    assert detector.contains_critical_pii(detector.detect(text))


@pytest.mark.parametrize(
    "text, entity",
    [
        # Outside the ITIN ranges (middle group 45, 66, 89, 93; not 9XX): still redacted by the
        # fail-safe, as a code of unknown kind, or as an SSN after its cue.
        ("My ITIN is 912 45 1234.", "DIGIT_SEQUENCE"),
        ("My ITIN is 912 66 1234.", "DIGIT_SEQUENCE"),
        ("My ITIN is 912 93 1234.", "DIGIT_SEQUENCE"),
        ("My ITIN is 812 78 1234.", "DIGIT_SEQUENCE"),
        ("My social security number is 912 78 1234.", "US_SSN"),
        # ITIN-shaped but with no ITIN cue: a code of unknown kind.
        ("Invoice 912781234 is paid.", "DIGIT_SEQUENCE"),
    ],
)
def test_near_misses_are_not_itins(detector: PiiDetector, text: str, entity: str) -> None:
    assert [t for t, _, _ in _found(detector, text)] == [entity]


@pytest.mark.parametrize("text", ["My tax refund was 912 dollars.", "Tin of beans, 2 for 3 pounds."])
def test_harmless_tax_talk_stays(detector: PiiDetector, text: str) -> None:
    assert _found(detector, text) == []
