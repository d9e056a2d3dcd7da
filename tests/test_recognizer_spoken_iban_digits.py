"""SpokenIbanDigitsRecognizer (transforms/language/en/recognizers/spoken_iban_digits.yaml): a long run of IBAN digits after an IBAN cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenIbanDigitsRecognizer"

# (transcript, the words redacted as IBAN_CODE): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My IBAN is 8083 1473 3495 4312 34.', '8083 1473 3495 4312 34'),
    ('IBAN 6278 3642 6495 4912 33', '6278 3642 6495 4912 33'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'My IBAN is on the letter.',
    'What is an IBAN?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "IBAN_CODE", CATCHES, NEAR_MISSES)
