"""The shapes of a harmless number, each alone."""

from __future__ import annotations

import pytest
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.failsafe.harmless import (
    HarmlessNumbers,
    in_questions,
    in_result_sentences,
    in_when_questions,
    in_year_questions,
    is_counting,
    is_number_pair,
    is_round_number,
    is_scoreline,
)
from voicescrub.transforms.pii.failsafe.words import words_of


@pytest.fixture(scope="module")
def harmless() -> HarmlessNumbers:
    return HarmlessNumbers(load_pii_config().digit_run_failsafe)


@pytest.mark.parametrize("digits, counting", [
    ("123", True), ("54321", True), ("1234", True),
    # Near misses: not from or to one, not one step, from zero.
    ("234", False), ("135", False), ("0123", False), ("4173", False)])
def test_counting(digits: str, counting: bool) -> None:
    assert is_counting(digits) is counting


@pytest.mark.parametrize("digits, dictated, round_number", [
    ("2500", 1, True), ("300", 0, True), ("239000", 1, True), ("1500000", 0, True),
    ("2500", 4, False),  # read out digit by digit: a code
    ("2510", 1, False), ("50", 1, False),
    # four digits or more before the zeros: a code said as a number is as likely
    ("123400", 1, False), ("37400000", 0, True), ("374100000", 0, False),
    # longer than an account number may be: a card read out as one number
    ("4000000000000000", 0, False), ("400000000", 0, True), ("4000000000", 0, False)])
def test_round_number(digits: str, dictated: int, round_number: bool) -> None:
    assert is_round_number(digits, dictated, 9) is round_number


@pytest.mark.parametrize("digits, before, year", [
    ("1986", ["born", "in"], True), ("1999", ["the", "year"], True),
    ("1986", ["pin", "is"], False), ("3986", ["in"], False), ("986", ["in"], False)])
def test_year_in_a_date_phrase(harmless: HarmlessNumbers, digits: str, before: list, year: bool) -> None:
    assert harmless.is_year(digits, before) is year


@pytest.mark.parametrize("digits, before, after, year", [
    ("1912", ["which", "year", "did", "it", "sink"], ["or"], True),
    ("1750", ["in", "the", "18th", "century"], ["maybe"], True),
    ("1989", ["how", "many"], ["years", "ago"], True),
    # Near misses: a code word, no year word, a number no year has.
    ("1989", ["what", "year", "the", "code", "is"], [], False),
    ("1989", ["the", "door", "opens", "with"], ["when", "asked"], False),
    ("4829", ["which", "year"], [], False)])
def test_year_in_a_sentence_about_years(harmless: HarmlessNumbers, digits: str, before: list, after: list,
                                        year: bool) -> None:
    assert harmless.is_year(digits, before, after) is year


@pytest.mark.parametrize("digits, before, after, paired", [
    ("1989", ["was", "it"], ["or", "1991"], True),
    ("1991", ["it", "1989", "or"], [], True),
    ("1914", ["between"], ["and", "1918"], True),
    ("1989", ["was", "it"], ["or", "90"], True),  # the second year said by its last two digits
    # Near misses: the other is no year, a word between, no joining word, a run no year has.
    ("1989", ["was", "it"], ["or", "4821"], False),
    ("1989", ["was", "it"], ["or", "was", "it", "1991"], False),
    ("1989", ["was", "it"], ["1991"], False),
    ("4829", ["was", "it"], ["or", "1991"], False),
    ("1989", ["was", "it"], ["or", "905"], False),
    # A code word or a thing a code opens anywhere in reach: a guess at a code.
    ("1987", ["the", "code", "was", "something", "like"], ["or", "1978"], False),
    ("1357", ["was", "it"], ["or", "1375", "for", "the", "safe"], False),
    ("1975", ["locker", "combination", "it's", "either"], ["or", "1976"], False)])
def test_pair_of_years(harmless: HarmlessNumbers, digits: str, before: list, after: list, paired: bool) -> None:
    assert harmless.pairs_with_a_year(digits, before, after) is paired


def test_a_pair_of_years_after_a_code_word_is_a_code(harmless: HarmlessNumbers) -> None:
    assert harmless.is_year("1989", ["the", "code", "is"], [], paired=True) is False
    assert harmless.is_year("1989", ["was", "it"], [], paired=False) is False
    assert harmless.is_year("1989", ["was", "it"], [], paired=True) is True


