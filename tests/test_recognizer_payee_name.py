"""PayeeNameRecognizer (transforms/language/en/recognizers/payee_name.yaml): the payee of a payment."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "PayeeNameRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Pay faxing a Castillo 50 pounds.', 'Castillo'),
    ('Send 40 dollars to manual Quill for dinner.', 'manual Quill'),
    ('Hey Victor Renner 90 pounds, sort code 73-21-83.', 'Victor Renner'),
    ('Send Dana Quill $40.', 'Dana Quill'),
    ('Thanks. Transfer Ada Okafor 1,200 euros today.', 'Ada Okafor'),
    # the payee slot opening a payment before its amount, a sort code after it, the name garbled
    ('Paper amendment 50 pounds, sort code 92 11 39, account number 181 255 06.', 'Paper amendment'),
    ('Paylier the petrol on 50 pounds. Sort code 38 97 01', 'Paylier the petrol on'),
    ('Hey Wendy had 50 pounds, sort code 93-40-78.', 'Wendy had'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Send 40 dollars to my Mom for dinner.',
    'Transfer 100 pounds to joint Savings for the trip.',
    'Put New York 50 dollars on the trip budget.',
    'Hey Victor, it costs 90 pounds.',
    'Send Victor Renner the 90 pounds.',
    'Play Victor Renner 90 times.',
    # no sort code after the amount, a payment verb alone before it
    'Paper amendment 50 pounds for the trip.',
    'Transfer 50 pounds, sort code 20-45-67.',
    'How much is 50 pounds in euros, and what is my sort code?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
