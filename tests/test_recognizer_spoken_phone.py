"""SpokenPhoneRecognizer (transforms/language/en/recognizers/spoken_phone.yaml): a phone number near a call or contact word."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenPhoneRecognizer"

# (transcript, the words redacted as PHONE_NUMBER): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Call me on five four three, five five five, zero one two three.', 'five four three, five five five, zero one two three'),
    ('Call Dana your sister on 0 7 7 0 0 9 0 0 1 2 3', '0 7 7 0 0 9 0 0 1 2 3'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Call me in 5 minutes.',
    'Phone the office at 9.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PHONE_NUMBER", CATCHES, NEAR_MISSES)
