"""DateOfBirthRecognizer (transforms/language/en/recognizers/date_of_birth.yaml): a date after a birth cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "DateOfBirthRecognizer"

# (transcript, the words redacted as DATE_OF_BIRTH): its pattern matches them and the detector keeps them.
CATCHES = [
    ('I was born on September 19, 1954.', 'September 19, 1954'),
    ('I was born on the 30th of November.', 'the 30th of November'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Remind me on November the 30th.',
    'The meeting is on September 19.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "DATE_OF_BIRTH", CATCHES, NEAR_MISSES)
