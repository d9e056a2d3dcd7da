"""The spoken-form normaliser: digit runs, homophones, number words, spoken e-mails, offsets."""

from __future__ import annotations

import pytest
from voicescrub.transforms.language.packs import ENGLISH
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.spoken_normaliser import normalise

#: English plus what tiny.en writes for digits, run openers and separators.
TINY_EN_FORMS = load_pii_config(asr_model="bundled:tiny.en").spoken_forms

# (text, expected digit runs) -- fake values only.
DIGIT_VECTORS = [
    ("My social security number is four one seven, three, three, nine, zero, two, six.", ["417339026"]),
    ("card number 3 4 1 9 5 7 2 0 6 6 1 0 8 4", ["34195720661084"]),
    ("5.127, 0.384, 6.619, 2.405", ["5127038466192405"]),
    ("routing number zero to 6, one, zero", ["02610"]),
    ("five oh two", ["502"]),
    ("double five oh one", ["5501"]),
    ("triple seven", ["777"]),
    ("8, double 5", ["855"]),  # the repeated digit written as a numeral
    ("triple 0 1", ["0001"]),
    ("nine, double-one, 6941", ["9116941"]),  # Whisper hyphenates the spoken repeat
    ("nine-double-one six", ["9116"]),
    ("triple-five", ["555"]),
    ("nineteen eighty five", ["1985"]),
    ("twenty five", ["25"]),
    ("twenty-five", ["25"]),
    ("three hundred and fifty", ["300", "50"]),
    ("two thousand three hundred forty five", ["2345"]),
    # A numeral the model wrote before a scale word is half of one number said as one number.
    ("19 hundred eighty-nine or 19 hundred ninety", ["1989", "1990"]),
    ("a 12 hundred spin", ["1200"]),
    ("3 thousand 5 hundred people", ["3500"]),
    ("19 hundred and 45", ["1900", "45"]),
    ("five four, three four, three five", ["543435"]),
    ("oh eight dash one two dash two oh", ["081220"]),
    ("(555) 123-4567", ["5551234567"]),
    ("my pin is for 4 3 2", ["4432"]),
    ("one ate two", ["182"]),
    ("seven won three", ["713"]),
    ("call 555 1234? yes", ["5551234"]),
    ("077-0-0-0-9-0-0-", ["077000900"]),  # the ASR looped and stopped on a dash
    # Right after "account" or "number", a sum of money is the identifier the ASR wrote as money.
    ("account $10.89, 5506, 6", ["108955066"]),
    ("my account number £3749", ["3749"]),
]

# Homophones that must stay words.
NEAR_MISSES = [
    ("set a timer for twenty five minutes", ["25"]),
    ("I want to go for a walk", []),
    ("two for one deal", ["241"]),  # between digits: read as digits, harmless by length
    ("Oh well, I'm going to bed", []),
    ("play track 4 to me", ["4"]),
    ("I won the race", []),
    ("a double-decker bus", []),  # a repeat word in a compound with no digit after it
    ("double-check my balance", []),
    ("I'm fine, thanks", []),
    ("parking is free 24 hours a day", ["24"]),
    ("buy one get one free", ["1", "1"]),
    ("log in to 3 accounts", ["3"]),
    ("in for 2 days", ["2"]),
    ("I ate 2 apples", ["2"]),
    ("the 4th of July", []),
    ("it costs $25", []),
    ("my account balance is $10.89", []),
    ("pay $50 from my account", []),
    ("what happened from 1900 to 2024", ["1900", "2024"]),  # a range of years, not one run
    # a range word between two numbers each said as one number: a score or a range
    ("they won twenty four to twenty one", ["24", "21"]),
    ("they lost 112 to 108 last night", ["112", "108"]),
    ("one hundred and twelve to one hundred and eight", ["100", "12", "100", "8"]),
    ("two hundred to three hundred", ["200", "300"]),
    # ... but not after a single digit, a bare tens word or inside a dictated stretch
    ("my pin is four to twenty one", ["4221"]),
    ("forty one twenty to thirty three", ["4120233"]),
    ("call me at five five five twelve to thirty four", ["55512234"]),
    ("my extension is 34 to 56", ["34256"]),
    ("the gate code is fifteen to forty eight", ["15248"]),
    ("wake me at 7:30", []),
    # ... not a numeral of four digits or opening with a zero, nor one no scale word follows
    ("4829 hundred", ["4829100"]),
    ("482 hundred", ["482100"]),
    ("4 8 hundred", ["48100"]),
    ("05 hundred", ["05100"]),
    ("19 85", ["1985"]),
]


