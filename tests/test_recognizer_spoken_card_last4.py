"""SpokenCardLast4Recognizer (transforms/language/en/recognizers/spoken_card_last4.yaml): a card's last four digits after an ending cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenCardLast4Recognizer"

# (transcript, the words redacted as CARD_LAST4): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Use the card ending in two one nine two.', 'two one nine two'),
    ('Pay with the visa ending 4 4 1 7.', '4 4 1 7'),
    ('The last four of my card are 3 9 0 2.', '3 9 0 2'),
    # No card word: "ending", "ends", "ended", "end" after "it" or "that", and "last four" are
    # the cue, whatever shape the four digits have.
    ('Use the one ending in 4 8 2 1.', '4 8 2 1'),
    ('Which one ends in 7730?', '7730'),
    ('My last four is 2210.', '2210'),
    ('The last 4 are 1987.', '1987'),
    ('The old one ended in 4532.', '4532'),
    ('Does it end in 1999?', '1999'),
    ('Use the one that end in 2020.', '2020'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'How many days until the end of 2030?',
    'Play the last 4 songs again.',
    # "end" after anything but "it" or "that", "last" alone and "the West End" name no card.
    'Did the war end in 1945?',
    'It has been running in the West End since 1952.',
    'The last train leaves at twenty three fifteen.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_LAST4", CATCHES, NEAR_MISSES)
