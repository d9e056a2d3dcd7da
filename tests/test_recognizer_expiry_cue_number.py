"""ExpiryCueNumberRecognizer (transforms/language/en/recognizers/expiry_cue_number.yaml): a number after a damaged expiry cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "ExpiryCueNumberRecognizer"

# (transcript, the words redacted as CARD_EXPIRY): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Exploration day to 11.30.', '11.30'),
    ('The expiry made the mode 31.', '31'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'The expiry date is on the back.',
    'Explore day trips for 2 people.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_EXPIRY", CATCHES, NEAR_MISSES)
