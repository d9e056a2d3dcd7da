"""StreetNameRecognizer (transforms/language/en/recognizers/street_name.yaml): a street name after an address cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "StreetNameRecognizer"

# (transcript, the words redacted as STREET_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Update my address to Juniper Road.', 'Juniper Road'),
    ('Send my new card to juniper close.', 'juniper close'),
    # Where something is: on a street, at a corner of it.
    ('The bus station is on Martinez Avenue.', 'Martinez Avenue'),
    ('Stop at the corner of Murphy Parkway, please.', 'Murphy Parkway'),
    ("Stop at the corner of Johnson Avenue St. and O'Brien Court St.", "O'Brien Court St"),
    ('You must enter on Larsen Ridge Street.', 'Larsen Ridge Street'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Abbey Road is my favourite album.',
    'Take the road to the beach.',
    # A street name after "to" or "at" names a station or a stop as often.
    'Does the 11:05 to Glasgow Queen Street stop at Falkirk?',
    'Meet me at Baker Street station.',
    # "on" a street is as often a show, a song, a market or a stop
    "What's on Coronation Street tonight?",
    'What is on Oxford Street this weekend?',
    'Put on Sesame Street for the kids.',
    'Play A Nightmare on Elm Street.',
    'How did stocks do on Wall Street today?',
    'Take me to the station on Baker Street.',
    'Find coffee shops near Union Square.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "STREET_ADDRESS", CATCHES, NEAR_MISSES)
