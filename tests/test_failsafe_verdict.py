"""One run's verdict: the tiers of the fail-safe (rules 1, 2, 5 and 6), each with near misses."""

from __future__ import annotations

from typing import Optional

import pytest
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.failsafe.banking_context import (
    STRONG,
    WEAK,
    BankingContext,
)
from voicescrub.transforms.pii.failsafe.verdict import (
    SCORE,
    SCORE_IN_BANKING_CONTEXT,
    RunVerdict,
)
from voicescrub.transforms.pii.failsafe.words import clause_end, clause_start, words_of

POLICY = load_pii_config().digit_run_failsafe
VERDICT = RunVerdict(POLICY, BankingContext(POLICY))


def _score(text: str, run: str, **kwargs) -> Optional[float]:
    start = text.index(run)
    return VERDICT.score(words_of(text), start, start + len(run), **kwargs)


def _clause_of(text: str, run: str) -> dict:
    """The clause bounds the recognizer passes for ``run`` of ``text``."""
    words = words_of(text)
    start = text.index(run)
    return {"clause_start": clause_start(text, words, start), "clause_end": clause_end(text, words, start + len(run))}


@pytest.mark.parametrize(
    "text, run, kwargs, expected",
    [
        # Rule 1: long runs, short runs, dictated runs, outside banking context.
        ("please note 417355", "417355", {}, SCORE),
        ("please note 4173", "4173", {}, SCORE),
        ("please note 417", "417", {"dictated": 3}, SCORE),
        ("please note 417", "417", {}, None),  # three digits said as a number
        ("walk 25000 steps", "25000", {}, None),  # a quantity
        ("play track 123456", "123456", {}, None),  # a place in a list
        ("what is 123456 times 7", "123456", {}, None),  # arithmetic
        ("born in 1986", "1986", {}, None),  # a year in a date phrase
        ("wake me at 1030", "1030", {}, None),  # a clock time
        ("about 2500 people", "2500", {}, None),  # a round number said as one
        ("then 1234 now", "1234", {}, None),  # counting
        ("wake me at 1030", "1030", {"dictated": 4, "spelled": 4}, SCORE),  # read out digit by digit
        # A score, a range or a time spoken around a range word; a code word or banking
        # context before it makes it a value being given.
        ("the final score was 1122108", "1122108", {"paired": True}, None),
        ("the door code is 1122108", "1122108", {"paired": True}, SCORE),
        ("my account 1122108", "1122108", {"paired": True}, SCORE_IN_BANKING_CONTEXT),
        ("and then 1029", "1029", {"paired": True, "clip_banking": WEAK}, SCORE),
        # A number written with thousands separators was said as one number, below min_digits.
        ("please note 1,250", "1,250", {"n_digits": 4, "grouped": True}, None),
        ("the code is 1,250", "1,250", {"n_digits": 4, "grouped": True}, SCORE),
        ("please note 123,456", "123,456", {"n_digits": 6, "grouped": True}, SCORE),
        ("my account 1,250", "1,250", {"n_digits": 4, "grouped": True}, SCORE_IN_BANKING_CONTEXT),
        # Rule 4 (stated value): judged as a short run.
        ("my code is 574.", "574", {"stated": True}, SCORE),
        # Rule 2: near a banking word the bar drops and only money is harmless.
        ("my account 4173", "4173", {}, SCORE_IN_BANKING_CONTEXT),
        ("my account 4173 minutes", "4173", {}, SCORE_IN_BANKING_CONTEXT),
        ("my account pay 4173 dollars", "4173", {}, None),
        # No sum of money has a card number's digits: the model wrote a number read out as money.
        ("my card for $4000000000000000", "$4000000000000000", {"n_digits": 16}, SCORE_IN_BANKING_CONTEXT),
        ("my card for $4000000000", "$4000000000", {"n_digits": 10}, None),
        ("my card for $40000000000", "$40000000000", {"n_digits": 11}, SCORE_IN_BANKING_CONTEXT),
        # Rule 5: clip-level mode; weak keeps quantities, years and times harmless.
        ("and then 417", "417", {"clip_banking": STRONG}, SCORE),
        ("and then 41", "41", {"clip_banking": STRONG}, None),
        ("at 1030 then", "1030", {"clip_banking": WEAK}, None),
        ("at 1030 then", "1030", {"clip_banking": STRONG}, SCORE),
        # Rule 6: a code glued to letters, outside banking context.
        ("send N0548 now", "N0548", {"n_digits": 4, "glued": True, "prefixed": True}, SCORE),
        ("send N054 now", "N054", {"n_digits": 3, "glued": True, "prefixed": True}, None),
    ],
)
def test_run_verdict(text: str, run: str, kwargs: dict, expected: Optional[float]) -> None:
    assert _score(text, run, **kwargs) == expected


