"""NameIntroductionRecognizer (transforms/language/en/recognizers/name_introduction.yaml): a name after 'my name is' or 'I'm'."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "NameIntroductionRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('My name is Dana Quill.', 'Dana Quill'),
    ("I'm Dana, I want to check my balance.", 'Dana'),
    # the name slot between an introduction and the date of birth it gives, the name garbled
    ("I'm pretty of a commuter date on birth 09, 06, 1967.", 'pretty of a commuter'),
    ("I'm not all of her Lopez, date of birth, the 16th of December 1969.", 'not all of her Lopez'),
    # whose name and which name
    ('She was born in May. Her maiden name is Holloway.', 'Holloway'),
    ('Yes, my last name is Kaur, with a K.', 'Kaur'),
    # a name given to someone, the answer to a question asking for one
    ('My name is Wojciech but everyone calls me Tyrone.', 'Tyrone'),
    ('She named him Tamsin Okafor.', 'Tamsin Okafor'),
    ('Call me Ishmael.', 'Ishmael'),
    ("What's your last name? Vasquez.", 'Vasquez'),
    ('And his surname? Kenji Kaur', 'Kenji Kaur'),
    ('Call me May.', 'May'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    "I'm going to the shop.",
    'My name is on the list.',
    'Her name was in the paper again.',
    "What's your last name?",
    # what the speaker is doing, no date given, a birth word with no date after it
    "I'm calling about my date of birth, it's the 3rd of May 1980.",
    "I'm calling to update my date of birth.",
    "I'm going to a birthday party on Saturday.",
    # when to call, not what; an answer that is no name; a name of a thing
    'Call me Monday about the quote.',
    'Please call her Tomorrow morning.',
    'Call me back later.',
    "What's your name? Sorry, I didn't catch that.",
    "What was the song's name? Yes, that one.",
    "What's that song's name? Yesterday.",
    "What's the band's name? Queen.",
    "What's your dog's name? Rover.",
    "What's your first name? Not sure.",
    # what to call someone by: a relation, a place, a day
    'Call her Mom.',
    'Call him Dad when you get there.',
    'Call her Office.',
    'Call me Mondays.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
