"""CardContextExpiryRecognizer (transforms/language/en/recognizers/card_context_expiry.yaml): month slash year near a card word."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "CardContextExpiryRecognizer"

# (transcript, the words redacted as CARD_EXPIRY): its pattern matches them and the detector keeps them.
CATCHES = [
    ('on my visa, six slash 29', 'six slash 29'),
    ('My visa runs out 1 slash 36 and the code is 207.', '1 slash 36'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Cut the cake into 6 slash 8 pieces.',
    'Divide 9 slash 3 for me.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_EXPIRY", CATCHES, NEAR_MISSES)
