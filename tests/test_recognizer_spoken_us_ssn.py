"""SpokenUsSsnRecognizer (transforms/language/en/recognizers/spoken_us_ssn.yaml): nine digits after a social security cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenUsSsnRecognizer"

# (transcript, the words redacted as US_SSN): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My social security number is four one seven, three, three, nine, zero, two, six.', 'four one seven, three, three, nine, zero, two, six'),
    ('SSN five six four dash eight oh dash one two eight five', 'five six four dash eight oh dash one two eight five'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Social media has 3 new posts.',
    'What is a social security number?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "US_SSN", CATCHES, NEAR_MISSES)
