"""RelatedNameRecognizer (transforms/language/en/recognizers/related_name.yaml): a person named by
their relation to someone, or as the one who lives somewhere."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "RelatedNameRecognizer"

# (transcript, the words redacted as PERSON): its pattern matches them and the detector keeps them.
CATCHES = [
    ('I would like to remove my kid Tyrone from the will.', 'Tyrone'),
    ('Ask her husband, Wojciech Novotny, to call back.', 'Wojciech Novotny'),
    ('Beatriz Adeyemi lives at 52 Tyrone Plaza.', 'Beatriz Adeyemi'),
    ('Thanks. Lucia lives on Nguyen Plaza.', 'Lucia'),
    ('My daughter April has a recital.', 'April'),
    ('Tell my wife, Amara, that I am late.', 'Amara'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Remind my husband Monday about the bins.',
    'Text my mum please.',
    "My son's Lego set is broken.",
    'The Queen lives in London.',
    'He lives on the north side of Murphy Street.',
    'Who lives at number 10?',
    'My friend said hi.',
    # after a verb that takes a person and then a thing, the capitalised words are the thing
    "Tell my wife I'm running late.",
    'Tell my husband Dinner is ready.',
    'Send my mom Good Morning.',
    "Text my mum Happy Mother's Day.",
    'Show my kids Frozen.',
    'Buy my mum Chocolates.',
    'Remind my husband Tomorrow about the bins.',
    'Remind my wife Mondays about yoga.',
    # no one in particular, a relation, a pronoun
    'Something lives in my attic.',
    'Nothing lives on Mars.',
    'Everybody lives in fear.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PERSON", CATCHES, NEAR_MISSES)
