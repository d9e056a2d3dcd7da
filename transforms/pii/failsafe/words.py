"""The words of a normalised transcript, as the fail-safe reads them."""

from __future__ import annotations

import bisect
from typing import FrozenSet, List, Optional, Sequence, Tuple

import regex as re
from voicescrub.transforms.pii.spoken_normaliser import EDGE_PUNCTUATION as STRIP

#: ``(start, end, lower-case word without edge punctuation)``.
Word = Tuple[int, int, str]

_WORD = re.compile(r"[^\s]+")
#: Currency signs: before or on a number they make it an amount in every language.
CURRENCY = ("$", "£", "€")


def words_of(text: str) -> List[Word]:
    """``(start, end, lower-case word without edge punctuation)`` for each word of ``text``."""
    return [(m.start(), m.end(), m.group().lower().strip(STRIP)) for m in _WORD.finditer(text)]


def is_number(word: str) -> bool:
    """A word written as a number ("305", "1,250", "2.5")."""
    return bool(word) and word.replace(",", "").replace(".", "").isdigit()


def word_index(words: List[Word], start: int) -> Optional[int]:
    """The index of the word holding offset ``start``, or None (by bisection: the words are in order)."""
    index = bisect.bisect_right(words, start, key=lambda word: word[0]) - 1
    return index if index >= 0 and words[index][0] <= start < words[index][1] else None


def is_amount(words: List[Word], index: int, amount_words: FrozenSet[str], max_digits: int) -> bool:
    """Whether the number at ``index`` is an amount of money or a percentage ("$40", "50 pounds").

    :param amount_words: the language's money and percent words (``DigitRunPolicy.amount_words``).
    :param max_digits: the most digits of an amount (``DigitRunPolicy.amount_max_digits``).
    """
    own = words[index][2]
    if sum(ch.isdigit() for ch in own) > max_digits:
        return False
    following = words[index + 1][2] if index + 1 < len(words) else ""
    preceding = words[index - 1][2] if index > 0 else ""
    return following in amount_words or following in CURRENCY or own[:1] in "$£€" or preceding in CURRENCY


def sentences(text: str, words: Sequence[Word]) -> List[Tuple[int, int, bool]]:
    """``(first, last, question)`` for each sentence: word indexes, and whether "?" closes it.
    A word whose written form ends in ".", "?" or "!" closes a sentence (a lone "?", as French
    writes it, closes the one before); an ellipsis is a pause, not an end."""
    found: List[Tuple[int, int, bool]] = []
    first = 0
    for i, (start, end, _) in enumerate(words):
        written = text[start:end].rstrip("\"')]")
        if written[-1:] in (".", "?", "!") and not written.endswith(("..", "…")):
            found.append((first, i, written.endswith("?")))
            first = i + 1
    if first < len(words):
        found.append((first, len(words) - 1, False))
    return found


#: Marks that close a clause when a word ends with one (closing quotes and brackets aside).
_CLAUSE_MARKS = (",", ".", ";", ":", "?", "!", "…")


def _closes_clause(text: str, word: Word) -> bool:
    """Whether the written form of ``word`` ends with one of ``_CLAUSE_MARKS`` (closing quotes
    and brackets aside)."""
    return text[word[0]:word[1]].rstrip("\"')]”’").endswith(_CLAUSE_MARKS)


def clause_end(text: str, words: List[Word], end: int) -> int:
    """The index of the last word of the clause that holds offset ``end - 1`` of ``text``: the
    first word from there on whose written form ends with a comma, a full stop, a colon or
    semicolon, "?", "!" or an ellipsis, else the last word. A unit after a number counts
    only there: in "the door is 48291, minutes later it locked" the number has no unit."""
    index = word_index(words, max(end - 1, 0))
    if index is None:
        return len(words) - 1
    return next((k for k in range(index, len(words)) if _closes_clause(text, words[k])), len(words) - 1)


def clause_start(text: str, words: List[Word], start: int) -> int:
    """The index of the first word of the clause that holds offset ``start`` of ``text``: the
    word after the last one before it that closes a clause (:func:`clause_end`'s marks), else
    the first word. A word naming a list counts only there: in "skip this track. 739164 is
    the code" the number is no track."""
    index = word_index(words, start)
    if index is None:
        return 0
    return next((k + 1 for k in range(index - 1, -1, -1) if _closes_clause(text, words[k])), 0)
