"""The shapes of a harmless number (the exemptions of rules 1, 2 and 5 of the fail-safe).

A quantity (a unit, money or a percent word within two words after it), a track, place in a
list or public transport service (a word right before it in its clause), arithmetic near it
with a second number, two numbers joined by a range word (a score, a range, a span of times, a
time before the hour), a scoreline written with hyphens in a sentence about a game's result or
answering a question about one; and for short runs only, a year in a date phrase or a sentence
about years, one of two years a question weighs ("was it 1989 or 1991?"), a year dating
an event, an edition or a model ("the 2024 election"), a clock time with a time word, a year or
a time in a question asking "when" or in its answer, a correction of a year or a time let
through just before, a round number said as one number, and counting.
Numbers joined by "and", "or" ("add 1250 and 3475") share their context. A code word before a
run, or a run given as the value of a thing a code opens, outweighs every one of these.
"""

from __future__ import annotations

from typing import AbstractSet, Callable, FrozenSet, List, Sequence, Tuple

import regex as re
from voicescrub.transforms.pii.config import DigitRunPolicy
from voicescrub.transforms.pii.failsafe.words import Word, is_number, sentences


def is_counting(digits: str) -> bool:
    """Whether the digits count up from 1 or down to 1 one step at a time ("123", "54321").

    Not from 0: "0-1-2-3" is how the end of a phone number sounds, nobody counts from zero.
    """
    steps = {int(b) - int(a) for a, b in zip(digits, digits[1:])}
    return len(steps) == 1 and ((steps == {1} and digits[0] == "1") or (steps == {-1} and digits[-1] == "1"))


def is_round_number(digits: str, dictated: int, max_digits: int) -> bool:
    """A number of three to ``max_digits`` digits ending in "00", at most three of them before
    its zeros, said as a number, not digit by digit: "2500", "four hundred thousand", "239,000",
    "1,500,000" are quantities; "123,400" and "37,400,068" are not round enough to tell from a
    code read out, and "4,000,000,000,000,000" is as long as a card number (``max_digits``:
    ``DigitRunPolicy.round_number_max_digits``)."""
    return (3 <= len(digits) <= max_digits and dictated <= 1 and digits.endswith("00") and digits.isdigit()
            and len(digits.rstrip("0")) <= 3)


#: Minutes said before the hour in a time of day ("ten to nine", "twenty five to seven").
_MINUTES_BEFORE_THE_HOUR = frozenset({"5", "10", "20", "25"})


def _whole_number(side: Sequence[str]) -> bool:
    """One piece of two digits or more not opening with a zero: a number said as a number
    ("112", "twenty four"), not digits read out."""
    return len(side) == 1 and len(side[0]) >= 2 and not side[0].startswith("0")


def _time_of_day(side: Sequence[str]) -> bool:
    """An hour then its minutes as two pieces ("7 15", "seven forty"): H or HH up to 23, then MM."""
    return (len(side) == 2 and 1 <= len(side[0]) <= 2 and int(side[0]) <= 23
            and len(side[1]) == 2 and int(side[1]) <= 59)


def is_number_pair(pieces: Sequence[str], range_words: AbstractSet[str]) -> bool:
    """Whether a run, as spoken (:attr:`DigitRun.pieces`), is two numbers joined by one range
    word that the normaliser took for a digit: a score or a range between two numbers each
    said as one number ("112 to 108", "twenty four to twenty one"), a span between two times
    of day ("7 15 to 7 40"), or a time before the hour ("ten to nine").

    A dictated code is read a digit or a pair at a time, so a range word inside one sits next
    to a single digit or between sides of different shapes ("12 34 to 56").
    """
    at = [k for k, piece in enumerate(pieces) if piece in range_words]
    if len(at) != 1:
        return False
    # A numeral written as a time ("7:15") is one piece of its digits.
    left = [piece.replace(":", "") for piece in pieces[: at[0]]]
    right = [piece.replace(":", "") for piece in pieces[at[0] + 1 :]]
    if not left or not right or not all(piece.isdigit() for piece in [*left, *right]):
        return False
    if (_whole_number(left) and _whole_number(right)) or (_time_of_day(left) and _time_of_day(right)):
        return True
    return (len(left) == 1 and left[0] in _MINUTES_BEFORE_THE_HOUR
            and len(right) == 1 and 1 <= int(right[0]) <= 12)


#: One score written as the model writes it: two numbers around one hyphen ("31-28", "2-0"),
#: neither opening with a zero unless it is nought.
_SCORE = re.compile(r"(0|[1-9]\d{0,2})-(0|[1-9]\d{0,2})")
#: Two three-digit sides are a close game (basketball: "112-108"), not a six-digit code read
#: in halves ("482-917"): at most this far apart.
_MOST_POINTS_APART = 40
#: Tennis matches last at most five sets.
_MOST_SETS = 5


