"""CardinalCodeRecognizer (transforms/language/en/recognizers/cardinal_code.yaml): a code read as one cardinal number."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "CardinalCodeRecognizer"

# (transcript, the words redacted as DIGIT_SEQUENCE): its pattern matches them and the detector keeps them.
CATCHES = [
    # an IBAN read as a cardinal, its cue and two of its "nine"s misheard
    ("My iPhone is B63 trillion, I'm hundred and ninety-two billion, 758 million, I'm hundred and sixteen thousand,"
     " I'm hundred and twenty-five.",
     "B63 trillion, I'm hundred and ninety-two billion, 758 million, I'm hundred and sixteen thousand,"
     " I'm hundred and twenty-five"),
    ("The number on the letter is 378 trillion, 225 billion, 240 million, 327,848.",
     '378 trillion, 225 billion, 240 million, 327,848'),
    ('It reads four trillion, three hundred and six billion, twelve million, five hundred thousand and nine.',
     'four trillion, three hundred and six billion, twelve million, five hundred thousand and nine'),
    ('Take 9 billion, 41 million, 6,017 off the list.', '9 billion, 41 million, 6,017'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Is the universe 13.8 billion years old?',
    # the same scale twice: a range, a comparison
    'Between 2 million and 3 million people watched it.',
    'China has 1.4 billion and India 1.4 billion.',
    # two groups only: a quantity said in full
    'The company is worth five billion, two hundred million.',
    'What is a trillion times a billion?',
    'It sold 2 million copies in 1999 and 3 million in 2000.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "DIGIT_SEQUENCE", CATCHES, NEAR_MISSES)
