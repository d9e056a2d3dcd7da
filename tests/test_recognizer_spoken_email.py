"""SpokenEmailRecognizer (transforms/language/en/recognizers/spoken_email.yaml): an e-mail address, written or spoken."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenEmailRecognizer"

# (transcript, the words redacted as EMAIL_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Email me at jane.doe@example.com', 'jane.doe@example.com'),
    ('Send it to my email, dana at quill dot com.', 'dana at quill dot com'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Meet me at the station.',
    'Look at gmail dot com for the news.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "EMAIL_ADDRESS", CATCHES, NEAR_MISSES)
