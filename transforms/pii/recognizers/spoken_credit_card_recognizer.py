"""CREDIT_CARD on a normalised transcript: Luhn-valid runs score high, damaged ones need card context."""

from __future__ import annotations

from typing import List, Optional

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

#: Words that make a checksum-failing run a card number (an ASR often drops or splits a digit).
CARD_CONTEXT = ["card", "cards", "credit", "debit", "visa", "mastercard", "amex", "discover", "cc"]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum every payment card number carries.

    :param digits: ASCII digits only.
    """
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


class SpokenCreditCardRecognizer(PatternRecognizer):
    """Card numbers as whole digit runs of the normalised transcript.

    A 13-19 digit run that passes Luhn scores :attr:`LUHN_SCORE` anywhere (one random
    run in ten passes Luhn, so account context still wins over it). One that fails (a digit
    misheard, dropped or doubled, so 12-20 digits) keeps a low score that only card
    context lifts over the threshold; without context the fail-safe digit-run rule
    still redacts it.
    """

    LUHN_SCORE = 0.5

    PATTERNS = [
        Pattern("card length run", r"\b\d{13,19}\b", 0.2),
        Pattern("damaged card length run", r"\b(?:\d{11,12}|\d{20})\b", 0.19),
    ]

    def __init__(
        self,
        context: Optional[List[str]] = None,
        supported_language: str = "en",
        name: str = "SpokenCreditCardRecognizer",
    ) -> None:
        """:param context: context words; defaults to :data:`CARD_CONTEXT`.
        :param supported_language: language of the transcripts.
        :param name: recognizer name reported on spans.
        """
        super().__init__(
            supported_entity="CREDIT_CARD",
            patterns=self.PATTERNS,
            context=context if context is not None else CARD_CONTEXT,
            supported_language=supported_language,
            name=name,
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None, regex_flags: Optional[int] = None):
        """Pattern matches, with Luhn-valid card-length runs raised to :attr:`LUHN_SCORE`.

        :param text: the normalised transcript.
        :param entities: requested entity types.
        :param nlp_artifacts: spaCy output (unused here).
        :param regex_flags: regex flags.
        """
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:
            digits = text[result.start : result.end]
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                result.score = max(result.score, self.LUHN_SCORE)
        return results
