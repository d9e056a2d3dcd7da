"""StreetAddressRecognizer (transforms/language/en/recognizers/street_address.yaml): a house number and a street."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "StreetAddressRecognizer"

# (transcript, the words redacted as STREET_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Deliver it to 665 Kingfisher Lane.', '665 Kingfisher Lane'),
    ('Update my address to 713 birchway.', '713 birchway'),
    ('I live at 12 quill cresent.', '12 quill cresent'),
    # a USPS street type other than the common ones
    ('Please send the statement to 400 Quarry Ferry, thanks.', '400 Quarry Ferry'),
    ('My billing address is 73 Oakes Glens.', '73 Oakes Glens'),
    # the rest of an address after its street: city, state and ZIP code, with a unit between
    ('Send it to 88 Hale Plaza, Port Linda, AZ 85004 please.', 'Port Linda, AZ 85004'),
    ('Change my address to 71 Kaur Dam Apt. 364, North Brandon, GA 41881.', 'North Brandon, GA 41881'),
    ('Deliver it to 12 Maple Street, Springfield.', 'Springfield'),
    # no comma after the street: the ZIP code must follow; the state heard as a digit
    ('Update it to 128 Pemberton Road Suite 211 East Kenji 067,143.', 'East Kenji 067,143'),
    # the state code heard as a short word before the ZIP code
    ('Ship it to 51 Quarry Crossing Lake Amara as 85,004.', 'Lake Amara as 85,004'),
    # city, state and ZIP code, the street before them misheard
    ('Validate the following: 564 on any road. Johnsonville, OH 66261.', 'Johnsonville, OH 66261'),
    ("I'll meet you there, Port Rashid, M-N-19,995 after the concert.", 'Port Rashid, M-N-19,995'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Play track 12 from the album Abbey Road.',
    'Walk 5000 steps today.',
    # common nouns after a number, not street types; a place and a number with no state or street
    'What year was the 1969 moon landing?',
    'Is it a 20 minute walk from the station?',
    'Is London over 10,000 square miles?',
    'Play Abbey Road, then the next album.',
    # a state code in lower case is a word; a year after a city is no ZIP code
    'Is it warm in Paris or in Rome in 2024?',
    'Seattle, WA is lovely in June.',
    # a street and a place with a number that is no ZIP code after them
    'Turn left on Quarry Road, Lake Amara is 20 miles on.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "STREET_ADDRESS", CATCHES, NEAR_MISSES)