@pytest.mark.parametrize("text, run, expected", [
    # A hesitation neither hides a code word nor parts two numbers of one role.
    ("the combination is, um, 1230 tomorrow morning", "1230", SCORE),
    ("in 1066 or, er, 1086", "1086", None),
    ("set an alarm for, um, uh, 1245 tomorrow", "1245", None),
    # Near misses: the same words without a hesitation judge the same way; a word that is
    # not a hesitation still parts two numbers.
    ("the combination is 1230 tomorrow morning", "1230", SCORE),
    ("in 1066 or 1086", "1086", None),
    ("in 1066 or, well, 1086", "1086", SCORE),
])
def test_hesitations_are_not_words(text: str, run: str, expected: Optional[float]) -> None:
    assert _score(text, run) == expected


@pytest.mark.parametrize("text, run, kwargs, expected", [
    # A scoreline in a sentence about a result is a score, unless a code word comes before it.
    ("they won 48-29 on sunday", "48", {"n_digits": 4, "scoreline": True}, None),
    ("they won 48-29 on sunday", "48", {"n_digits": 4}, SCORE),
    ("they won, code 48-29", "48", {"n_digits": 4, "scoreline": True}, SCORE),
    # A round number is a quantity, unless a code word comes before it.
    ("invite 4800 people", "4800", {}, None),
    ("the combination is 4800", "4800", {}, SCORE),
    # At any length, when at most three digits come before its zeros.
    ("was it over 500000 managers", "500000", {}, None),
    ("the moon is about 239000 away", "239000", {}, None),
    ("the code is 239000", "239000", {}, SCORE),
    ("the moon is about 239400 away", "239400", {}, SCORE),
    ("my account is 500000", "500000", {}, SCORE_IN_BANKING_CONTEXT),
])
def test_scorelines_and_round_numbers_yield_to_code_words(text: str, run: str, kwargs: dict,
                                                           expected: Optional[float]) -> None:
    start = text.index(run)
    assert VERDICT.score(words_of(text), start, start + len(run), **kwargs) == expected


@pytest.mark.parametrize("text, run, expected", [
    ("who won the 2024 us election", "2024", None),
    ("who directed the 1982 film blade runner?", "1982", None),
    # Near misses: the clause ends at the year, the word after it is read out with it, a
    # code word in its clause, a noun it does not date, banking context.
    ("open the 2015, final now", "2015", SCORE),
    ("open the 2015 1 final", "2015", SCORE),
    ("give the 1962 gate code", "1962", SCORE),
    ("dial 555 then the 1204 line", "1204", SCORE),
    ("my card is the 2015 final", "2015", SCORE_IN_BANKING_CONTEXT),
])
def test_a_year_naming_what_follows(text: str, run: str, expected: Optional[float]) -> None:
    assert _score(text, run, **_clause_of(text, run)) == expected


def test_a_year_naming_what_follows_is_a_value_in_clip_banking_mode() -> None:
    assert _score("who won the 2024 us election", "2024", clip_banking=WEAK) == SCORE


@pytest.mark.parametrize("text, run, last_word", [
    ("It took 4829 minutes.", "4829", "minutes"), ("Add 1250 and 3475 grams.", "1250", "grams"),
    ("The door is 48291, minutes later.", "48291", "48291"),
    ("Open with 7351. People wait.", "7351", "7351"), ("Count to 5829 \"slowly\" now", "5829", "now"),
    ("Just 5829… steps", "5829", "5829")])
def test_clause_end(text: str, run: str, last_word: str) -> None:
    words = words_of(text)
    start = text.index(run)
    word_start, word_end, _ = words[clause_end(text, words, start + len(run))]
    assert text[word_start:word_end].startswith(last_word)


@pytest.mark.parametrize("text, run", [
    ("We were left with 7351. People are waiting.", "7351"),
    ("It said 48291, minutes later it locked.", "48291"),
    ("Leave it under 48291; hours later I'll be back.", "48291")])