@pytest.mark.parametrize("text, asked", [
    ("Was it 1989 or 1991?", [0, 1, 2, 3, 4]),
    ("Use 1987 or 1978 to disarm it. Why?", [7]),
    ("It was 1989 or 1991.", [])])
def test_in_questions(text: str, asked: list) -> None:
    assert sorted(in_questions(text, words_of(text))) == asked


@pytest.mark.parametrize("digits, before, clause_after, names", [
    ("2024", ["who", "won", "the"], ["us", "presidential", "election"], True),
    ("1982", ["directed", "the"], ["film", "blade", "runner"], True),
    ("2019", ["did", "the"], ["wimbledon", "men's", "final"], True),
    ("1989", ["won", "this"], ["tour"], True),
    # Near misses: no article or a possessive before it, a code word before it or anywhere in
    # its clause after it, nothing after it in its clause, a noun it does not date, the noun
    # too far, a joining, statement, function or closing word or a number before the noun, a
    # number no year has, five digits.
    ("2024", ["who", "won"], ["election"], False),
    ("1987", ["use", "my"], ["final"], False),
    ("1987", ["code", "the"], ["final"], False),
    ("1987", ["use", "the"], ["season", "pass", "code"], False),
    ("1987", ["open", "the"], [], False),
    ("1987", ["use", "the"], ["door", "code"], False),
    ("1987", ["punch", "the"], ["digits", "into", "the", "keypad"], False),
    ("2015", ["on", "a"], ["ford", "focus"], False),
    ("1987", ["the"], ["big", "red", "shiny", "final"], False),
    ("1962", ["is", "it", "the"], ["or", "the", "final"], False),
    ("1987", ["the"], ["is", "the", "final"], False),
    ("1987", ["type", "the"], ["for", "the", "final"], False),
    ("1987", ["use", "the"], ["now", "final"], False),
    ("1987", ["the"], ["1", "final"], False),
    ("4821", ["the"], ["final"], False),
    ("19870", ["the"], ["final"], False)])
def test_year_naming_what_follows(harmless: HarmlessNumbers, digits: str, before: list,
                                  clause_after: list, names: bool) -> None:
    assert harmless.names_by_year(digits, before, before, clause_after) is names


@pytest.mark.parametrize("before, leading, clause_after, names", [
    (["who", "won", "the"], ["who", "won", "the"], ["election"], True),
    (["yes,", "the"], ["the"], ["final"], True),
    # Near misses: a code word or a thing a code opens anywhere in the window before, even
    # past a clause break; a value word right before the article; a function word or a
    # closing word before the noun.
    (["the", "extension", "is", "the"], ["the", "extension", "is", "the"], ["series"], False),
    (["keypad", "the"], ["the"], ["release"], False),
    (["combo's", "that"], ["combo's", "that"], ["album"], False),
    (["unlock", "with", "the"], ["unlock", "with", "the"], ["version"], False),
    (["it", "was", "the"], ["it", "was", "the"], ["final"], False),
    (["the"], ["the"], ["you", "final"], False),
    (["the"], ["the"], ["cheers", "final"], False)])
def test_year_naming_reads_the_words_around_the_clause(harmless: HarmlessNumbers, before: list, leading: list,
                                                       clause_after: list, names: bool) -> None:
    assert harmless.names_by_year("1987", before, leading, clause_after) is names


@pytest.mark.parametrize("digits, before, after, clock", [
    ("1030", ["at"], [], True), ("645", [], ["tomorrow"], True),
    ("1030", ["code"], [], False), ("2575", ["at"], [], False), ("12345", ["at"], [], False)])
def test_clock_time_with_a_time_word(harmless: HarmlessNumbers, digits: str, before: list, after: list,
                                     clock: bool) -> None:
    assert harmless.is_clock_time(digits, before, after) is clock


def marked(finder, policy, text: str, number: str) -> bool:
    """Whether ``finder`` (``in_when_questions`` or ``in_year_questions``) marks the word
    ``number`` of ``text``."""
    words = words_of(text)
    index = next(i for i, (_, _, w) in enumerate(words) if w == number)
    return index in finder(policy, text, words)


