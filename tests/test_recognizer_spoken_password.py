"""SpokenPasswordRecognizer (transforms/language/en/recognizers/spoken_password.yaml): the words after a password cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenPasswordRecognizer"

# (transcript, the words redacted as PASSWORD): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My password is garden panda forty two.', 'garden panda forty two'),
    ('The password is lemon for two hash silver.', 'lemon for two hash silver'),
    ('Log me in, password-rivet-harbor-free-8.', 'password-rivet-harbor-free-8'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Change my username and password.',
    'Send me a password-reset email.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PASSWORD", CATCHES, NEAR_MISSES)
