"""IBAN_CODE as an ASR writes it: letters spelled apart, zeros heard as the letter O."""

from __future__ import annotations

from typing import List, Optional

import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from voicescrub.transforms.pii.recognizers.results import attributed_result

#: IBAN length per country (ISO 13616), for the countries our users bank in and their neighbours.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26,
}

#: "iber", "iman", "ibm" are how tiny.en writes "IBAN".
IBAN_CONTEXT = ["iban", "iber", "iman", "ibm", "eban", "ibn", "international", "bank", "account", "transfer", "wire"]

# Two capital letters (maybe spelled apart), two check digits (maybe an O for a zero),
# then groups of capitals and digits. Lowercase words end it.
_CANDIDATE = re.compile(r"\b([A-Z])\s?([A-Z])\s?([0-9O]{2})((?:[\s,.\-]{0,2}[A-Z0-9]){8,32})")
_ASR_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def iban_checksum_valid(candidate: str) -> bool:
    """ISO 7064 mod 97-10 check of a compact IBAN.

    :param candidate: country code, check digits and BBAN, no spaces.
    """
    if len(candidate) < 15 or not candidate.isalnum():
        return False
    rearranged = candidate[4:] + candidate[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


class SpokenIbanRecognizer(EntityRecognizer):
    """IBANs on the normalised transcript, tolerant of spacing and O/0 confusion.

    Checksum-valid (as heard, or with O/I/L read as 0/1/1) scores 1.0. A known country
    code with about the right length scores low and needs context ("IBAN", or Whisper's
    "Iber") to be kept.
    """

    def __init__(self, supported_language: str = "en", context: Optional[List[str]] = None) -> None:
        """:param supported_language: language of the transcripts.
        :param context: context words; defaults to :data:`IBAN_CONTEXT`.
        """
        super().__init__(
            supported_entities=["IBAN_CODE"],
            name="SpokenIbanRecognizer",
            supported_language=supported_language,
            context=context if context is not None else IBAN_CONTEXT,
        )

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None) -> List[RecognizerResult]:
        """Find IBAN-shaped stretches.

        :param text: the normalised transcript.
        :param entities: requested entity types.
        :param nlp_artifacts: unused.
        """
        results: List[RecognizerResult] = []
        for match in _CANDIDATE.finditer(text):
            country = match.group(1) + match.group(2)
            if country not in IBAN_LENGTHS:
                continue
            body = re.sub(r"[\s,.\-]", "", match.group(4))
            compact = country + match.group(3) + body
            expected = IBAN_LENGTHS[country]
            score = 0.0
            end = match.end()
            for length in (expected, len(compact)):
                head = compact[:length]
                if iban_checksum_valid(head) or iban_checksum_valid(
                    head[:2] + head[2:].translate(_ASR_DIGIT_LOOKALIKES)
                ):
                    score = 1.0
                    break
            if score == 0.0 and abs(len(compact) - expected) <= 4:
                score = 0.3
            if score == 0.0:
                continue
            results.append(attributed_result(self, "IBAN_CODE", match.start(), end, score))
        return results
