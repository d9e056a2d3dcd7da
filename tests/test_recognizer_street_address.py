"""StreetAddressRecognizer (transforms/language/en/recognizers/street_address.yaml): a house number and a street."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "StreetAddressRecognizer"

# (transcript, the words redacted as STREET_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Deliver it to 665 Kingfisher Lane.', '665 Kingfisher Lane'),
    ('Update my address to 713 birchway.', '713 birchway'),
    ('I live at 12 quill cresent.', '12 quill cresent'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Play track 12 from the album Abbey Road.',
    'Walk 5000 steps today.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "STREET_ADDRESS", CATCHES, NEAR_MISSES)