def _finished_set(a: int, b: int) -> bool:
    """A tennis set won 6 to at most 4, or 7-5, or 7-6 after a tie-break."""
    high, low = max(a, b), min(a, b)
    return (high == 6 and low <= 4) or (high == 7 and low in (5, 6))


def is_scoreline(written: str) -> bool:
    """Whether a run, as the speech model wrote it, is a scoreline: one score of up to two
    digits a side ("31-28", "2-0") or of two close three-digit sides ("112-108"), or a
    tennis match's sets ("6-4, 6-3, 7-5", "6-4, 3-2": every set but the last one finished).

    A dictated code is written the same way often enough (in the evaluation corpora's
    transcripts, "1-8, 5-0, 4-3" for a sort code, "41-46, 58-73" for card digits), so the shape
    alone proves nothing: :func:`in_result_sentences` must find a sentence about a game's
    result. Three numbers hyphenated together ("20-45-67"), a side of four digits
    ("555-1234"), three-digit sides far apart ("482-917") and sets no tennis match has
    ("4-8, 2-9") are never a scoreline.
    """
    scores = [_SCORE.fullmatch(piece) for piece in re.split(r",?\s+", written.strip()) if piece]
    if not scores or not all(scores):
        return False
    sides = [(score.group(1), score.group(2)) for score in scores if score]
    if len(sides) == 1:
        a, b = sides[0]
        if len(a) == 3 or len(b) == 3:
            return len(a) == len(b) == 3 and abs(int(a) - int(b)) <= _MOST_POINTS_APART
        return True
    if len(sides) > _MOST_SETS or any(len(a) > 1 or len(b) > 1 for a, b in sides):
        return False
    *finished, last = [(int(a), int(b)) for a, b in sides]
    return all(_finished_set(a, b) for a, b in finished) and (
        _finished_set(*last) or max(last) <= 6)


#: Words either side of a clock-shaped run searched for a time word: "set an alarm for 1245",
#: "1245 in the afternoon".
_TIME_CUE_WINDOW = 3


def _ends_with(words: Sequence[str], phrase: Sequence[str]) -> bool:
    return len(words) >= len(phrase) > 0 and list(words[len(words) - len(phrase):]) == list(phrase)


def year_shaped(word: str) -> bool:
    """Four digits that may be a year (1000-2099)."""
    return len(word) == 4 and word.isdigit() and 1000 <= int(word) <= 2099


def _clock_shaped(digits: str) -> bool:
    """H:MM or HH:MM written without its colon ("645", "2315")."""
    return (len(digits) in (3, 4) and digits.isdigit()
            and int(digits[:-2]) <= 23 and int(digits[-2:]) <= 59)


def _stem(word: str) -> str:
    """A word without the "'s" that makes it a possessive or a contraction ("lockbox's")."""
    return word.removesuffix("'s").removesuffix("\u2019s")

#: Words after a year that may lead up to the noun it dates ("the 2024 US presidential election").
_DATED_NOUN_WITHIN = 3

#: Words a question word may follow and still open the question ("So when did ...").
_QUESTION_OPENING_WORDS = 2


def _past_address(said: Sequence[Word], skipped: AbstractSet[str]) -> Sequence[Word]:
    """A sentence's words from the first one that is neither a wake word nor a hesitation: a
    request opens after its address ("Hey Google, um, when did the wall fall?" opens at "when")."""
    k = 0
    while k < len(said) and said[k][2] in skipped:
        k += 1
    return said[k:]


def _sentences_and_answers(text: str, words: Sequence[Word],
                           holds: Callable[[Sequence[Word], bool], bool],
                           leads: AbstractSet[str],
                           refuses: Callable[[Sequence[Word]], bool] = lambda _: False,
                           ) -> FrozenSet[int]:
    """The indexes of the words in each sentence that ``holds`` accepts (given its words and
    whether it is a question), and in the sentence right after an accepted question, which
    answers it, unless ``refuses`` turns that answer down. An answer runs up to its first word
    that is neither a number nor in ``leads``, that word included: "1969, wasn't it?", "1969 or
    1970?" and "I think it was 1969" answer, "The door opens with 1987" turns to something
    else at "door"."""
    marked: List[int] = []
    answering = False
    for first, last, question in sentences(text, words):
        said = words[first : last + 1]
        accepted = holds(said, question)
        if accepted:
            marked.extend(range(first, last + 1))
        elif answering and not refuses(said):
            opening = next((k for k, (_, _, w) in enumerate(said) if w not in leads and not is_number(w)),
                           len(said) - 1)
            marked.extend(range(first, first + opening + 1))
        answering = accepted and question
    return frozenset(marked)