@pytest.mark.parametrize("text, runs", DIGIT_VECTORS + NEAR_MISSES)
def test_digit_runs(text: str, runs: list) -> None:
    got = [run.digits for run in normalise(text, ENGLISH.spoken_forms).digit_runs]
    assert len(got) == len(runs)
    assert all(a == b for a, b in zip(got, runs))


@pytest.mark.parametrize(
    "text, spoken_start, spoken_end",
    [
        ("My number is four one seven, three, three.", 13, 41),
        ("card 3 4 1 9 5 ok", 5, 14),
        ("routing zero to 6, one", 8, 22),
    ],
)
def test_runs_map_back_to_spoken_words(text: str, spoken_start: int, spoken_end: int) -> None:
    normalised = normalise(text, ENGLISH.spoken_forms)
    assert len(normalised.digit_runs) == 1
    run = normalised.digit_runs[0]
    assert (run.char_start, run.char_end) == (spoken_start, spoken_end)
    assert normalised.to_original(run.norm_start, run.norm_end) == (spoken_start, spoken_end)


def test_every_digit_maps_inside_its_run() -> None:
    text = "account four one, seven three and then 9 9"
    normalised = normalise(text, ENGLISH.spoken_forms)
    for run in normalised.digit_runs:
        for k in range(run.norm_start, run.norm_end):
            start, end = normalised.to_original(k, k + 1)
            assert run.char_start <= start < end <= run.char_end


def test_a_sum_read_as_an_identifier_loses_its_currency_sign() -> None:
    # Left in, the sign would make every later reader (the digit-run fail-safe) take the run
    # for an amount of money.
    normalised = normalise("account $10.89, 5506", ENGLISH.spoken_forms)
    assert "$" not in normalised.text
    run, = normalised.digit_runs
    assert normalised.to_original(run.norm_start, run.norm_end) == (len("account $"), len("account $10.89, 5506"))


def test_unchanged_text_maps_one_to_one() -> None:
    text = "Turn on the kitchen lights, please."
    normalised = normalise(text, ENGLISH.spoken_forms)
    assert normalised.text == text
    assert normalised.to_original(5, 7) == (5, 7)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("send it to k lopez at riverside dental dot net", "klopez@riversidedental.net"),
        ("email mark.te at gmail.com please", "mark.te@gmail.com"),
        ("it's irene dot thornton at northwind mail dot com", "irene.thornton@northwindmail.com"),
        ("p mbeki at example dot net", "pmbeki@example.net"),
        ("I'm not dana at example.com", "dana@example.com"),  # ... but "I'm not" is no local part
    ],
)
def test_spoken_emails(text: str, expected: str) -> None:
    normalised = normalise(text, ENGLISH.spoken_forms)
    assert (expected in normalised.text) is True


@pytest.mark.parametrize(
    "text",
    ["look at the dot on the map", "meet me at the park", "I'm at work dot dot dot", "she is at home dot"],
)
def test_not_emails(text: str) -> None:
    assert "@" not in normalise(text, ENGLISH.spoken_forms).text


def test_email_maps_back_to_spoken_words() -> None:
    text = "send it to k lopez at riverside dental dot net"
    normalised = normalise(text, ENGLISH.spoken_forms)
    at = normalised.text.index("@")
    start, end = normalised.to_original(at - 6, at + 20)
    assert (start, end) == (text.index("k lopez"), len(text))


# (text, digits per spoken piece, pieces of one or two digits): how a run was said.
# A homophone ("for", "oh") is a piece of 0: it is only a guess, so it never makes a run "dictated".
SHAPE_VECTORS = [
    ("we did one, zero, three", (1, 1, 1), 3),
    ("0-1-2-3", (1, 1, 1, 1), 4),
    ("card ending 8 5 1 4", (1, 1, 1, 1), 4),
    ("12 34 56", (2, 2, 2), 3),
    ("one hundred three", (3,), 0),
    ("four hundred sixty nine", (3,), 0),
    ("nineteen eighty six", (2, 2), 2),
    ("10-27", (2, 2), 2),
    ("two for one deal", (1, 0, 1), 2),
    ("wake me at 6 o 5", (1, 0, 1), 2),
    ("double five oh one", (2, 0, 1), 2),
    ("1986", (4,), 0),
    ("19 hundred eighty-nine", (4,), 0),  # said as one number
]