# The run is always "1969": in a question that "when" opens, in the sentence answering it,
# or near misses where "when" asks nothing.
@pytest.mark.parametrize("text, answers", [
    ("When was the moon landing, 1969?", True),
    ("When was the moon landing? 1969, wasn't it?", True),
    ("When was the moon landing? I think it was 1969.", True),
    ("So when was the moon landing, 1969?", True),
    ("Um, when was it... 1969?", True),
    ("When did it open? Um, maybe around 1969?", True),
    ("When did the wall fall? 1970 or 1969?", True),
    ("When? 1969?", True),
    ("When did it open, 1969?", True),
    # A contraction asks as the word does, its verb said already.
    ("When's the launch, 1969?", True),
    ("When's it open, 1969?", True),
    # A request opens after its address: wake words and hesitations before the question word.
    ("Hey Google, when was the moon landing, 1969?", True),
    ("OK Google, um, when did the wall fall? Was it 1969?", True),
    # Near misses: not a question, "when" not opening it, the answer a sentence too late,
    # a question that asks something else.
    ("When you call, give them 1969.", False),
    ("The door opens with 1969 when asked?", False),
    ("When was the moon landing? No idea. 1969.", False),
    ("Which flight was it? 1969?", False),
    ("What year did the Mini come out? Was it 1969?", False),  # a year question, below
    ("When is the plumber due? The door opens with 1969.", False),
    ("When is the cleaner coming? Let her in with 1969.", False),
    ("When you get in, did you use 1969?", False),
    ("When I arrive, is it still 1969?", False),
    # past the address, "when" opens nothing: a third word, a clause, a statement
    ("Hey Google, I wonder when the moon landing was, 1969?", False),
    ("Hey Google, when you call, give them 1969.", False),
    ("Hey Google, the gate, when asked, is 1969?", False),
    ("1969", False)])
def test_in_when_questions(text: str, answers: bool) -> None:
    assert marked(in_when_questions, load_pii_config().digit_run_failsafe, text, "1969") is answers


# "What" or "which" right before a year word asks for a year; alone it asks for anything.
@pytest.mark.parametrize("text, answers", [
    ("What year did the Mini come out? Was it 1969?", True),
    ("So which decade was the moon landing? 1969?", True),
    ("Which year, 1969?", True),
    ("Hey Siri, um, what year did the Mini come out? Was it 1969?", True),
    ("Which flight was it? 1969?", False),
    ("Alexa, which flight was it? 1969?", False),
    ("Hey Siri, tell me what year it was? 1969?", False),
    ("What was the code that year? 1969?", False),
    ("What's it for, this year? 1969?", False),
    ("When did it open? 1969?", False),  # a "when" question, above
    ("What year did the Mini come out. 1969.", False)])
def test_in_year_questions(text: str, answers: bool) -> None:
    assert marked(in_year_questions, load_pii_config().digit_run_failsafe, text, "1969") is answers


@pytest.mark.parametrize("text, answers", [
    ("Quand le mur est-il tombé ? 1989 ?", True),
    ("Quand le mur est-il tombé ? Je crois que c'était 1989 .", True),
    # Near misses: a statement, its "." set apart; a subject after "quand" opens a clause; an
    # answer that turns to something else.
    ("Quand tu appelles, donne 1989 .", False),
    ("Quand tu arrives, tu tapes 1989 ?", False),
    ("Quand passe le plombier ? La porte s'ouvre avec 1989 .", False)])
def test_in_when_questions_reads_a_lone_question_mark(text: str, answers: bool) -> None:
    """French sets its "?" apart: a lone "?" closes the question before it."""
    from voicescrub.transforms.language.packs import load_pack
    policy = load_pii_config(pack=load_pack("fr")).digit_run_failsafe
    assert marked(in_when_questions, policy, text, "1989") is answers


@pytest.mark.parametrize("digits, before, answers", [
    ("1969", ["when", "was", "it"], True), ("2130", [], True), ("645", [], True),
    # Near misses: a code word before it, neither a year nor a time.
    ("1969", ["the", "code"], False), ("4829", [], False), ("2575", [], False), ("19690", [], False)])
