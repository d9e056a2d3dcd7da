"""The extra forms the clip-level banking mode redacts (rule 5 of the fail-safe).

Once a transcript carries banking context anywhere, dictated numbers the ASR wrote as
money ("£29, £37": ``money_lists``) and, with a banking word, a month and a two-digit
card year ("9 31", "September 31": ``MonthYears``) are redacted too.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import regex as re
from voicescrub.transforms.pii.config import DigitRunPolicy
from voicescrub.transforms.pii.failsafe.companions import Span
from voicescrub.transforms.pii.failsafe.verdict import SCORE, SCORE_IN_BANKING_CONTEXT
from voicescrub.transforms.pii.failsafe.words import (
    CURRENCY,
    STRIP,
    Word,
    is_amount,
    word_index,
)


def _money_piece(policy: DigitRunPolicy, text: str, words: List[Word], i: int) -> Optional[Tuple[int, int, int, bool]]:
    """A short "amount" or number at word ``i`` of a list: ``(last word index, start, end, is money)``.

    Money: a currency sign then 1 to ``money_list_max_digits`` digits ("£29"), or such digits
    then an amount word ("29 pounds"). Otherwise a bare short number or short digits glued
    after letters ("code06", a context word the ASR glued to the first pair).
    """
    limit = policy.money_list_max_digits
    start, end, word = words[i]
    core = text[start:end].strip(STRIP)
    if not core:
        return None
    offset = text.index(core, start)
    match = re.fullmatch(rf"[$£€](\d{{1,{limit}}})", core)
    if match:
        return i, offset, offset + len(core), True
    if re.fullmatch(rf"\d{{1,{limit}}}", core):
        if i + 1 < len(words) and (words[i + 1][2] in policy.money_words or words[i + 1][2] in CURRENCY):
            return i + 1, offset, words[i + 1][1], True
        if any(w in policy.quantity_words for _, _, w in words[i + 1 : i + 3]):
            return None
        return i, offset, offset + len(core), False
    glued = re.fullmatch(rf"[A-Za-z]+[\-.]?(\d{{1,{limit}}})", core)
    if glued:
        return i, offset + glued.start(1), offset + len(core), False
    return None


def money_lists(policy: DigitRunPolicy, text: str, words: List[Word]) -> List[Span]:
    """Dictated numbers the ASR wrote as money, in a clip with banking context.

    Two or more short amounts in a row ("£29, £37", "$28, £6, £5": 1 to
    ``money_list_max_digits`` digits each, nothing but a comma or a space between them,
    no "and", no word) are the pairs of a sort code or an account number read out, not
    payments: a real payment is one amount, several are joined by "and" or carry pence.
    The short numbers adjacent to such a list ("code06, £29, £37") belong to it.
    """
    if not policy.money_list_min_pieces:
        return []
    spans: List[Span] = []
    i = 0
    while i < len(words):
        pieces = []
        j = i
        while j < len(words):
            piece = _money_piece(policy, text, words, j)
            if piece is None:
                break
            pieces.append(piece)
            last_raw = text[words[piece[0]][0] : words[piece[0]][1]]
            j = piece[0] + 1
            if not re.search(r"[\d\w],?$", last_raw):
                break  # a full stop, a question mark or a dash closes the list
        if sum(1 for p in pieces if p[3]) >= policy.money_list_min_pieces:
            spans.append((pieces[0][1], pieces[-1][2], SCORE_IN_BANKING_CONTEXT))
            i = j
        else:
            i += 1
    return spans


class MonthYears:
    """Month-and-year forms of a card expiry ("9 31", "May 32", "5 / 32").

    :param policy: ``expiry_years`` and the quantity words.
    :param month_names: a regex of the language's month names (the PII config's lexicon
        entry ``months``); empty: months are read as numbers only.
    """

    def __init__(self, policy: DigitRunPolicy, month_names: str = "") -> None:
        self.policy = policy
        first, last = policy.expiry_years
        months = f"{month_names}|" if month_names else ""
        # A month (name or 1-12) and a two-digit year, as separate runs: "9 31", "September, 31", "5 / 32".
        self._month_year = re.compile(
            rf"(?i)(?<![\w$£€.,])(?:{months}0?[1-9]|1[0-2])(?:\s*[,/]\s*|\s+)(?:20)?(\d\d)(?![\w%])"
        )
        self._expiry_years = range(first, last + 1)

    def spans(self, text: str, words: List[Word]) -> List[Span]:
        """Every month-and-year form in ``text`` with a year in ``expiry_years``, not money or a quantity."""
        spans: List[Span] = []
        for match in self._month_year.finditer(text):
            if int(match.group(1)) not in self._expiry_years:
                continue
            index = word_index(words, match.start(1))
            policy = self.policy
            if index is not None and (is_amount(words, index, policy.amount_words, policy.amount_max_digits)
                                      or words[index + 1 : index + 2] and words[index + 1][2] in policy.quantity_words):
                continue
            spans.append((match.start(), match.end(), SCORE))
        return spans
