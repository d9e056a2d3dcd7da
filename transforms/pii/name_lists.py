"""The other names of a list that a found name stands in.

spaCy's small model tags some names of a list and misses others beside them ("James, Tyrone,
[Carlos]", "Vasquez and [Kim]", "[Tamsin Larson], Tailspin Toys, Anders Kor"): it judges each
name by the words around it, and an unfamiliar name among familiar ones goes untagged. Items
joined in one list are of one kind, so the capitalised items listed with a PERSON span are
names too. A list is the items joined by commas and ``list_words`` ("and", "or") around the
span, each item up to three capitalised words or a name spelled out in capitals ("D.M.I.T.R.I.",
"N-G-O-Z-I"). Two items joined by a comma only are no list ("Okay, Tyrone", "Sorry, Kenji"):
a list needs a list word or three items. An item of ``deny_words`` ends the list.

This adds spans only beside a name already found, so it never touches a clip that had none.

Plain Python on :class:`~voicescrub.schemas.records.PiiSpan` values; no Presidio.
"""

from __future__ import annotations

from typing import AbstractSet, List, Optional, Sequence, Tuple

import regex as re
from voicescrub.schemas.records import PiiSpan

PERSON = "PERSON"
#: The recognizer named on a span this step adds.
NAME_LIST = "NameListRecognizer"

#: One word of a name: a capital, then letters, apostrophes and hyphens with a lower-case letter
#: among them ("Kim", "O'Brien", "McDonald", "Jean-Luc").
_NAME_WORD = r"\p{Lu}[\p{L}'\-]*\p{Ll}[\p{L}'\-]*"
#: One item of a list of names: up to three such words, or a name spelled in capitals.
_ITEM = rf"(?:{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}|(?:\p{{Lu}}\.){{2,}}\p{{Lu}}?\.?|\p{{Lu}}(?:-\p{{Lu}}){{2,}})"
#: Characters before a list item searched for the item and its separator: three long words and
#: a comma with a list word fit; looking no further keeps a long transcript's lists linear.
_ITEM_REACH = 120


class NameLists:
    """Finds the names listed with PERSON spans.

    :param list_words: the words that join a list's last items ("and", "or"); empty: off.
    :param deny_words: lowercased words that are never a name (``person_deny_words``).
    """

    def __init__(self, list_words: AbstractSet[str], deny_words: AbstractSet[str]) -> None:
        self._deny = frozenset(deny_words)
        self._enabled = bool(list_words)
        joiners = "|".join(re.escape(w) for w in sorted(list_words, key=len, reverse=True)) or "(?!)"
        joiner = rf"(?i:{joiners})(?!\w)"
        # Between two items: a comma, a list word, or both ("James, Tyrone and Mei", "A, and B").
        separator = rf"(?:\s*,\s*(?:{joiner}\s+)?|\s+{joiner}\s+)"
        self._before = re.compile(rf"(?<![^\s,;:(])({_ITEM})({separator})$")
        self._after = re.compile(rf"({separator})({_ITEM})(?![\p{{L}}\d'\-])")
        self._joiner = re.compile(rf"(?<!\w){joiner}")
        self._item = re.compile(_ITEM)

    def extend(self, text: str, spans: Sequence[PiiSpan]) -> List[PiiSpan]:
        """``spans`` with a PERSON span added for each item listed with a PERSON span.

        :param text: the transcript the spans are on.
        :param spans: the detector's spans (original offsets, snapped to words).
        """
        if not self._enabled:
            return list(spans)
        found = sorted((s for s in spans if s.entity_type == PERSON), key=lambda s: s.char_start)
        taken = bytearray(len(text) + 1)  # characters inside a PERSON span, found or added
        for span in found:
            taken[span.char_start:span.char_end] = b"\x01" * (span.char_end - span.char_start)
        # The list read last: the spans come in order, so a span inside it was read with it.
        left, right = -1, -1
        added: List[PiiSpan] = []
        for span in found:
            if left <= span.char_start and span.char_end <= right:
                continue
            items, (left, right) = self._listed_with(text, span.char_start, span.char_end)
            for start, end in items:
                if any(taken[start:end]):
                    continue
                taken[start:end] = b"\x01" * (end - start)
                added.append(PiiSpan(PERSON, start, end, span.score, NAME_LIST))
        return list(spans) + added

    def _listed_with(self, text: str, start: int, end: int) -> Tuple[List[Tuple[int, int]], Tuple[int, int]]:
        """The items of the list the words at ``start``-``end`` stand in, themselves left out,
        and where the list starts and ends."""
        items: List[Tuple[int, int]] = []
        separators: List[str] = []
        left = start
        while True:
            match = self._item_before(text, left)
            if match is None:
                break
            items.insert(0, match[0])
            separators.append(match[1])
            left = match[0][0]
        right = end
        while True:
            match = self._item_after(text, right)
            if match is None:
                break
            items.append(match[0])
            separators.append(match[1])
            right = match[0][1]
        if not items or (len(items) < 2 and not any(self._joiner.search(s) for s in separators)):
            return [], (start, end)
        return items, (left, right)

    def _item_before(self, text: str, start: int) -> Optional[Tuple[Tuple[int, int], str]]:
        match = self._before.search(text, max(0, start - _ITEM_REACH), start)
        if match is None or not self._is_item(match.group(1)):
            return None
        return (match.start(1), match.end(1)), match.group(2)

    def _item_after(self, text: str, end: int) -> Optional[Tuple[Tuple[int, int], str]]:
        match = self._after.match(text, end, min(len(text), end + _ITEM_REACH))
        if match is None or not self._is_item(match.group(2)):
            return None
        return (match.start(2), match.end(2)), match.group(1)

    def _is_item(self, item: str) -> bool:
        return bool(self._item.fullmatch(item)) and not any(
            w.strip(".,'").lower() in self._deny for w in item.split())
