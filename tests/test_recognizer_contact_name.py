"""ContactNameRecognizer (transforms/language/en/recognizers/contact_name.yaml): the callee or contact of a call."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "ContactNameRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Call Helen Thorne to say hi.', 'Helen Thorne'),
    ('Add Dana Quill as a payee.', 'Dana Quill'),
    # a role only a person holds on an account or a policy
    ('We need to add Amara Schmidt as guardian.', 'Amara Schmidt'),
    ('Add Priya as an authorised user.', 'Priya'),
    # the name slot between a new contact or a call and its phone number, the name garbled
    ('Same a new contact. Rows are outside 954, 595, 0186.', 'Rows are outside'),
    ('Save a new contact. Hector, have an over 07700 900244.', 'Hector, have an over'),
    ('Call the owner and be on 07700 900268.', 'owner and be'),
    ('Add a contact, lemon tracy on 07700 900123', 'lemon tracy'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Call Mom on speaker.',
    'Add a new contact.',
    'Add a new contact number 07700 900123.',
    'Add a contact for the vet, 0161 496 0000.',
    'Save it as a new contact, 07700 900123',
    'Call me back on 07700 900123',
    'Text mum on 07700 900123',
    'Call the restaurant at 1930 please',
    'Contact support at 0800 123 4567.',
    'Add Sunday as a rest day.',
    'Add Milk as well.',
    # a role after "to" is whose list it is; a day is no one
    "Add Dinner to my partner's calendar.",
    'Add Eggs to our carers list.',
    "Add Tuesday as the driver's day off.",
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
