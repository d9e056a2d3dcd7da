"""The fail-safe: spoken digit runs are redacted unless they are clearly harmless.

Policy (what a reviewer must never hear), applied to every digit run of the
normalised transcript (spoken digits already joined into one run):

1. Outside banking context a run is redacted as ``DIGIT_SEQUENCE`` (a critical
   type) when it has at least ``min_digits`` digits (default 6), or at least
   ``short_run_digits`` (default 4), or when it was read out one or two digits at a
   time in at least ``min_dictated_pieces`` pieces (default 3: "one, zero, three",
   the way a code is dictated, unlike "a hundred and three") -- unless it is
   clearly harmless:

   * a unit or quantity word follows within two words ("25000 steps",
     "120000 dollars", "100000 degrees"), or
   * a track/list/sum word or a currency sign comes right before it
     ("track 123456", "$250000"), or
   * an arithmetic word is within two words ("what is 123456 times 7"), or
   * below ``min_digits`` only: a year in a date phrase ("in 1986", "the year was
     1999"), a clock time with a time word ("at 10 30", "6 45 tomorrow"), a round
     number said as one number ("two thousand five hundred") or counting ("one, two,
     three", "three, two, one").

2. With banking context within ``window_words`` words either side, the bar drops
   to ``min_digits_in_banking_context`` digits (default 4; dictated runs need only
   ``min_dictated_pieces`` pieces), and only an explicit amount ("$", "dollars",
   "percent" right after it) still counts as harmless. Banking context is a banking
   word, one of ``fuzzy_banking_words`` one edit away ("securty"), or two adjacent words that
   spell a banking phrase give or take an edit ("car bending" for "card ending"),
   because tiny.en damages exactly the words that matter. A banking word inside one
   of ``not_banking_phrases`` ("count down", "social media") is not context.

3. In banking context, digit fragments separated by at most ``cluster_gap_words``
   words that are not banking words ("two one salmon, four six five, number three
   one": the ASR broke one number into pieces) are redacted together, gap words
   included, when they add up to ``min_digits_in_banking_context`` digits.

4. A request that dictates one code dictates its companions in the same breath:
   once a run is redacted, any other run or glued word ("COVID-928") of at least
   ``min_digits_near_code`` digits (default 3) within ``window_words`` of it is
   redacted too, unless it is an amount or a quantity ("8, slash 29" after a card
   number, whatever the ASR made of "expiry"). And a run of that many digits that
   closes a statement or a clause after ``value_statement_words`` ("... is 574.",
   "... is 574, go ahead", not "what is 574?") is judged as a short run: it is the
   shape of a code being given.

5. Clip-level banking mode (``clip_banking_min_digits``, default 3): banking context
   leaks exactly when the ASR damages the words a specific pattern needs ("a count
   number 914", "my visa to near a 1 slash 30", "card ending" heard as anything), so
   once a transcript carries banking context *anywhere* -- a banking word, a fuzzy or
   phrase match as above, or one of ``banking_sound_alikes`` ("bim" for PIN, "see me"
   for CVV, "firing" for expiring) -- every run or glued word of at least
   ``clip_banking_min_digits`` digits, and every run dictated in ``min_dictated_pieces``
   pieces, is redacted unless it is an amount of money ("$40", "50 pounds"); so is a
   month and a two-digit year in ``expiry_years`` ("9 31", "September 31", "5 slash
   32"). PII-free requests (timers, sums, tracks, years) carry no banking words and
   are judged by rules 1-4 only.

6. Outside banking context, a code glued to a misheard context word ("N0548",
   "BIM-2-0-2-2": letters then ``letter_prefixed_min_digits`` digits, default 4) is
   judged as a short run, and a run read out one digit at a time in three pieces or
   more ("in 1-0-8-8") is never taken for a year or a time of day.

7. A specific recognizer that claims the same words wins; the detector drops the
   fail-safe span then, so only unclaimed runs keep the ``DIGIT_SEQUENCE`` type.

Digits glued to letters are read too: a word such as "021AD5960" or
"ssn.log2-0-3-92-91" whose digits reach the banking bar (in context) or
``min_digits`` is redacted whole.

How a run was spoken is only known from the normaliser's :class:`DigitRun`; the
detector hands it over with :meth:`DigitRunFailsafeRecognizer.bind` (as a Presidio
ad-hoc recognizer). Unbound, runs are judged by their digits alone.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from voicescrub.transforms.pii.config import DIGIT_SEQUENCE, DigitRunPolicy
from voicescrub.transforms.pii.recognizers.results import attributed_result
from voicescrub.transforms.pii.spoken_normaliser import DigitRun, NormalisedText

_RUN = re.compile(r"(?<![\w$£€])\d+(?![\w%])")
_WORD = re.compile(r"[^\s]+")
_STRIP = ".,;:!?\"'()[]{}"
#: Amount words that keep a run harmless even in banking context.
_AMOUNT_WORDS = frozenset(
    {"dollar", "dollars", "bucks", "cents", "pound", "pounds", "euro", "euros", "percent", "%", "$", "£", "€"}
)
_CURRENCY = ("$", "£", "€")
#: Letters then digits, with dashes or dots between ("N0548", "BIM-2-0-2-2", "C-V-V-5-5-0").
_LETTER_PREFIXED = re.compile(r"[A-Za-z]+(?:[\-.][A-Za-z]+)*[\-.]?\d(?:[\d\-.]*\d)?")
#: The letters of a letter-prefixed word: "C-V-V-V-5-5-0" -> "C-V-V-V".
_LETTER_PREFIX = re.compile(r"[A-Za-z]+(?:[\-.][A-Za-z]+)*")

Word = Tuple[int, int, str]


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


def _is_counting(digits: str) -> bool:
    """Whether the digits count up from 1 or down to 1 one step at a time ("123", "54321").

    Not from 0: "0-1-2-3" is how the end of a phone number sounds, nobody counts from zero.
    """
    steps = {int(b) - int(a) for a, b in zip(digits, digits[1:])}
    return len(steps) == 1 and ((steps == {1} and digits[0] == "1") or (steps == {-1} and digits[-1] == "1"))


def _squeeze(letters: str) -> str:
    """Runs of one letter made one: "cvvv" and "cvv" are both "cv"."""
    return re.sub(r"(.)\1+", r"\1", letters)


def _words(text: str) -> List[Word]:
    """``(start, end, lower-case word without edge punctuation)`` for each word of ``text``."""
    return [(m.start(), m.end(), m.group().lower().strip(_STRIP)) for m in _WORD.finditer(text)]


class DigitRunFailsafeRecognizer(EntityRecognizer):
    """Redacts any digit run that is not clearly harmless (see the module docstring)."""

    SCORE = 0.5
    SCORE_IN_BANKING_CONTEXT = 0.6
    #: A cluster span is wide and crude: any specific entity inside it must outrank it.
    SCORE_CLUSTER = 0.45

    def __init__(self, policy: DigitRunPolicy, supported_language: str = "en", month_names: str = "") -> None:
        """:param policy: thresholds and word lists of the fail-safe rule.
        :param supported_language: language of the transcripts.
        :param month_names: a regex of the language's month names (the PII config's lexicon
            entry ``months``); empty: months are read as numbers only.
        """
        self.policy = policy
        self._runs: Dict[int, DigitRun] = {}
        self._banking_clip = False
        self._phrases = tuple(p.replace(" ", "") for p in policy.banking_context_phrases)
        self._fuzzy_words = tuple(sorted(policy.fuzzy_banking_words))
        self._sound_alikes = tuple(tuple(p.split()) for p in policy.banking_sound_alikes)
        self._squeezed_acronyms = frozenset(
            _squeeze(w) for w in policy.banking_context_words if w.isalpha() and len(w) <= 4)
        first, last = policy.expiry_years
        months = f"{month_names}|" if month_names else ""
        # A month (name or 1-12) and a two-digit year, as separate runs: "9 31", "September, 31", "5 / 32".
        self._month_year = re.compile(
            rf"(?i)(?<![\w$£€.,])(?:{months}0?[1-9]|1[0-2])(?:\s*[,/]\s*|\s+)(?:20)?(\d\d)(?![\w%])"
        )
        self._expiry_years = range(first, last + 1)
        super().__init__(
            supported_entities=[DIGIT_SEQUENCE],
            name="DigitRunFailsafeRecognizer",
            supported_language=supported_language,
            context=[],
        )

    def load(self) -> None:
        """Nothing to load."""

    def bind(self, normalised: NormalisedText, *, banking_clip: bool = False) -> "DigitRunFailsafeRecognizer":
        """A copy that knows how each run of ``normalised`` was spoken (for one ``analyze`` call).

        :param normalised: the normaliser's output for the transcript about to be analysed.
        :param banking_clip: the clip is known to carry banking context even where this text
            shows none (the audit's re-listen of a clip whose first transcript had banking
            PII): the clip-level mode is at least ``"weak"``.
        """
        bound = copy.copy(self)
        bound._runs = {run.norm_start: run for run in normalised.digit_runs}
        bound._banking_clip = banking_clip
        return bound

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None) -> List[RecognizerResult]:
        """Apply the fail-safe rule to every digit run of ``text``.

        :param text: the normalised transcript.
        :param entities: requested entity types.
        :param nlp_artifacts: unused (the rule looks at plain words).
        """
        words = _words(text)
        banking_at = self._banking_positions(words)
        # Clip-level banking mode: strong with a banking word, weak (times, dates and quantities
        # still harmless) when only a sound-alike ("see me", "bim") stands for one.
        clip_banking = self._clip_banking(words, banking_at)
        results: List[RecognizerResult] = []
        fragments: List[Tuple[int, int, int, int]] = []  # (word index, start, end, digits) of short banking-context runs
        codes: List[int] = []  # word indexes of the runs redacted on their own merit
        spared: List[Tuple[int, int, int, int]] = []  # (word index, start, end, digits) of the runs let through
        for run in _RUN.finditer(text):
            index = self._word_index(words, run.start())
            if index is None:
                continue
            dictated = self._dictated(run.start(), run.end())
            stated = self._ends_statement(text, words, index, run.end())
            verdict = self.classify(
                words, run.start(), run.end(), dictated=dictated, banking_at=banking_at, stated=stated,
                clip_banking=clip_banking, spelled=self._spelled(run.start(), run.end()),
            )
            if verdict is not None:
                results.append(self._result(run.start(), run.end(), verdict))
                codes.append(index)
            else:
                spared.append((index, run.start(), run.end(), run.end() - run.start()))
            if self._near(banking_at, index) and not self._is_amount(words, index):
                fragments.append((index, run.start(), run.end(), run.end() - run.start()))
            else:
                fragments.append((index, -1, -1, 0))  # an amount or a harmless run breaks a cluster
        results.extend(self._clusters(words, fragments, banking_at, clip_banking))
        for index, (word_start, word_end, word) in enumerate(words):
            core = text[word_start:word_end].strip(_STRIP)
            if not core or not re.search(r"[A-Za-z]", core):
                continue
            n_digits = sum(ch.isdigit() for ch in core)
            offset = text.index(core, word_start)
            in_clip = clip_banking and n_digits >= self.policy.clip_banking_min_digits
            if n_digits < self.policy.min_digits_in_banking_context and not in_clip:
                if n_digits and n_digits >= (self.policy.min_digits_near_code or n_digits + 1):
                    spared.append((index, offset, offset + len(core), n_digits))
                continue
            verdict = self.classify(
                words, offset, offset + len(core), n_digits=n_digits, glued=True, banking_at=banking_at,
                clip_banking=clip_banking, prefixed=bool(_LETTER_PREFIXED.fullmatch(core)),
            )
            if verdict is not None:
                results.append(self._result(offset, offset + len(core), verdict))
                codes.append(index)
            else:
                spared.append((index, offset, offset + len(core), n_digits))
        results.extend(self._near_codes(words, codes, spared))
        if clip_banking:
            results.extend(self._money_lists(text, words))
        if clip_banking == "strong":
            results.extend(self._month_years(text, words))
        return results

    def classify(
        self,
        words: List[Word],
        start: int,
        end: int,
        n_digits: Optional[int] = None,
        dictated: int = 0,
        glued: bool = False,
        banking_at: Optional[Sequence[int]] = None,
        stated: bool = False,
        clip_banking: str = "",
        prefixed: bool = False,
        spelled: int = 0,
    ) -> Optional[float]:
        """Decide one run: its score if it must be redacted, ``None`` if it may be heard.

        :param words: ``(start, end, lowercased word)`` for every word of the text.
        :param start: run start offset.
        :param end: run end offset.
        :param n_digits: digits in the run, when it is not all digits.
        :param dictated: pieces of one or two digits the run was spoken in (0: unknown).
        :param glued: the digits are glued to letters (short-run and dictation tiers do not apply).
        :param banking_at: word indexes that are banking context (computed when omitted).
        :param stated: the run is the value of a statement ("... is 574."): with at least
            ``min_digits_near_code`` digits it is judged as a short run.
        :param clip_banking: the transcript carries banking context somewhere (clip-level mode):
            ``"strong"`` (only an amount is harmless), ``"weak"`` (only a sound-alike of a banking
            word: times of day, years in a date phrase and quantities stay harmless) or ``""``.
        :param prefixed: glued digits that follow letters ("N0548"): judged as a short run.
        :param spelled: pieces of a single digit the run was spoken in: with three or more
            ("1-0-8-8") it is never a year or a time of day.
        """
        policy = self.policy
        n_digits = end - start if n_digits is None else n_digits
        index = self._word_index(words, start)
        if index is None:
            return None
        if banking_at is None:
            banking_at = self._banking_positions(words)
        before = [w for _, _, w in words[max(0, index - policy.window_words) : index]]
        after = [w for _, _, w in words[index + 1 : index + 1 + policy.window_words]]
        was_dictated = bool(policy.min_dictated_pieces) and dictated >= policy.min_dictated_pieces
        if self._near(banking_at, index):
            if self._is_amount(words, index):
                return None
            if n_digits >= policy.min_digits_in_banking_context or was_dictated:
                return self.SCORE_IN_BANKING_CONTEXT
            if not clip_banking:
                return None
        if clip_banking and policy.clip_banking_min_digits:
            if self._is_amount(words, index):
                return None
            if not (n_digits >= policy.clip_banking_min_digits or was_dictated):
                return None
            if clip_banking == "weak":
                digits = words[index][2]
                if any(w in policy.harmless_following_words for w in after[:2]):
                    return None
                if self._is_year(digits, before) or self._is_clock_time(digits, before, after):
                    return None
            return self.SCORE
        short_prefixed = prefixed and policy.letter_prefixed_min_digits and n_digits >= policy.letter_prefixed_min_digits
        if n_digits >= policy.min_digits:
            tier = "long"
        elif (not glued or short_prefixed) and policy.short_run_digits and n_digits >= policy.short_run_digits:
            tier = "short"
        elif not glued and was_dictated:
            tier = "short"
        elif not glued and stated and policy.min_digits_near_code and n_digits >= policy.min_digits_near_code:
            tier = "short"
        else:
            return None
        if any(w in policy.harmless_following_words for w in after[:2]):
            return None
        if before[-1:] and before[-1] in policy.harmless_preceding_words:
            return None
        if any(w in policy.arithmetic_words for w in before[-2:] + after[:2]):
            return None
        if tier == "short":
            digits = words[index][2]
            # Read out in three or more pieces ("in 1-0-8-8"), a run is a code, not a year or a time.
            if spelled < 3 and (self._is_year(digits, before) or self._is_clock_time(digits, before, after)):
                return None
            if n_digits >= 3 and dictated <= 1 and digits.endswith("00") and digits.isdigit():
                return None  # a round number said as a number: a quantity
            if digits.isdigit() and _is_counting(digits):
                return None  # "one, two, three", "three, two, one": counting, not a code
        return self.SCORE

    # ------------------------------------------------------------------ helpers

    def _ends_statement(self, text: str, words: List[Word], index: int, end: int) -> bool:
        """Whether the run is the value of a statement: "<is|was|...> RUN" closing a clause with ".", "!" or ","."""
        cues = self.policy.value_statement_words
        if not cues or index == 0 or words[index - 1][2] not in cues or words[index][1] != end + 1:
            return False
        # "574." or "574!" then nothing or a space: not a question ("what is 574?") and not "26.2";
        # "574, go ahead": the value closes its clause and the request goes on, unless as a question.
        if text[end] not in ".!," or not (end + 1 == len(text) or text[end + 1].isspace()):
            return False
        if text[end] == ",":
            closing = re.search(r"[.?!](?!\S)", text[end:])
            return closing is None or closing.group() != "?"
        return True

    def _near_codes(
        self, words: List[Word], codes: Sequence[int], spared: Sequence[Tuple[int, int, int, int]]
    ) -> List[RecognizerResult]:
        """Runs let through that sit next to a dictated code: the rest of the same dictation.

        A request that reads out one code (a card number) reads its companions in the same
        breath (the expiry, the security code), whatever the ASR did to their context words.
        """
        policy = self.policy
        if not policy.min_digits_near_code or not codes:
            return []
        results: List[RecognizerResult] = []
        for index, start, end, n_digits in spared:
            if n_digits < policy.min_digits_near_code:
                continue
            if not any(0 < abs(code - index) <= policy.window_words for code in codes):
                continue
            if self._is_amount(words, index):
                continue
            if any(w in policy.harmless_following_words for _, _, w in words[index + 1 : index + 3]):
                continue
            results.append(self._result(start, end, self.SCORE))
        return results

    def _money_piece(self, text: str, words: List[Word], i: int) -> Optional[Tuple[int, int, int, bool]]:
        """A short "amount" or number at word ``i`` of a list: ``(last word index, start, end, is money)``.

        Money: a currency sign then 1 to ``money_list_max_digits`` digits ("£29"), or such digits
        then an amount word ("29 pounds"). Otherwise a bare short number or short digits glued
        after letters ("code06", a context word the ASR glued to the first pair).
        """
        limit = self.policy.money_list_max_digits
        start, end, word = words[i]
        core = text[start:end].strip(_STRIP)
        if not core:
            return None
        offset = text.index(core, start)
        match = re.fullmatch(rf"[$£€](\d{{1,{limit}}})", core)
        if match:
            return i, offset, offset + len(core), True
        if re.fullmatch(rf"\d{{1,{limit}}}", core):
            if i + 1 < len(words) and words[i + 1][2] in _AMOUNT_WORDS and words[i + 1][2] not in ("percent", "%"):
                return i + 1, offset, words[i + 1][1], True
            if any(w in self.policy.harmless_following_words for _, _, w in words[i + 1 : i + 3]):
                return None
            return i, offset, offset + len(core), False
        glued = re.fullmatch(rf"[A-Za-z]+[\-.]?(\d{{1,{limit}}})", core)
        if glued:
            return i, offset + glued.start(1), offset + len(core), False
        return None

    def _money_lists(self, text: str, words: List[Word]) -> List[RecognizerResult]:
        """Dictated numbers the ASR wrote as money, in a clip with banking context.

        Two or more short amounts in a row ("£29, £37", "$28, £6, £5": 1 to
        ``money_list_max_digits`` digits each, nothing but a comma or a space between them,
        no "and", no word) are the pairs of a sort code or an account number read out, not
        payments: a real payment is one amount, several are joined by "and" or carry pence.
        The short numbers adjacent to such a list ("code06, £29, £37") belong to it.
        """
        policy = self.policy
        if not policy.money_list_min_pieces:
            return []
        results: List[RecognizerResult] = []
        i = 0
        while i < len(words):
            pieces = []
            j = i
            while j < len(words):
                piece = self._money_piece(text, words, j)
                if piece is None:
                    break
                pieces.append(piece)
                last_raw = text[words[piece[0]][0] : words[piece[0]][1]]
                j = piece[0] + 1
                if not re.search(r"[\d\w],?$", last_raw):
                    break  # a full stop, a question mark or a dash closes the list
            if sum(1 for p in pieces if p[3]) >= policy.money_list_min_pieces:
                results.append(self._result(pieces[0][1], pieces[-1][2], self.SCORE_IN_BANKING_CONTEXT))
                i = j
            else:
                i += 1
        return results

    def _month_years(self, text: str, words: List[Word]) -> List[RecognizerResult]:
        """Month-and-year forms of a card expiry, in a clip with banking context ("9 31", "May 32")."""
        results: List[RecognizerResult] = []
        for match in self._month_year.finditer(text):
            if int(match.group(1)) not in self._expiry_years:
                continue
            index = self._word_index(words, match.start(1))
            if index is not None and (self._is_amount(words, index) or words[index + 1 : index + 2] and
                                      words[index + 1][2] in self.policy.harmless_following_words):
                continue
            results.append(self._result(match.start(), match.end(), self.SCORE))
        return results

    def _spelled(self, start: int, end: int) -> int:
        run = self._runs.get(start)
        return sum(1 for g in run.groups if g == 1) if run is not None and run.norm_end == end else 0

    def _dictated(self, start: int, end: int) -> int:
        run = self._runs.get(start)
        return run.dictated if run is not None and run.norm_end == end else 0

    @staticmethod
    def _word_index(words: List[Word], start: int) -> Optional[int]:
        return next((i for i, (s, e, _) in enumerate(words) if s <= start < e), None)

    def _near(self, banking_at: Sequence[int], index: int) -> bool:
        window = self.policy.window_words
        return any(0 < abs(i - index) <= window for i in banking_at)

    @staticmethod
    def _is_amount(words: List[Word], index: int) -> bool:
        own = words[index][2]
        following = words[index + 1][2] if index + 1 < len(words) else ""
        preceding = words[index - 1][2] if index > 0 else ""
        return following in _AMOUNT_WORDS or own[:1] in "$£€" or preceding in _CURRENCY

    def _is_year(self, digits: str, before: List[str]) -> bool:
        if len(digits) != 4 or not digits.isdigit() or not 1000 <= int(digits) <= 2099:
            return False
        return any(w in self.policy.year_cue_words for w in before[-2:])

    def _is_clock_time(self, digits: str, before: List[str], after: List[str]) -> bool:
        if len(digits) not in (3, 4) or not digits.isdigit():
            return False
        hours, minutes = int(digits[:-2]), int(digits[-2:])
        if hours > 23 or minutes > 59:
            return False
        cues = self.policy.time_cue_words
        return bool((before[-1:] and before[-1] in cues) or any(w in cues for w in after[:2]))

    def has_banking_context(self, text: str) -> bool:
        """Whether ``text`` (a normalised transcript) carries banking context anywhere.

        A banking word, one a single edit away, a banking phrase, or one of
        ``banking_sound_alikes``: what rules 2 and 5 read as banking context.
        """
        words = _words(text)
        return bool(self._banking_positions(words)) or self._has_sound_alike(words)

    def _banking_positions(self, words: List[Word]) -> List[int]:
        """Indexes of the words that are banking context (exact, one edit away, or half of a phrase)."""
        found: List[int] = []
        for i, (_, _, word) in enumerate(words):
            following = words[i + 1][2] if i + 1 < len(words) else ""
            if f"{word} {following}" in self.policy.not_banking_phrases:
                continue
            if self._is_banking(word):
                found.append(i)
            elif i + 1 < len(words) and self._is_banking_phrase(word, words[i + 1][2]):
                found.extend((i, i + 1))
        return sorted(set(found))

    def _clip_banking(self, words: List[Word], banking_at: Sequence[int]) -> str:
        """``"strong"`` (a banking word), ``"weak"`` (only a sound-alike of one, or a clip bound
        as a banking clip whose text shows none) or ``""`` (neither).

        A sound-alike is weaker evidence than a banking word: it puts the clip in banking mode
        but does not lower the bar of the runs around it (rule 2).
        """
        if not self.policy.clip_banking_min_digits:
            return ""
        if banking_at:
            return "strong"
        if self._banking_clip or self._has_sound_alike(words):
            return "weak"
        return ""

    def _has_sound_alike(self, words: List[Word]) -> bool:
        return bool(self._sound_alikes) and any(self._sound_alike_length(words, i) for i in range(len(words)))

    def _sound_alike_length(self, words: List[Word], i: int) -> int:
        """How many words from ``i`` spell one of ``banking_sound_alikes`` (0: none)."""
        for phrase in self._sound_alikes:
            if tuple(w for _, _, w in words[i : i + len(phrase)]) == phrase:
                return len(phrase)
        return 0

    def _is_banking(self, word: str) -> bool:
        vocabulary = self.policy.banking_context_words
        if word in vocabulary or word.split("'")[0] in vocabulary:
            return True
        if _LETTER_PREFIXED.fullmatch(word):
            # A banking acronym spelled out and glued to its value, a letter maybe doubled
            # ("C-V-V-V-5-5-0" for "C V V 5 5 0"): the letters are the context word.
            letters = re.sub(r"[^a-z]", "", _LETTER_PREFIX.match(word).group().lower())
            return letters in vocabulary or _squeeze(letters) in self._squeezed_acronyms
        if len(word) >= 5 and word.isalpha():
            return any(edit_distance(word, known, 1) <= 1 for known in self._fuzzy_words)
        return False

    def _is_banking_phrase(self, first: str, second: str) -> bool:
        if not self._phrases or not first.isalpha() or not second.isalpha():
            return False
        joined = first + second
        for phrase in self._phrases:
            allowed = 2 if len(phrase) >= 12 else 1
            if edit_distance(joined, phrase, allowed) <= allowed:
                return True
        return False

    def _clusters(
        self,
        words: List[Word],
        fragments: List[Tuple[int, int, int, int]],
        banking_at: Sequence[int],
        clip_banking: str = "",
    ) -> List[RecognizerResult]:
        """Fragments of one number the ASR broke apart, in banking context, redacted together."""
        gap = self.policy.cluster_gap_words
        if not gap:
            return []
        banking = set(banking_at)
        results: List[RecognizerResult] = []
        cluster: List[Tuple[int, int, int, int]] = []

        def flush() -> None:
            bar = self.policy.min_digits_in_banking_context
            # Only worth a span when a piece is too short to be redacted on its own.
            alone = min(bar, self.policy.clip_banking_min_digits) if clip_banking else bar
            if len(cluster) >= 2 and sum(f[3] for f in cluster) >= bar and min(f[3] for f in cluster) < alone:
                results.append(self._result(cluster[0][1], cluster[-1][2], self.SCORE_CLUSTER))

        for fragment in fragments:
            index, start = fragment[0], fragment[1]
            if start < 0:
                flush()
                cluster = []
                continue
            if cluster:
                between = range(cluster[-1][0] + 1, index)
                if len(between) > gap or any(i in banking for i in between):
                    flush()
                    cluster = []
            cluster.append(fragment)
        flush()
        return results

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return attributed_result(self, DIGIT_SEQUENCE, start, end, score)
