"""SpokenUkSortCodeRecognizer (transforms/language/en/recognizers/spoken_uk_sort_code.yaml): six sort-code digits after a sort cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenUkSortCodeRecognizer"

# (transcript, the words redacted as UK_SORT_CODE): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Sort code oh eight dash one two dash two oh.', 'oh eight dash one two dash two oh'),
    ('sort code 12 34 56, account number 43659286', '12 34 56'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Sort the 3 boxes by size.',
    'What sort of code is this?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "UK_SORT_CODE", CATCHES, NEAR_MISSES)
