"""SpokenCardCvvRecognizer (transforms/language/en/recognizers/spoken_card_cvv.yaml): a security code after its cue, and the damaged forms of the cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenCardCvvRecognizer"

# (transcript, the words redacted as CARD_CVV): its pattern matches them and the detector keeps them.
CATCHES = [
    ('CVV 4 4 4.', '4 4 4'),
    ('The security code is six nine one.', 'six nine one'),
    ('Security code, 3, 6, please finish the payment.', '3, 6'),
    ('The COVID-8-4-2.', 'COVID-8-4-2'),
    ('Security Com750, please finish the payment.', 'Com750'),
    # "the back" is a cue as a phrase: the code on the back of a card.
    ('The three digits on the back are 123.', '123'),
    ('On the back it says 735.', '735'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'The security code has 3 digits.',
    'COVID-19 cases rose this week.',
    'I typed the security code 3 times.',
    # "back" without "the" is no cue: a year or a time, not a code on a card.
    'How long ago was the first world cup, back in 1930?',
    'Call me back at 1030.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_CVV", CATCHES, NEAR_MISSES)
