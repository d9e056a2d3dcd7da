"""DateOfBirthMonthYearRecognizer (transforms/language/en/recognizers/date_of_birth_month_year.yaml): month and year after a birth cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "DateOfBirthMonthYearRecognizer"

# (transcript, the words redacted as DATE_OF_BIRTH): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My mate on birth in March 1971.', 'March 1971'),
    ('And my date on birth of 1973.', '1973'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'How old is someone born in 2001?',
    'The shop opened in March 1971.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "DATE_OF_BIRTH", CATCHES, NEAR_MISSES)
