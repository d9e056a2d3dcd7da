"""SpokenUsernameRecognizer (transforms/language/en/recognizers/spoken_username.yaml): a handle after a username or sign-in cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenUsernameRecognizer"

# (transcript, the words redacted as USERNAME): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Log me in, username kim.lee7, password copper lantern.', 'kim.lee7'),
    ('Sided as Rivet underscore harbor.', 'Rivet underscore harbor'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Username I forgot, sorry.',
    'Sign in with Google.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "USERNAME", CATCHES, NEAR_MISSES)
