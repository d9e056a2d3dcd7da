"""A code spelled out character by character with a digit in it, as the ASR writes it.

tiny.en writes a dictated alphanumeric code as single characters joined by dashes or
dots: "E-I-N-S-G-B-2-5" (an IBAN's cue, country and check digits), "1-7-1-3-I-I-N" (a
PIN with the cue's letters glued on), "N-L-4-8". No other recognizer reads such a word
whole when its cue was garbled. Such words come from requests that dictate a value (most
already lie inside a span another recognizer found); PII-free requests do not produce them.

A spelled word needs four characters or more, a letter and a digit; one that counts
("A-B-C-1-2-3": letters and digits each in order, one step apart) is a song, not a code.
"""

from __future__ import annotations

from typing import List, Optional

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

#: Four or more single letters or digits joined by "-" or ".", with a digit and a letter.
_SPELLED = (r"(?<![\w-])(?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])"
            r"(?:[A-Za-z0-9][-.]){3,}[A-Za-z0-9](?![\w-])")


def counts(characters: str) -> bool:
    """Whether the letters and the digits of ``characters`` each run in order one step
    apart ("abc123", "123"), the way a song or a count is spelled, not a code.

    :param characters: the spelled characters, separators removed.
    """
    letters = [ord(ch) for ch in characters.lower() if ch.isalpha()]
    digits = [int(ch) for ch in characters if ch.isdigit()]
    return all(b - a == 1 for seq in (letters, digits) for a, b in zip(seq, seq[1:]))


class SpelledCodeRecognizer(PatternRecognizer):
    """Spelled alphanumeric codes (see module doc) as ``DIGIT_SEQUENCE``."""

    SCORE = 0.5

    def __init__(self, supported_language: str = "en", entity: str = "DIGIT_SEQUENCE",
                 context: Optional[List[str]] = None) -> None:
        """:param supported_language: language of the transcripts.
        :param entity: the type reported (the fail-safe's critical type by default).
        :param context: context words (none needed: the shape is the evidence).
        """
        super().__init__(
            supported_entity=entity,
            name="SpelledCodeRecognizer",
            supported_language=supported_language,
            patterns=[Pattern("spelled code with a digit", _SPELLED, self.SCORE)],
            context=context or [],
        )

    def invalidate_result(self, pattern_text: str) -> Optional[bool]:
        """A spelled count ("A-B-C-1-2-3") is not a code."""
        return counts(re.sub(r"[-.]", "", pattern_text))