def test_answers_when(harmless: HarmlessNumbers, digits: str, before: list, answers: bool) -> None:
    assert harmless.answers_when(digits, before) is answers


@pytest.mark.parametrize("digits, before, after, corrected, corrects", [
    ("1964", ["no", "sorry", "make", "that"], ["please"], "1960", True),
    ("745", ["no", "i", "meant"], [], "715", True),
    ("1964", ["make", "it", "er"], [], "1960", True),    # the phrase a word before the run
    ("1942", ["7:15", "sorry"], [], "715", True),        # 19:42 and 7:15: both clock-shaped
    # Near misses: nothing let through before it, no correction phrase, shapes apart (a year
    # then a code no year or time has), a code word before or after the run, the phrase too far.
    ("1964", ["make", "that"], [], "", False),
    ("1964", ["and", "what", "about"], [], "1960", False),
    ("4829", ["sorry"], [], "1960", False),
    ("1964", ["sorry", "the", "pin"], [], "1960", False),
    ("1964", ["sorry"], ["is", "my", "code"], "1960", False),
    ("1964", ["make", "that", "one", "er"], [], "1960", False)])
def test_correction(harmless: HarmlessNumbers, digits: str, before: list, after: list,
                    corrected: str, corrects: bool) -> None:
    assert harmless.corrects(digits, before, after, corrected) is corrects


def test_quantity_list_and_arithmetic(harmless: HarmlessNumbers) -> None:
    assert harmless.is_quantity([], ["steps"]) and harmless.is_quantity(["ran"], ["minutes"])
    assert harmless.is_quantity([], ["more", "minutes"]) and not harmless.is_quantity([], ["and", "then", "minutes"])
    # The unit measures the number right before it: another number between them, or digits
    # said before the run's last number that would be a code on their own, make no quantity.
    assert not harmless.is_quantity([], ["40", "grams"]) and harmless.is_quantity([], ["grams", "40"])
    assert not harmless.is_quantity([], ["grams"], leading_digits=7)
    assert harmless.is_quantity([], ["minutes"], leading_digits=2)
    # a code word before the run makes it a code, whatever unit the model heard after it
    assert not harmless.is_quantity(["code", "is"], ["fm"]) and not harmless.is_quantity(["number"], ["minutes"])
    assert harmless.is_listed(["play", "track"]) and not harmless.is_listed(["track", "my"])
    assert harmless.is_arithmetic(["what", "is"], ["times", "7"]) and not harmless.is_arithmetic(["my"], ["is"])


@pytest.mark.parametrize("before, coded", [
    (["the", "alarm", "code", "is"], True), (["enter"], True), (["punch", "in"], True),
    (["the", "side", "door", "is"], True), (["the", "gate", "opens", "with"], True),
    (["set", "the", "padlock", "to"], True), (["the", "lockbox's"], True), (["the", "door's"], True),
    (["the", "combo's"], True),
    # Near misses: the thing too far back, no link right before the run, a link after a thing
    # no code opens, an alarm (a time to wake as often as a code), nothing before the run.
    (["the", "door", "that", "we", "opened", "is"], False), (["lock", "the", "door", "at"], False),
    (["the", "meeting", "is"], False), (["set", "the", "alarm", "to"], False), ([], False)])
def test_after_code_word(harmless: HarmlessNumbers, before: list, coded: bool) -> None:
    assert harmless.after_code_word(before) is coded


def test_a_listed_word_after_a_code_word_lists_nothing(harmless: HarmlessNumbers) -> None:
    assert harmless.is_listed(["play", "track"]) and not harmless.is_listed(["door", "code", "track"])


@pytest.mark.parametrize("before, after, operands, arithmetic", [
    (["what", "is"], ["times", "7"], True, True), (["what's"], ["squared"], False, True),
    # Near misses: a sum word with no second number in the clause ("add 4821 to my notes",
    # "my number is plus 44 7700 900123"), a code word before a one-term word.
    (["add"], ["to", "my"], False, False), (["number", "is", "plus"], [], False, False),
    (["code"], ["squared"], False, False)])
def test_a_sum_has_two_terms(harmless: HarmlessNumbers, before: list, after: list, operands: bool,
                             arithmetic: bool) -> None:
    assert harmless.is_arithmetic(before, after, operands) is arithmetic


