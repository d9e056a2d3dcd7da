"""SpokenUsBankAccountRecognizer (transforms/language/en/recognizers/spoken_us_bank_account.yaml): an account number after an account cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenUsBankAccountRecognizer"

# (transcript, the words redacted as US_BANK_NUMBER): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My account number is forty sixty one seventy two oh four twenty six.', 'forty sixty one seventy two oh four twenty six'),
    ('the account number in 3815529047', '3815529047'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'My account has 2 users.',
    'Open a new savings account please.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "US_BANK_NUMBER", CATCHES, NEAR_MISSES)