def _answer_leads(policy: DigitRunPolicy) -> FrozenSet[str]:
    """The words an answer may open with before it gives its number."""
    return (policy.function_words | policy.value_statement_words | policy.answer_lead_words
            | policy.hesitation_words | policy.coordinating_words)


def in_when_questions(policy: DigitRunPolicy, text: str, words: Sequence[Word]) -> FrozenSet[int]:
    """The indexes of the words that sit in a question asking for a time, or in the sentence
    right after one: a question is a sentence closed by "?", and it asks for a time when one
    of ``when_question_words`` is among its first two words past the wake words and hesitations
    that address the assistant ("When did the wall fall? 1989, wasn't it?", "So when was the
    moon landing, 1969?", "When's the eclipse, 2026?", "Hey Google, um, when did it open, 1969?").

    Mid-sentence ("opens with 1989 when asked"), in a statement ("When you call, give
    1989.") or opening a clause with its own subject, one of ``clause_subject_words`` ("When
    you get in, did you use 1989?"), the word asks nothing; "when's" has its verb already
    ("When's it open, 1969?"). The answer gives its number after
    lead words only (:func:`_answer_leads`): in "When is the plumber due? The door opens with
    1987." it turns to something else. Read once per transcript, in one pass over its words.
    """
    cues = policy.when_question_words
    if not cues:
        return frozenset()

    subjects = policy.clause_subject_words

    def asks_when(said: Sequence[Word], question: bool) -> bool:
        said = _past_address(said, policy.address_words)
        opening = [w for _, _, w in said[: _QUESTION_OPENING_WORDS + 1]]
        following = opening[1:] + [""]
        return question and any(
            _stem(w) in cues and (w != _stem(w) or following[k] not in subjects)
            for k, w in enumerate(opening[:_QUESTION_OPENING_WORDS]))

    return _sentences_and_answers(text, words, asks_when, _answer_leads(policy))


def in_year_questions(policy: DigitRunPolicy, text: str, words: Sequence[Word]) -> FrozenSet[int]:
    """The indexes of the words in a question that asks for a year, or in the sentence answering
    it as :func:`in_when_questions` reads one: one of ``which_question_words`` right before one of
    ``year_topic_words`` among its first two words ("What year did the Mini come out? Was it
    1959?", "Which decade was it, 1960?"; not "Which flight was it? 1969?"). It asks for a year,
    not a time of day: the caller lets only a year-shaped run through there."""
    which, units = policy.which_question_words, policy.year_topic_words
    if not (which and units):
        return frozenset()

    def asks_year(said: Sequence[Word], question: bool) -> bool:
        said = _past_address(said, policy.address_words)
        opening = [_stem(w) for _, _, w in said[: _QUESTION_OPENING_WORDS + 1]]
        return question and any(w in which and opening[k + 1] in units
                                for k, w in enumerate(opening[:_QUESTION_OPENING_WORDS])
                                if k + 1 < len(opening))

    return _sentences_and_answers(text, words, asks_year, _answer_leads(policy))


def in_questions(text: str, words: Sequence[Word]) -> FrozenSet[int]:
    """The indexes of the words in a sentence closed by "?"."""
    return frozenset(k for first, last, question in sentences(text, words) if question
                     for k in range(first, last + 1))


def in_result_sentences(policy: DigitRunPolicy, text: str, words: Sequence[Word]) -> FrozenSet[int]:
    """The indexes of the words in a sentence that reports a game's result, or in the sentence
    right after a question about one ("What's the score? 3-1?"): it holds one of
    ``result_words`` and neither it nor that question holds a code word ("Did we win? The
    door code is 48-29." stays a code). The answer gives its number as a when-question's answer
    does (:func:`in_when_questions`): "What's the score? The door is 48-29." is a code. Read
    once per transcript."""
    results, codes = policy.result_words, policy.code_words
    if not results:
        return frozenset()

    def coded(said: Sequence[Word]) -> bool:
        return any(w in codes for _, _, w in said)

    return _sentences_and_answers(
        text, words, lambda said, _: any(w in results for _, _, w in said) and not coded(said),
        _answer_leads(policy), coded)


