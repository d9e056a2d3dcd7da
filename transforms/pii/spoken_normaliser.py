"""Read an ASR transcript as speech: spoken numbers and e-mail addresses made canonical.

Whisper writes what it heard in many shapes: ``four one seven, three, three``,
``3 4 1 9``, ``5.127, 0.384``, ``zero to 6``, ``double five``, ``k lopez at
riverside dental dot net``. Pattern recognizers need one shape, so this module
rewrites the transcript into a *normalised text* in which

* every run of spoken digits (number words, numerals split by commas, dots,
  dashes or spaces, digit homophones such as ``oh``/``to``/``for`` between
  digits, ``double``/``triple``) becomes one unbroken string of ASCII digits, and
* every spoken e-mail address becomes ``local@domain.tld``;

and keeps, for every character of the normalised text, the span of original
characters it came from, so a span found on the normalised text maps back to
the exact words of the transcript (and through their timings to the audio).

Plain Python, no Presidio, no Beam.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from voicescrub.schemas.settings import FrozenMapping, from_mapping, setting, words

#: Top-level domains accepted at the end of a spoken e-mail address (the same in every language).
EMAIL_TLDS = frozenset(
    {"com", "net", "org", "edu", "gov", "io", "co", "uk", "us", "de", "fr", "ca", "info", "biz", "me", "ai", "app", "dev", "mail",
     "be", "ch", "lu", "eu", "it", "es", "nl", "at", "pt", "ie", "qc"}
)

#: Punctuation the speech model writes at a word's edges ("1986.", "(four)"), shed before a
#: word is read; the fail-safe and the detector read words the same way.
EDGE_PUNCTUATION = ".,;:!?\"'()[]{}"
#: A dash may trail a numeral: tiny.en loops on dictated digits and stops mid-group ("077-0-0-0-").
_NUMERAL = re.compile(r"\d+(?:[.,\-/']\d+)*-?")
_TOKEN = re.compile(r"\S+")
#: A numeral the ASR wrote as money ("$10.89").
_CURRENCY_NUMERAL = re.compile(r"[$£€]\d+(?:[.,]\d+)*")
#: Gap characters that end a digit run (a question, an exclamation, a clause break).
_RUN_BREAKS = frozenset("?!;:")


def _word_values(raw: Any) -> FrozenMapping:
    if not isinstance(raw, Mapping) or not all(
            isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in raw.values()):
        raise ValueError("map words to whole numbers")
    return FrozenMapping({str(word).lower(): value for word, value in raw.items()})


def _word_texts(raw: Any) -> FrozenMapping:
    if not isinstance(raw, Mapping) or not all(isinstance(value, str) and value for value in raw.values()):
        raise ValueError("map words to the characters they stand for")
    return FrozenMapping({str(word).lower(): value for word, value in raw.items()})


@dataclass(frozen=True)
class SpokenForms:
    """How one language says numbers and e-mail addresses, and what the speech model in use
    writes for them: the ``spoken`` section of a language pack
    (``transforms/language/<code>/pack.yaml``), to which a model's confusion table adds
    with :meth:`adding`. A number word made of hyphenated parts ("quatre-vingt-dix") may be
    listed whole; the parts of one said apart are read as that word.
    """

    units: Mapping[str, int] = setting(FrozenMapping(), "words of the digits 0-9", parse=_word_values)
    teens: Mapping[str, int] = setting(FrozenMapping(), "words of 10-19", parse=_word_values)
    tens: Mapping[str, int] = setting(FrozenMapping(), "words of the tens 20-90", parse=_word_values)
    scales: Mapping[str, int] = setting(FrozenMapping(), "hundred and thousand", parse=_word_values)
    repeats: Mapping[str, int] = setting(FrozenMapping(), "words that say a digit twice or three "
                                         "times ('double five')", parse=_word_values)
    connectors: FrozenSet[str] = setting(frozenset(), "words between a tens word and a unit or "
                                         "teen of the same number ('vingt et un')", parse=words)
    tens_taking_teens: FrozenSet[str] = setting(
        frozenset(), "tens words that add a teen said after them ('soixante-douze' = 72); after "
        "any other tens word a teen is a number of its own", parse=words)
    bare_scales: bool = setting(
        False, "a scale word said alone is one of it and takes the number after it ('mille neuf "
        "cent' = 1900); off: it is a number of its own ('hundred twenty' reads 100 20)")
    pause_ends_number: bool = setting(
        False, "a comma between two number words ends a number ('zéro quinze, cent vingt-huit' "
        "is 0 15 128); off: the words across it are read as one number")
    joiners: FrozenSet[str] = setting(frozenset(), "spoken separators inside a digit run ('dash')",
                                      parse=words)
    digit_homophones: Mapping[str, str] = setting(
        FrozenMapping(), "word -> the digit it stands for, read as one only next to other digits",
        parse=_word_texts)
    zero_homophones: FrozenSet[str] = setting(
        frozenset(), "homophones of zero, read as one next to any digit ('five oh two')", parse=words)
    range_words: FrozenSet[str] = setting(
        frozenset(), "a homophone that is a range between two numbers each said as one number "
        "of two digits or more ('1900 to 2024', 'twenty four to twenty one')", parse=words)
    run_lead_ins: FrozenSet[str] = setting(
        frozenset(), "words after which a homophone may open a digit run", parse=words)
    identifier_nouns: FrozenSet[str] = setting(
        frozenset(), "nouns right after which a sum of money is an identifier read out "
        "('account $10.89')", parse=words)
    email_at: FrozenSet[str] = setting(frozenset(), "the spoken '@' of an e-mail address", parse=words)
    email_separators: Mapping[str, str] = setting(
        FrozenMapping(), "word -> the character it stands for in an e-mail local part", parse=_word_texts)
    email_dots: FrozenSet[str] = setting(
        frozenset(), "the spoken dots that join the labels of an e-mail domain ('dot'); a speech "
        "model's sound-alikes of them stay out, a domain being read only up to a top-level domain",
        parse=words)
    email_not_local_part: FrozenSet[str] = setting(
        frozenset(), "words that cannot end an e-mail local part ('look at gmail dot com')", parse=words)

    @classmethod
    def from_mapping(cls, raw: Any) -> "SpokenForms":
        """The forms a pack's ``spoken`` section declares.

        :raises SettingsError: in one line, naming the setting.
        """
        return from_mapping(cls, raw, "spoken.")

    # Derived once per value: the normaliser asks for them for every word it reads.
    @functools.cached_property
    def whole_number_words(self) -> FrozenSet[str]:
        """Every number word as listed (units, teens, tens and scales)."""
        return frozenset(self.units) | frozenset(self.teens) | frozenset(self.tens) | frozenset(self.scales)

    @functools.cached_property
    def number_words(self) -> FrozenSet[str]:
        """Every word of a number, whole and by part ("quatre-vingt-dix", "quatre", "vingt")."""
        whole = self.whole_number_words
        return whole | {part for word in whole for part in word.split("-")}

    @functools.cached_property
    def longest_number_word(self) -> int:
        """The most hyphenated parts a listed number word has."""
        return max((word.count("-") + 1 for word in self.whole_number_words), default=1)

    def adding(self, *, digit_homophones: Mapping[str, str] = FrozenMapping(),
               run_lead_ins: FrozenSet[str] = frozenset(),
               email_separators: Mapping[str, str] = FrozenMapping()) -> "SpokenForms":
        """These forms with more words of each kind (a word already known keeps its meaning)."""
        return dataclasses.replace(
            self, digit_homophones=FrozenMapping({**digit_homophones, **self.digit_homophones}),
            run_lead_ins=self.run_lead_ins | frozenset(run_lead_ins),
            email_separators=FrozenMapping({**email_separators, **self.email_separators}))


@dataclass(frozen=True)
class DigitRun:
    """One run of spoken digits.

    :param norm_start: offset of the run's first digit in the normalised text.
    :param norm_end: offset one past its last digit in the normalised text.
    :param char_start: offset of the run's first character in the original text.
    :param char_end: offset one past its last character in the original text.
    :param digits: the run as ASCII digits.
    :param groups: digits per spoken piece, in order: a number word or number ("twenty
        five", "25") is one piece, a numeral split by separators ("0-1-2-3") is one piece
        per group, a digit homophone ("oh", "for") is one piece of its own and counts as 0
        here, since it is only a guess. ``(1, 1, 1)`` means three digits read out one at a
        time, the way a code is dictated; ``(3,)`` is a number said as a number.
    :param pieces: the same pieces as said: a piece's digits, or a homophone's word
        (lowercased); a numeral's group keeps its characters ("7:15").
    """

    norm_start: int
    norm_end: int
    char_start: int
    char_end: int
    digits: str
    groups: Tuple[int, ...] = ()
    pieces: Tuple[str, ...] = ()

    @property
    def dictated(self) -> int:
        """How many pieces of one or two digits the run was read out in (homophones not counted)."""
        return sum(1 for g in self.groups if 1 <= g <= 2)


@dataclass(frozen=True)
class NormalisedText:
    """A transcript rewritten for pattern matching, with a map back to the original.

    :param text: the normalised text.
    :param original: the transcript it was made from.
    :param char_starts: for each normalised character, the first original character it came from.
    :param char_ends: for each normalised character, one past the last original character it came from.
    :param digit_runs: the digit runs, in order.
    """

    text: str
    original: str
    char_starts: Tuple[int, ...]
    char_ends: Tuple[int, ...]
    digit_runs: Tuple[DigitRun, ...]

    def to_original(self, start: int, end: int) -> Tuple[int, int]:
        """Map a span of the normalised text back to original character offsets.

        :param start: start offset in the normalised text.
        :param end: end offset (exclusive) in the normalised text; must be > start.
        :return: ``(char_start, char_end)`` in the original text.
        """
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return self.char_starts[start], self.char_ends[end - 1]

    @property
    def digits(self) -> str:
        """All digits of all runs, concatenated (what a listener could write down)."""
        return "".join(run.digits for run in self.digit_runs)


@dataclass
class _Token:
    start: int  # core (edge punctuation stripped) offsets in the original text
    end: int
    core: str
    low: str
    gap_before: str  # original characters between the previous core and this one
    kind: str = "O"  # N numeral, W number word, R repeat word, H homophone, J joiner word, O other
    digit_homophone: bool = False
    sign: int = 0  # characters of a currency sign right before ``start`` that a digit run takes in


@dataclass(frozen=True)
class _Replacement:
    start: int  # original offsets replaced
    end: int
    text: str
    sources: Tuple[Tuple[int, int], ...]  # per output character, original (start, end)
    is_digit_run: bool
    groups: Tuple[int, ...] = ()  # digits per spoken piece (see DigitRun.groups)
    pieces: Tuple[str, ...] = ()  # the spoken pieces (see DigitRun.pieces)


def phrase_pattern(phrases: Sequence[str]) -> "re.Pattern[str]":
    """Any of ``phrases`` as whole words, case-insensitive, with any whitespace between the
    words of a phrase ("user  name"); alternatives are tried in the order given.

    :param phrases: one or more words each; not empty.
    """
    return re.compile(r"(?i)(?<![\w'])(?:" + "|".join(
        r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in phrases) + r")(?![\w'])")


def word_cores(text: str) -> List[Tuple[int, int, str]]:
    """Each whitespace-separated word of ``text`` without its edge punctuation, as
    ``(start, end, gap_before)``: offsets of the core in ``text`` and the original
    characters between the previous core and this one. Punctuation-only words are skipped."""
    cores: List[Tuple[int, int, str]] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start] in EDGE_PUNCTUATION:
            start += 1
        while end > start and text[end - 1] in EDGE_PUNCTUATION:
            end -= 1
        if start == end:
            continue
        cores.append((start, end, text[previous_end:start]))
        previous_end = end
    return cores


def _tokenise(text: str, forms: SpokenForms) -> List[_Token]:
    tokens = [_Token(start, end, text[start:end], text[start:end].lower(), gap)
              for start, end, gap in word_cores(text)]
    for k in range(1, len(tokens)):
        token = tokens[k]
        if tokens[k - 1].low in forms.identifier_nouns and _CURRENCY_NUMERAL.fullmatch(token.core):
            # The digits are read as a numeral; their run replaces the sign too, so nothing
            # downstream reads the identifier as money.
            tokens[k] = _Token(token.start + 1, token.end, token.core[1:], token.low[1:],
                               token.gap_before, sign=1)
    return tokens


def _is_number_word(low: str, forms: SpokenForms) -> bool:
    """A number word, or number words joined by hyphens ("nine-one-one", "vingt-et-un"); a
    repeat word inside such a word must have a unit after it ("double-one", "nine-double-one":
    how Whisper writes a dictated "nine double one"), a connector must sit between two parts."""
    parts = low.split("-")
    numbers = forms.number_words
    for index, part in enumerate(parts):
        if part in forms.repeats and len(parts) > 1:
            if not (index + 1 < len(parts) and parts[index + 1] in forms.units):
                return False
        elif part in forms.connectors:
            if not 0 < index < len(parts) - 1:
                return False
        elif part not in numbers:
            return False
    return True


def _classify(token: _Token, forms: SpokenForms) -> None:
    if _NUMERAL.fullmatch(token.core):
        token.kind = "N"
    elif _is_number_word(token.low, forms):
        token.kind = "W"
    elif token.low in forms.repeats:
        token.kind = "R"
    elif token.low in forms.digit_homophones:
        token.kind = "H"
    elif token.low in forms.joiners:
        token.kind = "J"


def _join_connectors(tokens: Sequence[_Token], forms: SpokenForms) -> None:
    """A connector between a tens word and a unit or teen ("vingt et un", "soixante et onze")
    joins them into one number; anywhere else it is a word ("entre 10 et 15")."""
    for k in range(1, len(tokens) - 1):
        token, left, right = tokens[k], tokens[k - 1], tokens[k + 1]
        if (token.low in forms.connectors and token.kind == "O" and left.kind == "W" and right.kind == "W"
                and left.low.split("-")[-1] in forms.tens
                and (right.low in forms.units or right.low in forms.teens)
                and _joinable(token.gap_before) and _joinable(right.gap_before)):
            token.kind = "J"


def _joinable(gap: str) -> bool:
    return not any(ch in _RUN_BREAKS for ch in gap)


def _is_digitish(token: _Token) -> bool:
    return token.kind in ("N", "W") or (token.kind == "H" and token.digit_homophone)


def _neighbour_at(tokens: Sequence[_Token], index: int, step: int) -> Optional[int]:
    """Where the next token in direction ``step`` within the same run is, skipping joiner words."""
    k = index
    while True:
        gap_token = tokens[k] if step < 0 else tokens[k + step] if 0 <= k + step < len(tokens) else None
        k += step
        if not 0 <= k < len(tokens) or gap_token is None or not _joinable(gap_token.gap_before):
            return None
        if tokens[k].kind != "J":
            return k


def _neighbour(tokens: Sequence[_Token], index: int, step: int) -> Optional[_Token]:
    """The next token in direction ``step`` within the same run, skipping joiner words."""
    k = _neighbour_at(tokens, index, step)
    return None if k is None else tokens[k]


def _resolve_homophones(tokens: Sequence[_Token], forms: SpokenForms) -> None:
    """Decide which homophones are digits: between digits first, then opening a long run."""
    chains: List[Tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if tokens[i].kind != "H":
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and tokens[j + 1].kind == "H" and _joinable(tokens[j + 1].gap_before):
            j += 1
        chains.append((i, j))
        i = j + 1
    lead_ins: List[Tuple[int, int]] = []
    for i, j in chains:
        left = _neighbour(tokens, i, -1)
        right_at = _neighbour_at(tokens, j, 1)
        right = None if right_at is None else tokens[right_at]
        left_digit = left is not None and left.kind in ("N", "W")
        # A repeat word counts only before a digit ("oh double five", not "oh double check").
        right_digit = right is not None and (
            right.kind in ("N", "W") or (right.kind == "R" and _repeat_starts_digit(tokens, right_at, forms)))
        chain = tokens[i : j + 1]
        # A spoken separator between the chain and a digit ("mode to slash 30" for "oh two
        # slash thirty") says the chain is part of the run.
        joined_right = right_digit and j + 1 < len(tokens) and tokens[j + 1].kind == "J"
        zeros = all(t.low in forms.zero_homophones for t in chain)
        if i == j and chain[0].low in forms.range_words and (
                _year_range(left, right) or _number_range(tokens, i, right_at, forms)):
            accept = False
        elif (left_digit and right_digit) or joined_right:
            accept = True
        elif zeros and (left_digit or right_digit or _repeat_after_digit(tokens, i)):
            # "oh" is rarely anything but zero next to a digit ("five oh two", "two two oh"),
            # or repeated after one ("four double oh").
            accept = True
        else:
            accept = False
            if right_digit and left is not None and left.low in forms.run_lead_ins:
                lead_ins.append((i, j))
            elif right_digit and chain[-1].low in forms.zero_homophones:
                # The zeros that open a number after a word that sounds like a digit
                # ("to oh six slash twenty nine"): the zeros are digits, the word is not.
                k = j
                while k > i and tokens[k - 1].low in forms.zero_homophones:
                    k -= 1
                for token in tokens[k : j + 1]:
                    token.digit_homophone = True
                chain = tokens[i:k]
        for token in chain:
            token.digit_homophone = accept
    for i, j in lead_ins:
        accept = _digits_ahead(tokens, j + 1) >= 3
        for token in tokens[i : j + 1]:
            token.digit_homophone = accept


def _repeat_after_digit(tokens: Sequence[_Token], i: int) -> bool:
    """Whether ``tokens[i]`` follows a repeat word that follows a digit ("four double oh")."""
    return (i >= 2 and tokens[i - 1].kind == "R" and tokens[i - 2].kind in ("N", "W")
            and _joinable(tokens[i - 1].gap_before) and _joinable(tokens[i].gap_before))


def _year(token: Optional[_Token]) -> Optional[int]:
    if token is None or token.kind != "N" or not re.fullmatch(r"(?:19|20)\d\d", token.core):
        return None
    return int(token.core)


def _year_range(left: Optional[_Token], right: Optional[_Token]) -> bool:
    """"1900 to 2024": a range word between two years, the second later, is not a digit."""
    first, last = _year(left), _year(right)
    return first is not None and last is not None and last > first


def _whole_numeral(token: _Token) -> bool:
    """A numeral of two digits or more that does not open with a zero ("24", "112", "1,250")."""
    digits = re.sub(r"\D", "", token.core)
    return token.kind == "N" and len(digits) >= 2 and not digits.startswith("0")


def _ends_whole_number(tokens: Sequence[_Token], index: int, forms: SpokenForms) -> bool:
    """Whether ``tokens[index]`` closes a number of two digits or more said as one number:
    a whole numeral, a teen, a scale, a hyphenated compound ("twenty-four"), or a unit after a
    tens word or after "and" ("twenty four", "a hundred and two"). A bare tens word does not:
    "twenty to" is how a speech model writes "twenty-two" as often as a range."""
    token = tokens[index]
    if _whole_numeral(token):
        return True
    last = token.low.split("-")[-1]
    if token.kind == "W" and ("-" in token.low or last in forms.teens or last in forms.scales):
        return True
    if not ((token.kind == "W" and last in forms.units) or (token.kind == "N" and token.core.isdigit())):
        return False
    previous = tokens[index - 1] if index > 0 and _joinable(token.gap_before) else None
    if previous is None:
        return False
    return (previous.kind == "W" and previous.low in forms.tens) or (
        previous.low == "and" and index > 1 and tokens[index - 2].kind in ("N", "W"))


def _opens_whole_number(tokens: Sequence[_Token], index: int, forms: SpokenForms) -> bool:
    """Whether ``tokens[index]`` opens a number of two digits or more said as one number: a
    whole numeral, a teen, a tens word, a compound ("twenty one", "twenty-one", "112") or a
    unit before a scale ("one hundred and eight")."""
    token = tokens[index]
    if _whole_numeral(token):
        return True
    first = token.low.split("-")[0]
    if token.kind == "W" and (first in forms.teens or first in forms.tens or first in forms.scales):
        return True
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return (token.kind == "W" and first in forms.units and following is not None
            and following.low in forms.scales and _joinable(following.gap_before))


def _number_range(tokens: Sequence[_Token], at: int, right_at: Optional[int], forms: SpokenForms) -> bool:
    """"24 to 21", "twenty four to twenty one", "a hundred and two to ninety nine": a range
    word between two numbers each said as one number of two digits or more is a word (a score,
    a range), not a digit. A dictated code is read a digit or a pair at a time, so a range
    word in it sits next to a single digit or a bare tens word; and right after a run lead-in
    ("is", "code", "number") the numbers are a value being given, whose "to" may be a digit
    the model misheard ("my extension is 34 to 56")."""
    left_at = _neighbour_at(tokens, at, -1)
    if not (left_at is not None and right_at is not None and right_at == at + 1 and left_at == at - 1
            and _ends_whole_number(tokens, left_at, forms)
            and _opens_whole_number(tokens, right_at, forms)):
        return False
    # The left number must open its stretch of number words: after single digits ("five five
    # five twelve to thirty four") it is a piece of a dictated number.
    start = left_at
    while start > 0 and _joinable(tokens[start].gap_before) and tokens[start - 1].kind == "W" and (
            tokens[start - 1].low in forms.tens or tokens[start - 1].low in forms.scales
            or tokens[start].low in forms.scales):
        start -= 1
    if tokens[start].low in forms.units and start > 1 and tokens[start - 1].low == "and":
        return True  # "a hundred and two": the "and" joins it to a scale
    if start > 0 and tokens[start - 1].low in forms.run_lead_ins:
        return False  # a value being given ("my code is 12 to 34"): "to" may be its digit 2
    return not (start > 0 and _joinable(tokens[start].gap_before) and tokens[start - 1].kind in ("N", "W"))


def _digits_ahead(tokens: Sequence[_Token], index: int) -> int:
    """Roughly how many digits the run starting at ``index`` holds (for lead-in homophones)."""
    count = 0
    k = index
    while k < len(tokens) and (k == index or _joinable(tokens[k].gap_before)):
        token = tokens[k]
        if token.kind == "N":
            count += sum(ch.isdigit() for ch in token.core)
        elif token.kind == "W":
            count += 1
        elif not (token.kind == "H" and token.digit_homophone) and token.kind not in ("R", "J"):
            break
        k += 1
    return count


def _parse_below_hundred(words: Sequence[str], i: int, forms: SpokenForms) -> Optional[Tuple[int, int]]:
    if i >= len(words):
        return None
    word = words[i]
    if word in forms.tens:
        value = forms.tens[word]
        following = words[i + 1] if i + 1 < len(words) else ""
        if forms.units.get(following, 0) > 0:
            return value + forms.units[following], i + 2
        if word in forms.tens_taking_teens and following in forms.teens and value + forms.teens[following] < 100:
            return value + forms.teens[following], i + 2
        return value, i + 1
    if word in forms.teens:
        return forms.teens[word], i + 1
    if word in forms.units:
        return forms.units[word], i + 1
    if word.isdigit():
        return int(word), i + 1  # a numeral before a scale (_scaled_numeral)
    return None


def _parse_number_group(words: Sequence[str], i: int, forms: SpokenForms) -> Tuple[str, int]:
    """Parse one spoken number starting at ``words[i]``.

    ``twenty five`` -> 25, ``three hundred and`` -> 300, ``mille neuf cent`` -> 1900,
    ``nineteen eighty`` is two groups (19, 80) that the caller concatenates, which is how
    digits are read.

    :return: the digits and the index after the group.
    """
    word = words[i]
    scales = forms.scales
    if word in forms.repeats and i + 1 < len(words) and words[i + 1] in forms.units:
        return str(forms.units[words[i + 1]]) * forms.repeats[word], i + 2
    if word in scales and forms.bare_scales:
        # A scale word said alone is one of it ("cent", "mille") and takes what follows.
        value, j = 1, i
    elif word in scales:
        value, j = scales[word], i + 1
    else:
        parsed = _parse_below_hundred(words, i, forms)
        if parsed is None:
            return "", i + 1
        value, j = parsed
        # "one zero" must stay "10" as digits, so only a scale word extends a group, and
        # never a zero: "zéro cent quatre-vingt-huit" is 0 then 188.
        if value == 0 or not (j < len(words) and words[j] in scales):
            return str(value), j
    while j < len(words) and words[j] in scales:
        scale = scales[words[j]]
        value = value * scale if 0 < value < scale else value + scale
        j += 1
        rest = _parse_below_hundred(words, j, forms)
        if rest is None:
            continue
        amount, k = rest
        if scale >= 1000 and k < len(words) and scales.get(words[k]) == 100:
            value += amount * 100
            j = k + 1
            tail = _parse_below_hundred(words, j, forms)
            if tail is not None:
                value += tail[0]
                j = tail[1]
        elif not (k < len(words) and words[k] in scales):
            value += amount
            j = k
    return str(value), j


def _number_parts(words: Sequence[str], owners: Sequence[int], forms: SpokenForms,
                  paused: Sequence[int] = ()) -> Tuple[List[str], List[Tuple[int, int]]]:
    """The parts of number words with connectors dropped and the parts of a number word
    listed whole put back together ("quatre vingt dix sept" -> "quatre-vingt-dix", "sept"),
    each with the first and last token it came from. Parts with a pause between them (a
    comma before the token of ``paused``) stay apart: "quatre, vingt" is 4 then 20."""
    whole = forms.whole_number_words
    longest = forms.longest_number_word
    kept = [(w, o) for w, o in zip(words, owners) if w not in forms.connectors]

    def unbroken(first: int, last: int) -> bool:
        return not any(kept[k][1] != kept[k - 1][1] and kept[k][1] in paused for k in range(first + 1, last + 1))

    parts: List[str] = []
    owned: List[Tuple[int, int]] = []
    i = 0
    while i < len(kept):
        for size in range(min(longest, len(kept) - i), 0, -1):
            joined = "-".join(w for w, _ in kept[i:i + size])
            if size == 1 or (joined in whole and unbroken(i, i + size - 1)):
                parts.append(joined)
                owned.append((kept[i][1], kept[i + size - 1][1]))
                i += size
                break
    return parts, owned


def _repeats_homophone(run: Sequence[_Token], k: int) -> bool:
    return run[k].kind == "R" and k + 1 < len(run) and run[k + 1].kind == "H"


def _run_digits(run: Sequence[_Token], forms: SpokenForms) -> Tuple[str, List[Tuple[int, int]], List[int], List[str]]:
    """Turn a run of digit-ish tokens into digits, per digit its original span, and the
    digits per spoken piece and the pieces as said (see :attr:`DigitRun.groups`)."""
    digits: List[str] = []
    sources: List[Tuple[int, int]] = []
    groups: List[int] = []
    spoken: List[str] = []
    i = 0
    while i < len(run):
        token = run[i]
        if token.kind == "R" and i + 1 < len(run) and run[i + 1].kind == "N" and len(run[i + 1].core) == 1:
            # "double 5": the ASR wrote the digit as a numeral after the spoken repeat word.
            digit = run[i + 1]
            for _ in range(forms.repeats[token.low]):
                digits.append(digit.core)
                sources.append((token.start, digit.end))
            groups.append(forms.repeats[token.low])
            spoken.append(digit.core * forms.repeats[token.low])
            i += 2
        elif _repeats_homophone(run, i):
            # "double oh": the repeated digit is a homophone.
            digit = run[i + 1]
            for _ in range(forms.repeats[token.low]):
                digits.append(forms.digit_homophones[digit.low])
                sources.append((token.start, digit.end))
            groups.append(forms.repeats[token.low])
            spoken.append(forms.digit_homophones[digit.low] * forms.repeats[token.low])
            i += 2
        elif token.kind == "N" and not _scaled_numeral(run, i, forms):
            for offset, ch in enumerate(token.core):
                if ch.isdigit():
                    digits.append(ch)
                    sources.append((token.start + offset, token.start + offset + 1))
            numeral_groups = [g for g in re.split(r"[.,\-/']", token.core) if g]
            groups.extend(len(g) for g in numeral_groups)
            spoken.extend(numeral_groups)
            i += 1
        elif token.kind == "H":
            digits.append(forms.digit_homophones[token.low])
            sources.append((token.start, token.end))
            groups.append(0)
            spoken.append(token.low)
            i += 1
        else:
            # A stretch of words: expand hyphenated words, remember which token each came from.
            pieces: List[str] = []
            owners: List[int] = []
            k = i
            while k < len(run) and (run[k].kind in ("W", "R") or _scaled_numeral(run, k, forms)) \
                    and not _repeats_homophone(run, k):
                for part in run[k].low.split("-"):
                    pieces.append(part)
                    owners.append(k)
                k += 1
            paused = [t for t in range(i + 1, k) if "," in run[t].gap_before]
            words, owned = _number_parts(pieces, owners, forms, paused)
            w = 0
            while w < len(words):
                # In a language whose pack says so, a comma is a pause and a pause ends a number:
                # "zéro quinze, cent vingt-huit" is 0, 15, 128, never 1528. A repeat word keeps
                # its digit ("double, five").
                end = len(words)
                if forms.pause_ends_number:
                    end = next((b for b in range(w + 1, len(words))
                                if owned[b][0] != owned[b - 1][1] and owned[b][0] in paused
                                and words[b - 1] not in forms.repeats), len(words))
                group, nxt = _parse_number_group(words[:end], w, forms)
                span = (run[owned[w][0]].start, run[owned[max(w, nxt - 1)][1]].end)
                for ch in group:
                    digits.append(ch)
                    sources.append(span)
                if group:
                    # "double five" is said as one piece of two digits.
                    groups.append(len(group))
                    spoken.append("".join(group))
                w = max(nxt, w + 1)
            i = k
    return "".join(digits), sources, groups, spoken


def _scaled_numeral(run: Sequence[_Token], i: int, forms: SpokenForms) -> bool:
    """Whether ``run[i]`` is a whole numeral below the scale word that follows it, opening the
    run or following a scale word: the model wrote the first half of a number said as one
    number as digits ("19 hundred eighty-nine" is 1989, "3 thousand 5 hundred" 3500), and it
    is parsed with its words. After another digit ("4 8 hundred") it is a piece of a dictated
    code, and a numeral as large as its scale ("482 hundred") is no way to say a number."""
    token = run[i]
    following = run[i + 1] if i + 1 < len(run) else None
    if not (token.kind == "N" and token.core.isdigit() and not token.core.startswith("0")
            and following is not None and following.kind == "W"):
        return False
    scale = forms.scales.get(following.low.split("-")[0], 0)
    previous = run[i - 1] if i > 0 else None
    return int(token.core) < scale and (
        previous is None or (previous.kind == "W" and previous.low.split("-")[-1] in forms.scales))


def _find_digit_runs(tokens: Sequence[_Token], taken: Sequence[bool], forms: SpokenForms) -> List[_Replacement]:
    replacements: List[_Replacement] = []
    i = 0
    n = len(tokens)
    while i < n:
        if taken[i] or not (_is_digitish(tokens[i]) or _repeat_starts_digit(tokens, i, forms)):
            i += 1
            continue
        j = i
        while j + 1 < n and not taken[j + 1] and _joinable(tokens[j + 1].gap_before):
            if _is_digitish(tokens[j + 1]) or _repeat_starts_digit(tokens, j + 1, forms):
                j += 1
            elif (
                tokens[j + 1].kind == "J"
                and j + 2 < n
                and not taken[j + 2]
                and _joinable(tokens[j + 2].gap_before)
                and (_is_digitish(tokens[j + 2]) or _repeat_starts_digit(tokens, j + 2, forms))
            ):
                j += 2
            else:
                break
        run = [t for t in tokens[i : j + 1] if t.kind != "J"]
        digits, sources, groups, pieces = _run_digits(run, forms)
        if digits:
            replacements.append(_Replacement(run[0].start - run[0].sign, run[-1].end, digits, tuple(sources), True,
                                             tuple(groups), tuple(pieces)))
        i = j + 1
    return replacements


def _repeat_starts_digit(tokens: Sequence[_Token], i: int, forms: SpokenForms) -> bool:
    """A repeat word before a digit word, a one-digit numeral or a homophone read as a
    digit ("double five", "double 5", "double oh two")."""
    if tokens[i].kind != "R" or i + 1 >= len(tokens):
        return False
    following = tokens[i + 1]
    return (following.low in forms.units or (following.kind == "N" and len(following.core) == 1)
            or (following.kind == "H" and following.digit_homophone))


def _email_piece(token: _Token) -> str:
    return re.sub(r"[^a-z0-9._\-]", "", token.low)


def _find_spoken_emails(tokens: Sequence[_Token], forms: SpokenForms) -> List[Tuple[int, int, str]]:
    """Find ``local at domain dot tld`` (and ``local at domain.tld``) as token index spans."""
    found: List[Tuple[int, int, str]] = []
    n = len(tokens)
    for at in range(1, n - 1):
        if tokens[at].low not in forms.email_at and tokens[at].low != "@":
            continue
        # Domain: up to four words, then one or more "dot <word>" ending in a TLD,
        # or a single token already written as a host name.
        domain_parts: List[str] = []
        end = None
        k = at + 1
        while k < n and k <= at + 8:
            token = tokens[k]
            if "." in token.low.strip(".") and token.low.rsplit(".", 1)[-1] in EMAIL_TLDS:
                domain_parts.append(_email_piece(token))
                end = k
                break
            if token.low in forms.email_dots and k + 1 < n and domain_parts:
                nxt = tokens[k + 1].low
                domain_parts.append(".")
                domain_parts.append(_email_piece(tokens[k + 1]))
                k += 2
                if nxt in EMAIL_TLDS and not (k + 1 < n and tokens[k].low in forms.email_dots):
                    end = k - 1
                    break
                continue
            if not token.low.isalnum() or len(domain_parts) >= 7:
                break
            domain_parts.append(_email_piece(token))
            k += 1
        if end is None:
            continue
        # Local part: the word before "at", plus spelled letters / joined pieces before it.
        first = at - 1
        last_local = tokens[first]
        if last_local.low in forms.email_not_local_part or not re.search(r"[a-z0-9]", last_local.low):
            continue
        local_parts = [_email_piece(last_local)]
        while first - 1 >= 0 and len(local_parts) < 6:
            prev = tokens[first - 1]
            separators = forms.email_separators
            if prev.low in separators and first - 2 >= 0 and tokens[first - 2].low not in forms.email_not_local_part:
                local_parts[:0] = [_email_piece(tokens[first - 2]), separators[prev.low]]
                first -= 2
            elif len(prev.low) == 1 and prev.low.isalpha() and prev.low not in forms.email_not_local_part:
                local_parts.insert(0, prev.low)
                first -= 1
            else:
                break
        address = "".join(local_parts) + "@" + "".join(domain_parts)
        if found and found[-1][1] >= first:
            continue
        found.append((first, end, address))
    return found


def normalise(text: str, forms: SpokenForms) -> NormalisedText:
    """Rewrite a transcript so spoken digits and e-mail addresses have one canonical shape.

    :param text: the ASR transcript.
    :param forms: how numbers and e-mail addresses are said (``PiiConfig.spoken_forms``:
        the language pack's, plus the speech model's confusions).
    :return: the normalised text with its map back to ``text``.
    """
    tokens = _tokenise(text, forms)
    for token in tokens:
        _classify(token, forms)
    _join_connectors(tokens, forms)
    taken = [False] * len(tokens)
    replacements: List[_Replacement] = []
    for first, last, address in _find_spoken_emails(tokens, forms):
        for k in range(first, last + 1):
            taken[k] = True
        start, end = tokens[first].start, tokens[last].end
        replacements.append(_Replacement(start, end, address, tuple([(start, end)] * len(address)), False))
    _resolve_homophones(tokens, forms)
    replacements.extend(_find_digit_runs(tokens, taken, forms))
    replacements.sort(key=lambda r: r.start)

    out: List[str] = []
    starts: List[int] = []
    ends: List[int] = []
    runs: List[DigitRun] = []
    position = 0
    for replacement in replacements:
        for offset in range(position, replacement.start):
            out.append(text[offset])
            starts.append(offset)
            ends.append(offset + 1)
        norm_start = len(starts)
        out.append(replacement.text)
        for source in replacement.sources:
            starts.append(source[0])
            ends.append(source[1])
        if replacement.is_digit_run:
            runs.append(
                DigitRun(norm_start, len(starts), replacement.start, replacement.end, replacement.text, replacement.groups,
                         replacement.pieces)
            )
        position = replacement.end
    for offset in range(position, len(text)):
        out.append(text[offset])
        starts.append(offset)
        ends.append(offset + 1)
    return NormalisedText("".join(out), text, tuple(starts), tuple(ends), tuple(runs))
