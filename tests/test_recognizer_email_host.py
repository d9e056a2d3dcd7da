"""EmailHostRecognizer (transforms/language/en/recognizers/email_host.yaml): a mail host written as a word."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "EmailHostRecognizer"

# (transcript, the words redacted as EMAIL_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Send the statement to dana.quill.net. Quillmail.com', 'Quillmail.com'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Go to example.com for the news.',
    'Check the weather on bbc.co.uk.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "EMAIL_ADDRESS", CATCHES, NEAR_MISSES)
