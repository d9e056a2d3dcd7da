"""Widen an IBAN's span backwards over the prefix the ASR wrote apart from its digits.

tiny.en writes a dictated IBAN ("G B sixty four, K W H L, eighty eighty three, ...") as a
damaged country code with its check digits ("DB64", "gb96", "D15", "E6 1", "NLL 70",
"gb6i", "EB-19"), then the bank code spelled as letters ("K-W-H-L", "CKYR", "F-C-C-F",
"R D W K") or as words ("keeping the age"), then digits. The recognizers claim the digits
(IBAN_CODE, DIGIT_SEQUENCE, PHONE_NUMBER, ...), and the prefix stays in the redacted text and
stays audible. This step, run on the detector's spans (original transcript offsets, after
snapping), takes such a span back over the prefix right before it and makes it one
``IBAN_CODE`` span.

A banking span is widened when the words right before it (commas, dots and spaces between,
no "?", "!", ";" or ":") are

* a country code with check digits: 1-3 letters glued to 1-2 digits, maybe with a dash or a
  letter after ("DB64", "gb6i", "EB-19"), or 1-3 capitals then a 1-2 digit number ("NLL 70",
  "G B 64", "E6 1"), or 1-3 capitals right before a span that starts with digits; then
* optionally a bank code: letters spelled apart ("K-W-H-L", "R D W K"), four capitals
  ("CKYR"), four letters glued to the account number's first digits right before the span
  ("DBWK13", "pdlb7"), or, after a country code only, up to ``gap_words`` plain words (the
  bank code heard as words, "keeping the age"; a lowercase "ckyr"), none of them a word that
  starts another value ("call", "phone", "number", "card", ...).

and there is evidence that the span is an IBAN: it is an ``IBAN_CODE`` span, or the clip
names an IBAN (``cue_words``: "IBAN", and what the speech model writes for it from its
confusion table, "item" and "iber" for tiny.en; ``fuzzy_cue_words``: a word one sound away,
"iman", "eban"), or the country code is a real IBAN country glued to its check digits
("GB96", "Gb61"), or letters glued to check digits come right before the span ("DB64, 8083
…": no word is shaped so), or a country code is followed straight by a spelled bank code
("EB-19, FCCF"). A
bank code alone ("K-C-B-R") widens a span only with that evidence or when spelled with
dashes ("K-C-B-R"), the shape of a code read out letter by letter.

Plain words before the country code ("to", "is", "my") are never taken. The IBAN cue word
itself stays in clear ("My IBAN is [IBAN_CODE]"): it says what was redacted, not the value.
Only when the ASR repeated the prefix around a cue word ("E6 1, item E6") is the cue word
inside the widened span, with both copies of the prefix.

Plain Python on :class:`~voicescrub.schemas.records.PiiSpan` values; no Presidio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import regex as re
from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.config import IbanPrefixPolicy
from voicescrub.transforms.pii.failsafe.banking_context import edit_distance
from voicescrub.transforms.pii.recognizers.spoken_iban_recognizer import IBAN_LENGTHS
from voicescrub.transforms.pii.spoken_normaliser import word_cores

IBAN_CODE = "IBAN_CODE"

#: Characters between two words that end an IBAN prefix (a question, a clause break).
_BREAKS = frozenset("?!;:")
#: Letters glued to check digits: "DB64", "gb6i", "EB-19", "D15".
_GLUED_COUNTRY = re.compile(r"([A-Za-z]{1,3})[\-.]?(\d{1,2})[A-Za-z]?")
#: Check digits said apart from the country letters: "70" in "NLL 70".
_CHECK_DIGITS = re.compile(r"\d{1,2}")
#: Country letters said apart from the check digits: "NLL", "G", "DB".
_COUNTRY_LETTERS = re.compile(r"[A-Z]{1,3}")
#: A bank code spelled letter by letter with dashes or dots: "K-W-H-L", "F.C.C.F".
_SPELLED = re.compile(r"[A-Za-z](?:[\-.][A-Za-z]){2,4}")
#: A bank code written as one word of capitals: "CKYR".
_CAPITALS4 = re.compile(r"[A-Z]{4}")
#: A bank code glued to the account number's first digits, the last word before the
#: digits the recognizers claimed: "DBWK13", "pdlb7". Letters run straight into digits only in
#: a code, so lowercase is read too.
_BANK_GLUED = re.compile(r"[A-Za-z]{4}\d{1,4}")
#: A single letter of a bank code read out with spaces: "R D W K".
_SINGLE_LETTER = re.compile(r"[A-Za-z]")
#: A plain word (a bank code heard as words, "keeping the age").
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
#: Words that start another value or request: never part of a bank code heard as words.
_NOT_GAP = frozenset({
    "call", "phone", "text", "ring", "dial", "mobile", "cell", "number", "account", "card", "code", "pin",
    "sort", "routing", "ssn", "social", "security", "password", "email", "e-mail", "cvv", "expiry", "expires",
})
#: Capitals that are words or other codes, never a country code said apart: "I", "A", "PIN".
_NOT_COUNTRY = frozenset({"I", "A", "AM", "PM", "OK", "ID", "TV", "PIN", "SSN", "CVV", "CVC", "ATM", "USA"})


@dataclass(frozen=True)
class _Word:
    start: int  # core offsets (edge punctuation stripped) in the original text
    end: int
    core: str
    gap_before: str  # original characters between the previous core and this one


def _words(text: str) -> List[_Word]:
    return [_Word(start, end, text[start:end], gap) for start, end, gap in word_cores(text)]


def _joinable(gap: str) -> bool:
    return not any(ch in _BREAKS for ch in gap)


class IbanPrefixExtender:
    """Widens banking spans over the IBAN prefix right before them (see the module docstring).

    :param policy: cue words, span types and the gap allowance.
    """

    def __init__(self, policy: IbanPrefixPolicy) -> None:
        self.policy = policy
        self._cues = tuple(tuple(c.split()) for c in policy.cue_words if c.split())
        self._fuzzy_cues = tuple(c for c in policy.fuzzy_cue_words if len(c.split()) == 1)

    def extend(self, text: str, spans: Sequence[PiiSpan]) -> List[PiiSpan]:
        """The spans, each banking span that has an IBAN prefix right before it widened over it.

        :param text: the original transcript the spans index.
        :param spans: detected spans on ``text`` offsets, snapped to words.
        :return: the spans in the same order; a widened span becomes ``IBAN_CODE`` with the
            score of the span it came from.
        """
        if not self.policy.enabled or not spans:
            return list(spans)
        kinds = self.policy.span_types | {IBAN_CODE}
        if not any(s.entity_type in kinds for s in spans):
            return list(spans)
        words = _words(text)
        lows = [w.core.lower() for w in words]
        cue_at = self._cue_positions(lows)
        out: List[PiiSpan] = []
        for span in spans:
            start = None
            if span.entity_type in kinds:
                start = self._prefix_start(text, words, lows, cue_at, span)
            if start is None or start >= span.char_start:
                out.append(span)
            else:
                out.append(PiiSpan(IBAN_CODE, start, span.char_end, span.score, f"{span.recognizer}+IbanPrefix"))
        return out

    # ----------------------------------------------------------------- helpers

    def _cue_positions(self, lows: Sequence[str]) -> frozenset:
        """Indexes of the words that belong to an IBAN cue ("iban", "i b a n", "iman")."""
        found = set()
        for i in range(len(lows)):
            for cue in self._cues:
                if tuple(lows[i : i + len(cue)]) == cue:
                    found.update(range(i, i + len(cue)))
            word = lows[i]
            if len(word) >= 3 and word.isalpha() and any(
                    edit_distance(word, cue, 1) <= 1 for cue in self._fuzzy_cues):
                found.add(i)
        return frozenset(found)

    def _prefix_start(
        self, text: str, words: Sequence[_Word], lows: Sequence[str], cue_at: frozenset, span: PiiSpan
    ) -> Optional[int]:
        """Where the IBAN prefix before ``span`` starts (original offset), or None."""
        first = next((i for i, w in enumerate(words) if w.end > span.char_start), len(words))
        if first == 0:
            return None
        # The words of the span itself must follow the prefix with no break between.
        if not _joinable(text[words[first - 1].end : span.char_start]):
            return None
        span_starts_with_digit = text[span.char_start : span.char_start + 1].isdigit()
        evidence = span.entity_type == IBAN_CODE or bool(cue_at)
        bank: List[int] = []  # word indexes of a bank code spelled as letters / capitals
        gap = 0  # plain words taken as a bank code heard as words
        j = first - 1
        while j >= 0:
            if j in cue_at:
                break
            country = self._country_start(words, j, directly_before_digits=(j == first - 1 and span_starts_with_digit))
            if country is not None:
                # Letters glued to check digits ("DB64", "D15") right before a banking value
                # are read as part of it whatever country they spell: no word is shaped so.
                glued = country == j and not bank and not gap and bool(_GLUED_COUNTRY.fullmatch(words[j].core))
                strong = self._known_country(words[j].core) or (bank and not gap) or glued
                if not (evidence or strong):
                    return None
                if gap and not (evidence or self._known_country(words[j].core)):
                    return None
                return words[self._repeated_prefix(words, lows, cue_at, country)].start
            core = words[j].core
            if not gap and (self._bank_shaped(words, j)
                            or (j == first - 1 and _BANK_GLUED.fullmatch(core))):
                bank.append(j)
            elif _PLAIN_WORD.fullmatch(core) and gap < self.policy.gap_words and core.lower() not in _NOT_GAP:
                gap += 1
            else:
                break
            if not _joinable(words[j].gap_before):
                break
            j -= 1
        # No country code: only a bank code right before the span, when the clip says IBAN
        # or the code was spelled with dashes.
        if not bank:
            return None
        if evidence or any(_SPELLED.fullmatch(words[b].core) and "-" in words[b].core for b in bank):
            return words[min(bank)].start
        return None

    def _repeated_prefix(self, words: Sequence[_Word], lows: Sequence[str], cue_at: frozenset, start: int) -> int:
        """The ASR said the prefix twice around a cue word ("E6 1, IBM E6"): take both copies."""
        while start >= 2 and (start - 1) in cue_at and _joinable(words[start].gap_before):
            k = start - 1
            while k > 0 and (k - 1) in cue_at:
                k -= 1
            if k == 0 or not _joinable(words[k].gap_before):
                break
            earlier = self._country_start(words, k - 1, directly_before_digits=False)
            if earlier is None:
                break
            start = earlier
        return start

    def _country_start(self, words: Sequence[_Word], j: int, directly_before_digits: bool) -> Optional[int]:
        """Index of the first word of a country code with check digits ending at word ``j``, or None."""
        core = words[j].core
        if _GLUED_COUNTRY.fullmatch(core):
            return j
        if _CHECK_DIGITS.fullmatch(core) and j > 0 and _joinable(words[j].gap_before):
            before = words[j - 1].core
            if _GLUED_COUNTRY.fullmatch(before):  # "E6 1"
                return j - 1
            if self._country_letters(before):  # "NLL 70", "G B 64"
                return self._letters_start(words, j - 1)
            return None
        if directly_before_digits and self._country_letters(core):  # "DB" + "6412..." in the span
            return self._letters_start(words, j)
        return None

    @staticmethod
    def _country_letters(core: str) -> bool:
        return bool(_COUNTRY_LETTERS.fullmatch(core)) and core not in _NOT_COUNTRY

    def _letters_start(self, words: Sequence[_Word], j: int) -> int:
        """"G B 64": a single capital before a single capital is part of the country code."""
        if (
            len(words[j].core) == 1
            and j > 0
            and len(words[j - 1].core) == 1
            and self._country_letters(words[j - 1].core)
            and _joinable(words[j].gap_before)
        ):
            return j - 1
        return j

    @staticmethod
    def _known_country(core: str) -> bool:
        """A real IBAN country glued to its check digits ("GB96", "Gb61", "gb6i")."""
        match = _GLUED_COUNTRY.fullmatch(core)
        return bool(match) and match.group(1).upper() in IBAN_LENGTHS

    @staticmethod
    def _bank_shaped(words: Sequence[_Word], j: int) -> bool:
        """A bank code written as letters: "K-W-H-L", "CKYR", or one of "R D W K"."""
        core = words[j].core
        if _SPELLED.fullmatch(core) or _CAPITALS4.fullmatch(core):
            return True
        if _SINGLE_LETTER.fullmatch(core) and core not in ("I", "a"):
            # One of three or more single letters in a row.
            run = 1
            k = j - 1
            while k >= 0 and _SINGLE_LETTER.fullmatch(words[k].core):
                run += 1
                k -= 1
            k = j + 1
            while k < len(words) and _SINGLE_LETTER.fullmatch(words[k].core):
                run += 1
                k += 1
            return run >= 3
        return False

