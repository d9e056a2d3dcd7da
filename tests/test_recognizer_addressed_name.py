"""AddressedNameRecognizer (transforms/language/en/recognizers/addressed_name.yaml): a name after a title or a greeting."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "AddressedNameRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ("Hi Tyrone, I'm contacting you about a wire transfer.", 'Tyrone'),
    ('Dear Wojciech, thanks for the letter.', 'Wojciech'),
    ('Thanks Ingrid.', 'Ingrid'),
    ("I'd like to join accounts with ms. Amara.", 'Amara'),
    ('MS. Tyrone, your card is ready.', 'Tyrone'),
    # the title is taken with the name
    ('Please put me through to Dr Novotny.', 'Dr Novotny'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    # a wake word greeted, kin and groups, a greeting with no name
    "Hey Google, what's the time?",
    # a wake word the speech model misheard after "Hey"
    'Hey Sarah, start a 7 minute workout.',
    'Hi Alexa, play some music.',
    'Thank you Siri.',
    'Hi Mum, are you home?',
    'Hello there, how are you?',
    # "miss" the verb; a greeting followed by more than a name
    'I miss Paris so much.',
    # a title's letters with no dot: a product
    'Open MS Teams for the call.',
    'Hello, what time is it?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
