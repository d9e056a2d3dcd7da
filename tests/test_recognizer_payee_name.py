"""PayeeNameRecognizer (transforms/language/en/recognizers/payee_name.yaml): the payee of a payment."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "PayeeNameRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Pay faxing a Castillo 50 pounds.', 'Castillo'),
    ('Send 40 dollars to manual Quill for dinner.', 'manual Quill'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Send 40 dollars to my Mom for dinner.',
    'Transfer 100 pounds to joint Savings for the trip.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
