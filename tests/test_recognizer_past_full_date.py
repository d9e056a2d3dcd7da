"""PastFullDateRecognizer (transforms/language/en/recognizers/past_full_date.yaml): a whole past date, with no cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "PastFullDateRecognizer"

# (transcript, the words redacted as DATE_OF_BIRTH): its pattern matches them and the detector keeps them.
CATCHES = [
    ("So that's March 3rd, 1985 then.", 'March 3rd, 1985'),
    ('My worst date is the 10th on August 1992.', 'the 10th on August 1992'),
    # written "Month D, YYYY", its day and year joined by the normaliser
    ("It's been like that since August 8, 2000.", 'August 8, 2000'),
    ('I moved here on March 14, 1987.', 'March 14, 1987'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Book it for the 3rd of March 2030.',
    'The album came out in March 1985.',
    # a future year; a day that is no day of a month
    'The next one is on March 4, 2027.',
    'Is it March 41 or 42?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "DATE_OF_BIRTH", CATCHES, NEAR_MISSES)