class HarmlessNumbers:
    """The exemptions, read from the words before and after a run.

    :param policy: the fail-safe's word lists.
    """

    def __init__(self, policy: DigitRunPolicy) -> None:
        self.policy = policy

    def is_quantity(self, before: Sequence[str], after: Sequence[str], leading_digits: int = 0) -> bool:
        """A unit, money or a percent word within two words after the run ("25000 steps",
        "45 minutes", "2340 rupees"), with no other number between them, and no code word
        before it: "my order number is 48213 minutes" gives a code whatever the model heard
        after it.

        :param leading_digits: the digits the run was said in before its last number. A unit
            measures that last number: digits before it that would be a code on their own
            ("prescription 8841207 40 mg", one run to the normaliser) make no quantity."""
        if self.policy.short_run_digits and leading_digits >= self.policy.short_run_digits:
            return False
        for word in after[:2]:
            if is_number(word):
                return False
            if word in self.policy.quantity_words:
                return not self.after_code_word(before)
        return False

    def is_listed(self, before: Sequence[str]) -> bool:
        """A track or a place in a list: a word right before the run ("track 12"), and no
        code word before it ("door code - 4821": a dash, not a minus).

        :param before: the words before the run in its clause: in "skip this track. 739164 is
            the code" the number is no track."""
        return (bool(before[-1:]) and before[-1] in self.policy.harmless_preceding_words
                and not self.after_code_word(before[:-1]))

    def is_arithmetic(self, before: Sequence[str], after: Sequence[str], operands: bool = True) -> bool:
        """An arithmetic word within two words either side ("what is 123456 times 7", "add up
        12, 47 and 305"), and no code word before it ("add code 4829").

        :param operands: whether a second term stands by the run, in its clause or its list
            of numbers (the verdict's ``_other_term``). A sum needs two terms: "add 4821 to my
            notes" and "my number is plus 44 7700 900123" are no sums. Only
            ``one_term_arithmetic_words`` ("what's 1234 squared?") need no other."""
        policy = self.policy
        near = [*before[-2:], *after[:2]]
        return (any(w in policy.arithmetic_words for w in near)
                and (operands or any(w in policy.one_term_arithmetic_words for w in near))
                and not self.after_code_word(before))

    def corrects(self, digits: str, before: Sequence[str], after: Sequence[str], corrected: str) -> bool:
        """A correction of ``corrected``, the run just before this one, let through: one of
        ``correction_phrases`` ends one or two words before it ("in 1960? No, sorry, make that
        1964", "7:15, I meant, er, 7:45"), both are year-shaped or both clock-shaped, and no
        code word is within two words before it or three after ("sorry, 1964 is my code").
        The correction says the number again in the role the first one had."""
        if not corrected or self.after_code_word(before) or any(w in self.policy.code_words for w in after[:3]):
            return False
        if not ((year_shaped(digits) and year_shaped(corrected))
                or (_clock_shaped(digits) and _clock_shaped(corrected))):
            return False
        return any(_ends_with(before[: len(before) - skip], phrase.split())
                   for phrase in self.policy.correction_phrases for skip in (0, 1))

    def after_code_word(self, before: Sequence[str]) -> bool:
        """A code word within two words before the run ("the alarm code is 1942", "enter
        1432", "the combo's 1987"), or the run given as the value of a thing a code opens,
        named within two words before the link ("the side door is 1357", "the gate opens with
        0642", "the lockbox's 1234"; not "the gate was built in 1887"): whatever its value, it
        is a code, not a year, a time of day or a reading."""
        policy = self.policy
        if any(_stem(w) in policy.code_words for w in before[-2:]):
            return True
        if not before:
            return False
        link, holder = before[-1], before[-3:-1]
        if link.endswith("'s") and _stem(link) in policy.value_holder_words:
            return True
        return ((link in policy.value_statement_words or link in policy.value_links)
                and any(_stem(w) in policy.value_holder_words for w in holder))

    def is_year(self, digits: str, before: Sequence[str], after: Sequence[str] = (),
                paired: bool = False) -> bool:
        """A four-digit year with a year cue, or another year, within two words before it
        ("in 1986", "between 1789 and 2024"), or with a word of a sentence about years anywhere
        in the words around it ("which year did it sink? 1912"), or one of a pair of years
        (``paired``, :meth:`pairs_with_a_year`), and no code word."""
        if not year_shaped(digits) or self.after_code_word(before):
            return False
        return (paired or any(w in self.policy.year_cue_words or year_shaped(w) for w in before[-2:])
                or any(w in self.policy.year_topic_words for w in [*before, *after]))

    def pairs_with_a_year(self, digits: str, before: Sequence[str], after: Sequence[str]) -> bool:
        """Whether a year-shaped run in a question is joined by one coordinating word to another
        year: the alternatives the question weighs ("was it 1989 or 1991?", "did it end in 1914
        or 1918?"), the second maybe said by its last two digits ("1989 or 90"). Only where no
        code word and no thing a code opens is in reach either side: "is the safe 1357 or
        1375?" and "the code was 1987 or 1978" guess at a code.

        :param before: the words before the run in its question, the numbers it is coordinated
            with kept (the caller passes only runs in a sentence closed by "?").
        :param after: the words after the run, the same."""
        if not year_shaped(digits) or any(self._names_a_code(w) for w in [*before, *after]):
            return False
        joins = self.policy.coordinating_words
        later = len(after) >= 2 and after[0] in joins and (
            year_shaped(after[1]) or (len(after[1]) == 2 and after[1].isdigit()))
        earlier = len(before) >= 2 and before[-1] in joins and year_shaped(before[-2])
        return later or earlier

    def names_by_year(self, digits: str, before: Sequence[str], leading: Sequence[str],
                      clause_after: Sequence[str]) -> bool:
        """A four-digit year between one of ``year_modifier_words`` and a noun it dates, one of
        ``year_named_words`` among the first ``_DATED_NOUN_WITHIN`` words after it: the year of
        an event, an edition or a model ("the 2024 US presidential election", "the 1982 film",
        "the 2019 Wimbledon men's final").

        :param before: the words within the window before the run: none may be a code word or
            a thing a code opens ("the extension is the 2040 series", "keypad: the 1987
            release").
        :param leading: the words before the run in its clause: the article ends them, and the
            word before it gives no value ("unlock with the 1999 version", "it was the 2019
            final").
        :param clause_after: the words of the run's clause after it. None may be a code word,
            and the words up to the noun must be words, not numbers, joining or statement
            words, ``function_words``, ``closing_words`` or ``year_modifier_words``: "the 1987
            door code", "the 1987 for the final" and "the 1987 or the 1988 season" stay codes,
            and so do "the 1987 digits" and "use the 1987 now", which date nothing."""
        policy = self.policy
        if not year_shaped(digits) or not leading or leading[-1] not in policy.year_modifier_words:
            return False
        gives_value = policy.value_statement_words | policy.value_links | policy.code_words
        if leading[-2:-1] and leading[-2] in gives_value:
            return False
        if any(self._names_a_code(w) for w in before) or any(w in policy.code_words for w in clause_after):
            return False
        stops = (policy.coordinating_words, policy.value_statement_words, policy.function_words,
                 policy.closing_words, policy.year_modifier_words)
        for word in clause_after[:_DATED_NOUN_WITHIN]:
            if word in policy.year_named_words:
                return True
            if not word.replace("'", "").isalpha() or any(word in listed for listed in stops):
                return False
        return False

    def _names_a_code(self, word: str) -> bool:
        """A code word, or a thing a code opens ("door", "lockbox's", "combo's")."""
        return _stem(word) in self.policy.code_words or _stem(word) in self.policy.value_holder_words

    def coordinated(self, before: Sequence[str], after: Sequence[str], below_digits: int,
                    ) -> Tuple[List[str], List[str]]:
        """The words around a run with the numbers it is coordinated with skipped: in "add
        1250 and 3475" both numbers follow "add", in "between 10 and 20 minutes" both are
        minutes. Two numbers joined by one of ``coordinating_words`` play one role; only
        numbers of fewer than ``below_digits`` digits are skipped."""
        joins = self.policy.coordinating_words

        def short_number(word: str) -> bool:
            return is_number(word) and len(word.replace(",", "").replace(".", "")) < below_digits

        before, after = list(before), list(after)
        while len(before) >= 2 and before[-1] in joins and short_number(before[-2]):
            before = before[:-2]
        while len(after) >= 2 and after[0] in joins and short_number(after[1]):
            after = after[2:]
        return before, after

    def is_clock_time(self, digits: str, before: Sequence[str], after: Sequence[str]) -> bool:
        """A clock-shaped run (H:MM, HH:MM) with a time word within three words either side
        ("alarm for 1245", "1245 in the afternoon"), and no code word."""
        if not _clock_shaped(digits) or self.after_code_word(before):
            return False
        cues = self.policy.time_cue_words
        return any(w in cues for w in list(before[-_TIME_CUE_WINDOW:]) + list(after[:_TIME_CUE_WINDOW]))

    def answers_when(self, digits: str, before: Sequence[str]) -> bool:
        """A year- or clock-shaped run in a question asking for a time, or in its answer
        (:func:`in_when_questions`), and no code word."""
        return (year_shaped(digits) or _clock_shaped(digits)) and not self.after_code_word(before)
