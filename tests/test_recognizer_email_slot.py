"""EmailSlotRecognizer (transforms/language/en/recognizers/email_slot.yaml): the words of a garbled address after an e-mail cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "EmailSlotRecognizer"

# (transcript, the words redacted as EMAIL_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Reach me at d quill at quill mail, not com.', 'd quill at quill mail, not com'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Email me the photos tomorrow.',
    'My email is not working.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "EMAIL_ADDRESS", CATCHES, NEAR_MISSES)
