"""SpokenUkBankAccountRecognizer (transforms/language/en/recognizers/spoken_uk_bank_account.yaml): eight account digits near a sort code."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenUkBankAccountRecognizer"

# (transcript, the words redacted as UK_BANK_ACCOUNT): its pattern matches them and the detector keeps them.
CATCHES = [
    ('sort code 12 34 56, account number 43659286', '43659286'),
    ('sort code for 7, 1, 2, 3, 2, count number 4 3 6 5 9 2 8 6', '4 3 6 5 9 2 8 6'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Sort the files into 2 piles.',
    'My account is 8 years old.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "UK_BANK_ACCOUNT", CATCHES, NEAR_MISSES)
