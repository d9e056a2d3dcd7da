"""ContactNameRecognizer (transforms/language/en/recognizers/contact_name.yaml): the callee or contact of a call."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "ContactNameRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Call Helen Thorne to say hi.', 'Helen Thorne'),
    ('Add Dana Quill as a payee.', 'Dana Quill'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Call Mom on speaker.',
    'Add a new contact.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
