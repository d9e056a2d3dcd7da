"""SpokenPinRecognizer (transforms/language/en/recognizers/spoken_pin.yaml): a PIN's digits after its cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenPinRecognizer"

# (transcript, the words redacted as PIN): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My PIN is 5 0 5 2.', '5 0 5 2'),
    ('my pin is oh two six eight', 'oh two six eight'),
    ('Change my pin, 7 3 1 9.', '7 3 1 9'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Pin the note to the board.',
    'What is a PIN?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PIN", CATCHES, NEAR_MISSES)