def test_a_unit_counts_in_the_runs_own_clause(text: str, run: str) -> None:
    words = words_of(text)
    start = text.index(run)
    end = start + len(run)
    assert VERDICT.score(words, start, end) is None  # read without clause ends: a unit
    assert VERDICT.score(words, start, end, clause_end=clause_end(text, words, end)) is not None


@pytest.mark.parametrize("text, run, first_word", [
    ("Skip this track. 739164 is the code.", "739164", "739164"),
    ("Play track 123456 now", "123456", "Play"),
    ("Yes, the 2024 election", "2024", "the"), ("Well… page 4829", "4829", "page"),
    ("He said \"stop.\" 4829 then", "4829", "4829")])
def test_clause_start(text: str, run: str, first_word: str) -> None:
    words = words_of(text)
    word_start, word_end, _ = words[clause_start(text, words, text.index(run))]
    assert text[word_start:word_end].startswith(first_word)


@pytest.mark.parametrize("text, run", [
    ("Skip this track. 739164 is the code.", "739164"),
    ("Turn the page, 4829 opens the gate.", "4829"),
    ("Who won the. 2024 election", "2024")])
def test_a_word_before_counts_in_the_runs_own_clause(text: str, run: str) -> None:
    bounds = _clause_of(text, run)
    assert _score(text, run, clause_end=bounds["clause_end"]) is None  # read across the break
    assert _score(text, run, **bounds) is not None


@pytest.mark.parametrize("text, run", [("Play track 123456 now", "123456"), ("Go to page 4829.", "4829")])
def test_a_word_before_in_the_clause_still_lists_the_run(text: str, run: str) -> None:
    assert _score(text, run, **_clause_of(text, run)) is None


@pytest.mark.parametrize("text, run, expected", [
    # The value of a thing a code opens, or a run keyed in, whatever its shape.
    ("the side door is 1357 tomorrow", "1357", SCORE),
    ("the gate opens with 1987", "1987", SCORE),
    ("enter 1432 to log in", "1432", SCORE),
    ("the lockbox is 1234", "1234", SCORE),
    ("the garage is 2500", "2500", SCORE),
    ("add 4821 to my notes", "4821", SCORE),
    # Near misses: the same shapes with nothing to open or key in.
    ("wake me 1357 tomorrow", "1357", None),
    ("it opened in 1987", "1987", None),
    ("then 1234 now", "1234", None),
    ("invite 2500 people", "2500", None),
    ("add 4821 and 17", "4821", None),
])
def test_a_value_given_for_a_lock_or_keyed_in_is_a_code(text: str, run: str, expected: Optional[float]) -> None:
    assert _score(text, run, **_clause_of(text, run)) == expected


@pytest.mark.parametrize("text, run, harmless", [
    ("Play track 123456 now", "123456", True),
    ("add 4821 and 17", "4821", True),
    # Near misses: the listed word in the sentence before, a sum word with no second term.
    ("Skip this track. 739164 is the code.", "739164", False),
    ("add 4821 to my notes", "4821", False),
])
def test_harmless_shape_reads_the_runs_clause(text: str, run: str, harmless: bool) -> None:
    """The shapes other steps ask about (the companions, the audit) read the clause as the
    verdict does."""
    from voicescrub.transforms.pii.recognizers.digit_run_failsafe_recognizer import (
        DigitRunFailsafeRecognizer,
    )
    start = text.index(run)
    end = start + len(run)
    assert VERDICT.harmless_shape(words_of(text), start, end, **_clause_of(text, run)) is harmless
    assert DigitRunFailsafeRecognizer(POLICY).harmless_at(text, start, end) is harmless


@pytest.mark.parametrize("text, run, expected", [
    ("add up 12, 47, and 305", "305", None),
    ("add 4821 and 17", "4821", None),
    ("what is 123456 times 7", "123456", None),
    # Near misses: the other number in a clause of its own, after the run's clause or before
    # it; a word that overlaps the run.
    ("add 4821, then set a timer for 10 minutes", "4821", SCORE),
    ("if 4821 fails, subtract 1", "4821", SCORE),
    ("for 10 minutes, then add 4821", "4821", SCORE),
    ('add "4821" to my notes', "4821", SCORE),
])
def test_a_sum_has_its_second_term_in_its_clause_or_list(text: str, run: str, expected: Optional[float]) -> None:
    assert _score(text, run, **_clause_of(text, run)) == expected