@pytest.mark.parametrize("before, after, arithmetic", [
    (["add", "up"], ["and"], True), (["the", "average", "of"], [], True), (["the", "sum", "of"], [], True),
    # Near misses: a code word before the run, the word too far off.
    (["add", "code"], [], False), (["add", "the", "number"], [], False), (["add", "it", "to", "my"], [], False)])
def test_a_term_of_a_sum(harmless: HarmlessNumbers, before: list, after: list, arithmetic: bool) -> None:
    assert harmless.is_arithmetic(before, after) is arithmetic


@pytest.mark.parametrize("pieces, pair", [
    (("112", "to", "108"), True),  # a score, each side said as one number
    (("24", "to", "21"), True),
    (("7", "15", "to", "7", "40"), True),  # a span between two times of day
    (("7:15", "to", "7:40"), True),
    (("10", "to", "9"), True), (("25", "to", "7"), True),  # a time before the hour
    # Near misses: a side read out a digit at a time, sides of different shapes, a zero
    # opening a side, minutes no clock says, an hour past twelve, two range words, another
    # homophone in the run.
    (("4", "to", "21"), False), (("1", "2", "to", "3", "4"), False),
    (("12", "34", "to", "56"), False), (("07", "to", "21"), False),
    (("15", "to", "9"), False), (("5", "to", "13"), False),
    (("12", "to", "34", "to", "56"), False), (("12", "for", "to", "34"), False),
    (("7", "15", "to", "7", "75"), False), (("1122108",), False),
    (("S", "12", "to", "34"), False),
])
def test_number_pair(pieces: tuple, pair: bool) -> None:
    assert is_number_pair(pieces, frozenset({"to"})) is pair


@pytest.mark.parametrize("written, scoreline", [
    ("31-28", True), ("2-0", True), ("112-108", True), ("6-4, 6-3, 7-5", True),
    ("6-4, 3-2", True), ("7-6 6-7 6-4", True), ("3-6, 6-4, 2-1", True),
    # Near misses: three numbers hyphenated together (a sort code, an SSN), a side of four
    # digits (a phone number), three-digit sides far apart (a six-digit code in halves) or
    # beside a two-digit side, a side opening with a zero, two-digit pairs in a list (card
    # or account digits read in pairs), sets no tennis match has (a set past 7, an unfinished
    # set before the last), six sets, a trailing digit, a comma pair, a bare number.
    ("20-45-67", False), ("555-1234", False), ("482-917", False), ("240-46", False),
    ("04-30", False), ("12-34, 56-78", False), ("1-8, 5-0, 4-3", False), ("4-8, 2-9", False),
    ("3-2, 6-4", False), ("6-4, 6-3, 7-5, 6-4, 3-6, 7-5", False), ("6-4, 6-7, 5", False),
    ("28, 17", False), ("2814", False)])
def test_scoreline(written: str, scoreline: bool) -> None:
    assert is_scoreline(written) is scoreline


@pytest.mark.parametrize("text, reports", [
    ("Did the Chiefs win 31-28 on Sunday?", True), ("I heard it was 112-108 in overtime.", True),
    ("What's the score? 3-1?", True), ("What was the final score, was it 24-21?", True),
    # Near misses: the result word in another sentence that asks nothing, a code word in the
    # sentence or in the question, words as often about other things ("final", "game", "lose").
    ("We won. Text 48-29 now.", False), ("Did we win? The door code is 48-29.", False),
    ("Which code won? 48-29?", False), ("The final four digits are 48-29.", False),
    ("The game starts at 7, buzz 48-29.", False), ("Don't lose this, 48-29.", False),
    # An answer gives its number after lead words only; a sentence that turns to something
    # else answers nothing.
    ("What's the score? I think it's 48-29.", True),
    ("What's the score? The door is 48-29.", False)])
def test_in_result_sentences(text: str, reports: bool) -> None:
    words = words_of(text)
    index = next(i for i, (_, _, w) in enumerate(words) if "-" in w and w[0].isdigit())
    assert (index in in_result_sentences(load_pii_config().digit_run_failsafe, text, words)) is reports
