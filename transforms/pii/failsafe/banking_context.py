"""Where banking context comes from (rules 2 and 5 of the fail-safe).

A banking word, one of ``fuzzy_banking_words`` one edit away ("securty"), two adjacent
words that spell a banking phrase give or take an edit ("car bending" for "card
ending"), or letters of a banking acronym glued to a value ("C-V-V-V-5-5-0") are
*strong* context: they lower the digit bar of the runs around them. A
``banking_sound_alikes`` entry (what the speech model writes for a banking word, from its
confusion table) is *weak* context: it puts the clip in banking mode only. A banking word
inside one of ``not_banking_phrases`` ("count down") is no context.
"""

from __future__ import annotations

from functools import lru_cache
from typing import List, Sequence

import regex as re
from voicescrub.transforms.pii.config import DigitRunPolicy
from voicescrub.transforms.pii.failsafe.words import Word, words_of

#: Letters then digits, with dashes or dots between ("N0548", "BIM-2-0-2-2", "C-V-V-5-5-0").
LETTER_PREFIXED = re.compile(r"[A-Za-z]+(?:[\-.][A-Za-z]+)*[\-.]?\d(?:[\d\-.]*\d)?")
#: The letters of a letter-prefixed word: "C-V-V-V-5-5-0" -> "C-V-V-V".
_LETTER_PREFIX = re.compile(r"[A-Za-z]+(?:[\-.][A-Za-z]+)*")

STRONG, WEAK, NONE = "strong", "weak", ""


@lru_cache(maxsize=65536)
def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is known to exceed ``limit``.

    :param a: a word.
    :param b: another word.
    :param limit: the largest distance of interest.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def squeeze(letters: str) -> str:
    """Runs of one letter made one: "cvvv" and "cvv" are both "cv"."""
    return re.sub(r"(.)\1+", r"\1", letters)


class BankingContext:
    """Reads banking context from the words of a normalised transcript.

    :param policy: the fail-safe's word lists (with the confusion table's words joined).
    """

    def __init__(self, policy: DigitRunPolicy) -> None:
        self.policy = policy
        self._phrases = tuple(p.replace(" ", "") for p in policy.banking_context_phrases)
        self._fuzzy_words = tuple(sorted(policy.fuzzy_banking_words))
        self._sound_alikes = tuple(tuple(p.split()) for p in policy.banking_sound_alikes)
        self._squeezed_acronyms = frozenset(
            squeeze(w) for w in policy.banking_context_words if w.isalpha() and len(w) <= 4)

    def anywhere(self, text: str) -> bool:
        """Whether ``text`` (a normalised transcript) carries strong or weak context anywhere."""
        words = words_of(text)
        return bool(self.positions(words)) or self.has_sound_alike(words)

    def positions(self, words: List[Word]) -> List[int]:
        """Indexes of the words that are strong context (exact, one edit away, or half of a phrase)."""
        found: List[int] = []
        for i, (_, _, word) in enumerate(words):
            following = words[i + 1][2] if i + 1 < len(words) else ""
            if f"{word} {following}" in self.policy.not_banking_phrases:
                continue
            if self.is_banking(word):
                found.append(i)
            elif i + 1 < len(words) and self.is_banking_phrase(word, words[i + 1][2]):
                found.extend((i, i + 1))
        return sorted(set(found))

    def near(self, positions: Sequence[int], index: int) -> bool:
        """Whether strong context is within ``window_words`` of the word at ``index``."""
        window = self.policy.window_words
        return any(0 < abs(i - index) <= window for i in positions)

    def clip_mode(self, words: List[Word], positions: Sequence[int], banking_clip: bool = False) -> str:
        """The clip-level banking mode: :data:`STRONG` (a banking word), :data:`WEAK` (only a
        sound-alike of one, or a clip known to be a banking clip whose text shows none) or
        :data:`NONE`.

        A sound-alike is weaker evidence than a banking word: it puts the clip in banking mode
        but does not lower the bar of the runs around it (rule 2).
        """
        if not self.policy.clip_banking_min_digits:
            return NONE
        if positions:
            return STRONG
        if banking_clip or self.has_sound_alike(words):
            return WEAK
        return NONE

    def has_sound_alike(self, words: List[Word]) -> bool:
        """Whether the words spell one of ``banking_sound_alikes`` anywhere."""
        return bool(self._sound_alikes) and any(self._sound_alike_length(words, i) for i in range(len(words)))

    def _sound_alike_length(self, words: List[Word], i: int) -> int:
        """How many words from ``i`` spell one of ``banking_sound_alikes`` (0: none)."""
        for phrase in self._sound_alikes:
            if tuple(w for _, _, w in words[i : i + len(phrase)]) == phrase:
                return len(phrase)
        return 0

    def is_banking(self, word: str) -> bool:
        """A banking word, its letters glued to a value, or a long one one edit away."""
        vocabulary = self.policy.banking_context_words
        if word in vocabulary or word.split("'")[0] in vocabulary:
            return True
        if LETTER_PREFIXED.fullmatch(word):
            # A banking acronym spelled out and glued to its value, a letter maybe doubled
            # ("C-V-V-V-5-5-0" for "C V V 5 5 0"): the letters are the context word.
            letters = re.sub(r"[^a-z]", "", _LETTER_PREFIX.match(word).group().lower())
            return letters in vocabulary or squeeze(letters) in self._squeezed_acronyms
        if len(word) >= 5 and word.isalpha():
            return any(edit_distance(word, known, 1) <= 1 for known in self._fuzzy_words)
        return False

    def is_banking_phrase(self, first: str, second: str) -> bool:
        """Two words that spell a banking phrase give or take an edit (two for 12+ letters)."""
        if not self._phrases or not first.isalpha() or not second.isalpha():
            return False
        joined = first + second
        for phrase in self._phrases:
            allowed = 2 if len(phrase) >= 12 else 1
            if edit_distance(joined, phrase, allowed) <= allowed:
                return True
        return False
