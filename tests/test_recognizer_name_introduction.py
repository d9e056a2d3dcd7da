"""NameIntroductionRecognizer (transforms/language/en/recognizers/name_introduction.yaml): a name after 'my name is' or 'I'm'."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "NameIntroductionRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My name is Dana Quill.', 'Dana Quill'),
    ("I'm Dana, I want to check my balance.", 'Dana'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    "I'm going to the shop.",
    'My name is on the list.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
