"""The decision for one digit run (rules 1, 2, 5 and 6 of the fail-safe).

Near strong banking context only an amount is harmless and the bar drops to
``min_digits_in_banking_context``; in a clip-level banking clip the bar is
``clip_banking_min_digits`` and only an amount (strong) or also a quantity, a year or a
time (weak) is harmless; elsewhere a run is long (``min_digits``), short
(``short_run_digits``, a dictated run, a stated value, a code glued after letters) or
let through, and long and short runs are let through when harmless.
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, List, Optional, Sequence, Tuple

from voicescrub.transforms.pii.config import DigitRunPolicy
from voicescrub.transforms.pii.failsafe.banking_context import BankingContext
from voicescrub.transforms.pii.failsafe.harmless import (
    HarmlessNumbers,
    is_counting,
    is_round_number,
)
from voicescrub.transforms.pii.failsafe.words import (
    Word,
    is_amount,
    is_number,
    word_index,
)

#: The score of a run redacted outside banking context.
SCORE = 0.5
#: The score of a run redacted near a banking word.
SCORE_IN_BANKING_CONTEXT = 0.6
#: A cluster span is wide and crude: any specific entity inside it must outrank it.
SCORE_CLUSTER = 0.45


def _clause_bounds(words: List[Word], clause_start: Optional[int], clause_end: Optional[int]) -> Tuple[int, int]:
    """The first and last word indexes of a run's clause, the text's own where one is unknown."""
    return clause_start or 0, len(words) - 1 if clause_end is None else clause_end


class RunVerdict:
    """Decides whether one run must be redacted.

    :param policy: the fail-safe's thresholds and word lists.
    :param context: banking context of the same policy.
    """

    def __init__(self, policy: DigitRunPolicy, context: BankingContext) -> None:
        self.policy = policy
        self.context = context
        self.harmless = HarmlessNumbers(policy)

    def score(
        self,
        words: List[Word],
        start: int,
        end: int,
        n_digits: Optional[int] = None,
        dictated: int = 0,
        glued: bool = False,
        banking_at: Optional[Sequence[int]] = None,
        stated: bool = False,
        clip_banking: str = "",
        prefixed: bool = False,
        spelled: int = 0,
        decimal: bool = False,
        paired: bool = False,
        grouped: bool = False,
        asked_when: bool = False,
        corrects: str = "",
        scoreline: bool = False,
        dated: bool = False,
        clause_start: Optional[int] = None,
        clause_end: Optional[int] = None,
        leading_digits: int = 0,
        questioned: bool = False,
    ) -> Optional[float]:
        """One run's score if it must be redacted, ``None`` if it may be heard.

        :param words: ``(start, end, lowercased word)`` for every word of the text.
        :param start: run start offset.
        :param end: run end offset.
        :param n_digits: digits in the run, when it is not all digits.
        :param dictated: pieces of one or two digits the run was spoken in (0: unknown).
        :param glued: the digits are glued to letters (short-run and dictation tiers do not apply).
        :param banking_at: word indexes that are banking context (computed when omitted).
        :param stated: the run is the value of a statement ("... is 574."): with at least
            ``min_digits_near_code`` digits it is judged as a short run.
        :param clip_banking: the clip-level mode (``banking_context.STRONG``, ``WEAK`` or ``NONE``).
        :param prefixed: glued digits that follow letters ("N0548"): judged as a short run.
        :param spelled: pieces of a single digit the run was spoken in: with three or more
            ("1-0-8-8") it is never a year or a time of day.
        :param decimal: the run was written as a decimal number ("104.9", "2.75"): outside
            banking context, a quantity.
        :param paired: the run was spoken as two numbers joined by a range word
            (:func:`~voicescrub.transforms.pii.failsafe.harmless.is_number_pair`): outside
            banking context, a score, a range or a time, unless a code word comes before it.
        :param grouped: the run was written with a thousands separator ("1,250"): below
            ``min_digits`` digits and outside banking context, a number said as one number.
        :param asked_when: the run is in a question asking for a time or in its answer
            (:func:`~voicescrub.transforms.pii.failsafe.harmless.in_when_questions`):
            a short year- or clock-shaped run there is a year or a time of day.
        :param corrects: the run just before this one, when it was let through: a short run
            correcting it (:meth:`~voicescrub.transforms.pii.failsafe.harmless.HarmlessNumbers.corrects`)
            plays its role.
        :param scoreline: the run was written as a scoreline
            (:func:`~voicescrub.transforms.pii.failsafe.harmless.is_scoreline`) in a sentence
            about a game's result
            (:func:`~voicescrub.transforms.pii.failsafe.harmless.in_result_sentences`): outside
            banking context, with no code word before it, a score.
        :param dated: the run was spoken as a day then a year right after a month name ("July
            4, 1776"): outside banking context, with no code word before it, a calendar date.
        :param clause_start: the index of the first word of the run's clause
            (:func:`~voicescrub.transforms.pii.failsafe.words.clause_start`): a word before the
            run makes it a listed number or names it by year only there. ``None``: the words
            within the window.
        :param clause_end: the index of the last word of the run's clause
            (:func:`~voicescrub.transforms.pii.failsafe.words.clause_end`): a unit after the
            run makes it a quantity only there. ``None``: the words within the window.
        :param leading_digits: the digits the run was said in before its last number (see
            :meth:`~voicescrub.transforms.pii.failsafe.harmless.HarmlessNumbers.is_quantity`).
        :param questioned: the run is in a sentence closed by "?"
            (:func:`~voicescrub.transforms.pii.failsafe.harmless.in_questions`): a year-shaped
            run there may be one of two years the question weighs.
        """
        policy = self.policy
        harmless = self.harmless
        n_digits = end - start if n_digits is None else n_digits
        index = word_index(words, start)
        if index is None:
            return None
        if banking_at is None:
            banking_at = self.context.positions(words)
        was_dictated = self._was_dictated(dictated)
        before, after = self._around(words, index, n_digits, was_dictated)
        leading, units = self._in_clause(words, index, n_digits, was_dictated, (before, after),
                                         clause_start, clause_end)
        if self.context.near(banking_at, index):
            if is_amount(words, index, policy.amount_words, policy.amount_max_digits):
                return None
            if n_digits >= policy.min_digits_in_banking_context or was_dictated:
                return SCORE_IN_BANKING_CONTEXT
            if not clip_banking:
                return None
        if clip_banking and policy.clip_banking_min_digits:
            if is_amount(words, index, policy.amount_words, policy.amount_max_digits):
                return None
            if not (n_digits >= policy.clip_banking_min_digits or was_dictated):
                return None
            if clip_banking == "weak":
                digits = words[index][2]
                if harmless.is_quantity(before, units, leading_digits):
                    return None
                if harmless.is_year(digits, before, after) or harmless.is_clock_time(digits, before, after):
                    return None
            return SCORE
        if decimal and not harmless.after_code_word(before):
            return None  # "104.9", "2.75": a reading or a price, not a code read out
        if grouped and n_digits < policy.min_digits and not harmless.after_code_word(before):
            return None  # "1,250": a number said as one number, not digits read out
        short_prefixed = prefixed and policy.letter_prefixed_min_digits and n_digits >= policy.letter_prefixed_min_digits
        if n_digits >= policy.min_digits:
            tier = "long"
        elif (not glued or short_prefixed) and policy.short_run_digits and n_digits >= policy.short_run_digits:
            tier = "short"
        elif not glued and was_dictated:
            tier = "short"
        elif not glued and stated and policy.min_digits_near_code and n_digits >= policy.min_digits_near_code:
            tier = "short"
        else:
            return None
        operands = self._other_term(words, start, end, clause_start, clause_end)
        if (harmless.is_quantity(before, units, leading_digits) or harmless.is_listed(leading)
                or harmless.is_arithmetic(before, after, operands)):
            return None
        if paired and not harmless.after_code_word(before):
            return None  # "112 to 108", "7 15 to 7 40", "ten to nine": not a code read out
        if scoreline and not harmless.after_code_word(before):
            return None  # "they won 31-28", "we won 6-4, 6-3, 7-5": a game's result
        if dated and not (harmless.after_code_word(before) or harmless.after_code_word(before[:-1])):
            return None  # "July 4, 1776", "June 12, 2027": a calendar date ("code is July 4, 1776" is a code)
        digits = words[index][2]
        if is_round_number(digits, dictated, policy.round_number_max_digits) and not harmless.after_code_word(before):
            return None  # a round number said as a number: a quantity
        if tier == "short":
            # Read out in three or more pieces ("in 1-0-8-8"), a run is a code, not a year or a time.
            year_pair = questioned and harmless.pairs_with_a_year(digits, *self._spoken_around(words, index))
            if spelled < 3 and (harmless.is_year(digits, before, after, year_pair)
                                or harmless.names_by_year(digits, before, leading, units)
                                or harmless.is_clock_time(digits, before, after)
                                or (asked_when and harmless.answers_when(digits, before))
                                or harmless.corrects(digits, before, after, corrects)):
                return None
            if digits.isdigit() and is_counting(digits) and not harmless.after_code_word(before):
                return None  # "one, two, three", "three, two, one": counting, not a code
        return SCORE

    def _was_dictated(self, dictated: int) -> bool:
        """Whether a run read out in ``dictated`` pieces was dictated, as a code is."""
        return bool(self.policy.min_dictated_pieces) and dictated >= self.policy.min_dictated_pieces

    def _around(self, words: List[Word], index: int, n_digits: int, was_dictated: bool,
                ) -> Tuple[List[str], List[str]]:
        """The words within ``window_words`` before and after the run at ``index``, hesitations
        left out (:meth:`_spoken`); a short run
        said as a number skips the numbers it is coordinated with ("add 1250 and 3475"), a long
        or dictated run is a code whatever it is joined to."""
        policy = self.policy
        before, after = self._spoken_around(words, index)
        if n_digits < policy.min_digits and not was_dictated:
            before, after = self.harmless.coordinated(before, after, policy.min_digits)
        return before, after

    def _spoken_around(self, words: List[Word], index: int) -> Tuple[List[str], List[str]]:
        """The words within ``window_words`` before and after the word at ``index``,
        hesitations left out (:meth:`_spoken`)."""
        return (self._spoken(words, range(index - 1, -1, -1))[::-1],
                self._spoken(words, range(index + 1, len(words))))

    def _in_clause(self, words: List[Word], index: int, n_digits: int, was_dictated: bool,
                   around: Tuple[List[str], List[str]], clause_start: Optional[int],
                   clause_end: Optional[int]) -> Tuple[List[str], List[str]]:
        """The words before and after the run at ``index`` (``around``, from :meth:`_around`)
        cut at the start and the end of the run's clause where they are known: a listed word
        or an article must be before it there, a unit or the thing a year names after it."""
        if clause_start is None and clause_end is None:
            return around
        first, last = _clause_bounds(words, clause_start, clause_end)
        return self._around(words[first : last + 1], index - first, n_digits, was_dictated)

    def _other_term(self, words: List[Word], start: int, end: int, clause_start: Optional[int],
                    clause_end: Optional[int]) -> bool:
        """Whether a second term of a sum stands by the run at ``start``-``end``: a number in
        its clause (the whole text where its bounds are unknown), or in the list of numbers the
        clause belongs to, its items parted by commas: a number ends the clause before ("12,
        47, and 305"), or opens the clause after, alone or after a joining word ("add up 12,
        47 and 305"). A word that overlaps the run ('"4821"', "(4821)") is the run, and "3rd"
        is no number; "add 4821, then set a timer for 10 minutes" has no second term."""
        first, last = _clause_bounds(words, clause_start, clause_end)
        if any(is_number(word) and not (word_start < end and start < word_end)
               for word_start, word_end, word in words[first : last + 1]):
            return True
        after = [word for _, _, word in words[last + 1 : last + 3]]
        if after[:1] and after[0] in self.policy.coordinating_words:
            after = after[1:]
        return (first > 0 and is_number(words[first - 1][2])) or (bool(after) and is_number(after[0]))

    def _spoken(self, words: List[Word], order: Iterable[int]) -> List[str]:
        """The first ``window_words`` words at the indexes ``order`` walks that are words, not
        hesitations: "the combination is, um, 1230" has its code word within two words of the
        run, "in 1066 or, er, 1086" its two years joined."""
        hesitations = self.policy.hesitation_words
        return list(islice((words[k][2] for k in order if words[k][2] not in hesitations),
                           self.policy.window_words))

    def harmless_shape(self, words: List[Word], start: int, end: int, dictated: int = 0,
                       clause_start: Optional[int] = None, clause_end: Optional[int] = None,
                       leading_digits: int = 0) -> bool:
        """Whether the words around the run at ``start``-``end`` make it harmless whatever its
        digits: a quantity, a listed number or a sum. Shapes that depend on the number's value
        (a year, a time of day, a round number, counting, a decimal) are left out: any four
        digits a card ends in may be year- or clock-shaped, and a speech model writes a
        dictated "five zero zero" as "500", just as it writes the number. ``leading_digits``:
        as :meth:`score` takes it."""
        index = word_index(words, start)
        if index is None:
            return False
        harmless = self.harmless
        was_dictated = self._was_dictated(dictated)
        before, after = self._around(words, index, end - start, was_dictated)
        leading, units = self._in_clause(words, index, end - start, was_dictated, (before, after),
                                         clause_start, clause_end)
        return (harmless.is_quantity(before, units, leading_digits) or harmless.is_listed(leading)
                or harmless.is_arithmetic(before, after, self._other_term(words, start, end, clause_start, clause_end)))
