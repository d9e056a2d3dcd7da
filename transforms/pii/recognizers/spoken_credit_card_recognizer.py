"""CREDIT_CARD on a normalised transcript: Luhn-valid runs score high, damaged ones need card context."""

from __future__ import annotations

from typing import List, Optional

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

#: Words that make a checksum-failing run a card number (an ASR often drops or splits a digit).
CARD_CONTEXT = ["card", "credit", "debit", "visa", "mastercard", "amex", "discover", "cc", "number"]


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

    A 13-19 digit run that passes Luhn scores 1.0 anywhere. One that fails (a digit
    misheard, dropped or doubled, so 12-20 digits) keeps a low score that only card
    context lifts over the threshold; without context the fail-safe digit-run rule
    still redacts it.
    """

    PATTERNS = [
        Pattern("card length run", r"\b\d{13,19}\b", 0.3),
        Pattern("damaged card length run", r"\b(?:\d{11,12}|\d{20})\b", 0.05),
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

    def validate_result(self, pattern_text: str) -> Optional[bool]:
        """Luhn-valid 13-19 digit runs are certain; others keep their pattern score.

        :param pattern_text: the matched digits.
        """
        if 13 <= len(pattern_text) <= 19 and luhn_valid(pattern_text):
            return True
        return None
