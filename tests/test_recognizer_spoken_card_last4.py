"""SpokenCardLast4Recognizer (transforms/language/en/recognizers/spoken_card_last4.yaml): a card's last four digits after an ending cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenCardLast4Recognizer"

# (transcript, the words redacted as CARD_LAST4): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Use the card ending in two one nine two.', 'two one nine two'),
    ('Freeze the one that ends in 1999.', '1999'),
    ('Which one, the one ending 1987?', '1987'),
    ('Pay with the visa ending 4 4 1 7.', '4 4 1 7'),
    ('The last four of my card are 3 9 0 2.', '3 9 0 2'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'How many days until the end of 2030?',
    'Play the last 4 songs again.',
    # "end" and "ended" introduce no card's digits
    'It ended in 1999.',
    'When did the war end, 1945?',
    'Has it really been running in the West End since 1952?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_LAST4", CATCHES, NEAR_MISSES)