@pytest.mark.parametrize("text, groups, dictated", SHAPE_VECTORS)
def test_run_shape(text: str, groups: tuple, dictated: int) -> None:
    runs = normalise(text, ENGLISH.spoken_forms).digit_runs
    count = len(runs)  # compared as a number: a failure never prints a run's digits
    assert count == 1
    assert runs[0].groups == groups
    assert runs[0].dictated == dictated


#: What tiny.en writes, read as what was said only with its confusion table:
#: (transcript, runs with the table, runs with English alone).
HEARD_FORM_VECTORS = [
    ("my pin in for 4 3 2", ["4432"], ["432"]),  # a fast "is" heard as "in" opens the run
    # Near misses: "in" before a word that is not a digit, or before too few digits.
    ("put it in for the night", [], []),
    ("check in for 2 nights", ["2"], ["2"]),
]

#: Words one sound away from a digit are digits between digits with any model ("three"
#: said with an "f" or a "t", "five" with its "v" lost), never elsewhere.
NEAR_RHYME_VECTORS = [
    ("715, fine, fine, fine, 018", ["715555018"]),
    ("my pin is free 4 5 6", ["3456"]),
    ("code is tree 4 5 6 7", ["34567"]),
    ("715, sick, sick, 018", ["71566018"]),
    ("I'm fine, thanks", []),
    ("free delivery on orders", []),
    ("plant a tree in 2 weeks", ["2"]),
    ("I was sick for 2 days", ["2"]),
]


@pytest.mark.parametrize("text, runs", NEAR_RHYME_VECTORS)
def test_near_rhymes_of_digits_between_digits(text: str, runs: list) -> None:
    got = [run.digits for run in normalise(text, ENGLISH.spoken_forms).digit_runs]
    assert len(got) == len(runs)
    assert all(a == b for a, b in zip(got, runs))


@pytest.mark.parametrize("text, with_table, english_only", HEARD_FORM_VECTORS)
def test_digit_homophones_of_a_model_apply_only_with_its_table(text: str, with_table: list,
                                                               english_only: list) -> None:
    for forms, runs in ((TINY_EN_FORMS, with_table), (ENGLISH.spoken_forms, english_only)):
        got = [run.digits for run in normalise(text, forms).digit_runs]
        assert len(got) == len(runs)
        assert all(a == b for a, b in zip(got, runs))


@pytest.mark.parametrize(
    "text, with_table, english_only",
    [
        ("dana not quill at example dot com", "dana.quill@example.com", "quill@example.com"),
        # Near miss: "not" with no address after it joins nothing.
        ("do not email dana at work", None, None),
    ],
)
def test_email_separators_of_a_model_apply_only_with_its_table(text: str, with_table, english_only) -> None:
    for forms, expected in ((TINY_EN_FORMS, with_table), (ENGLISH.spoken_forms, english_only)):
        normalised = normalise(text, forms)
        if expected is None:
            assert ("@" in normalised.text) is False
        else:
            assert (expected in normalised.text) is True


#: The zeros of a number said as "oh", repeated or after a word that sounds like a digit.
ZERO_VECTORS = [
    ("S S N double oh two dash oh three", ["00203"]),
    ("one double oh eight", ["1008"]),
    ("my code is four double oh", ["400"]),
    ("double oh seven", ["007"]),
    ("update my visa to oh six slash twenty nine", ["0629"]),  # "to" stays a word
    ("oh double five two", ["0552"]),
    ("send it to oh six one one", ["0611"]),
    # Near misses: letters spelled with "double o", and "oh" away from digits.
    ("spell it g double o g l e", []),
    ("go to oh my god", []),
    ("oh double check that", []),
]


@pytest.mark.parametrize("text, runs", ZERO_VECTORS)
def test_zeros_said_as_oh(text: str, runs: list) -> None:
    got = [run.digits for run in normalise(text, ENGLISH.spoken_forms).digit_runs]
    assert len(got) == len(runs)
    assert all(a == b for a, b in zip(got, runs))
