"""SpokenCardExpiryRecognizer (transforms/language/en/recognizers/spoken_card_expiry.yaml): a card's month and year after an expiry cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenCardExpiryRecognizer"

# (transcript, the words redacted as CARD_EXPIRY): its pattern matches them and the detector keeps them.
CATCHES = [
    ('It expires oh four twenty nine.', 'oh four twenty nine'),
    ('The card expires 04/27.', '04/27'),
    ('My card expires in October 34.', 'October 34'),
    ('The card expires 7, 33.', '7, 33'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'The milk expires tomorrow.',
    'My passport expires in 2 weeks.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_EXPIRY", CATCHES, NEAR_MISSES)
