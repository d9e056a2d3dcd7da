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
   * a track/list word or a currency sign comes right before it, in its clause
     ("track 123456", "$250000"; not "skip this track. 739164 is the code"), or
   * an arithmetic word is within two words ("what is 123456 times 7", "add up 12, 47
     and 305"), another number is in its clause or its list of numbers (unless the
     word takes one number: "what's 1234 squared") and no code word comes before it, or
   * it was written as one number with thousands separators ("1,250": said as a number,
     not read out digit by digit) and has fewer than ``min_digits`` digits, or
   * it was said as two numbers around a range word the normaliser took for a digit, with
     no code word before it: a score or range ("112 to 108"), a span of times ("7 15 to
     7 40") or a time before the hour ("ten to nine"), or
   * it was written as a scoreline ("31-28", "6-4, 6-3, 7-5") in a sentence with a
     ``result_words`` entry and no code word ("they won 31-28"), or answering a question
     with one ("What's the score? 3-1?"), or
   * it was said as a day of the month then a year before 1900 or after this one right after
     a month name, with no code word before the month: a historic or coming date as the speech
     model writes one ("July 4, 1776", "June 12, 2099"; a whole date since 1900 may be someone's
     birth and stays redacted), or
   * below ``min_digits`` only: a year in a date phrase ("in 1986", "the year was
     1999") or in a sentence about years ("which year did it sink, 1912?"), a clock time
     with a time word ("at 10 30", "6 45 tomorrow"), a year or a clock time in a question
     that ``when_question_words`` opens, or ``which_question_words`` with a year word ("What
     year did it open?"), or in the sentence answering it ("When did the wall fall? 1989?")
     or counting ("one, two, three", "three, two, one"), or
   * a round number said as one number, at most three digits before its zeros and at most
     ``round_number_max_digits`` digits in all (default 9: "two thousand five hundred",
     "239,000", "four hundred thousand"; not "123,400", not "4,000,000,000,000,000").

2. With banking context within ``window_words`` words either side, the bar drops
   to ``min_digits_in_banking_context`` digits (default 4; dictated runs need only
   ``min_dictated_pieces`` pieces), and only an explicit amount ("$", "dollars",
   "percent" right after it) of at most ``amount_max_digits`` digits (default 10; a card
   number heard as "$4,000,000,000,000,000" is no sum) still counts as harmless. Banking context is a banking
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
   phrase match as above, or one of ``banking_sound_alikes`` (what the speech model writes
   for a banking word: "bin" for PIN, "see me" for CVV) -- every run or glued word of at least
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
``min_digits`` is redacted whole. So is a number written as money with more than
``amount_max_digits`` digits, near a banking word or not: no amount a person states is that
long, and the speech model writes a card number read as one cardinal number as a sum
("$370,974,769,771,171,170") even where it garbles the word "card".

How a run was spoken is only known from the normaliser's :class:`DigitRun`; the
detector hands it over with :meth:`DigitRunFailsafeRecognizer.bind` (as a Presidio
ad-hoc recognizer). Unbound, runs are judged by their digits alone.

Each tier is a module of ``transforms/pii/failsafe/``, plain Python tested alone: banking
context (``banking_context``), the harmless shapes (``harmless``), one run's verdict
(``verdict``: rules 1, 2, 5, 6), the runs redacted for their neighbours (``companions``:
rules 3, 4) and the clip-level forms (``clip_level``: rule 5). This class composes them.
"""


from __future__ import annotations

import copy
import datetime
from typing import AbstractSet, Dict, List, Optional, Tuple

import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from voicescrub.transforms.pii.config import DIGIT_SEQUENCE, DigitRunPolicy
from voicescrub.transforms.pii.failsafe import verdict
from voicescrub.transforms.pii.failsafe.banking_context import (
    LETTER_PREFIXED,
    BankingContext,
)
from voicescrub.transforms.pii.failsafe.clip_level import MonthYears, money_lists
from voicescrub.transforms.pii.failsafe.companions import (
    Fragment,
    clusters,
    ends_statement,
    near_codes,
)
from voicescrub.transforms.pii.failsafe.harmless import (
    in_questions,
    in_result_sentences,
    in_when_questions,
    in_year_questions,
    is_number_pair,
    is_scoreline,
    year_shaped,
)
from voicescrub.transforms.pii.failsafe.words import (
    CURRENCY,
    STRIP,
    clause_end,
    clause_start,
    is_amount,
    word_index,
    words_of,
)
from voicescrub.transforms.pii.recognizers.results import attributed_result
from voicescrub.transforms.pii.spoken_normaliser import DigitRun, NormalisedText

_RUN = re.compile(r"(?<![\w$£€])\d+(?![\w%])")
#: A number written with a decimal point and one or two decimals: a reading or a price.
_DECIMAL = re.compile(r"\d+\.\d{1,2}")


#: The places of the round parts of a number said in words (``_said_in_number_parts``).
_TENS, _HUNDREDS, _THOUSANDS = 1, 2, 3


def _thousands_grouped(written: str, separator: str) -> bool:
    """Whether ``written`` is one number with thousands separators ("1,250", "384,000")."""
    if not separator:
        return False
    groups = written.split(separator)
    return (len(groups) >= 2 and 1 <= len(groups[0]) <= 3 and groups[0].isdigit()
            and all(len(group) == 3 and group.isdigit() for group in groups[1:]))


class DigitRunFailsafeRecognizer(EntityRecognizer):
    """Redacts any digit run that is not clearly harmless (see the module docstring)."""

    SCORE = verdict.SCORE
    SCORE_IN_BANKING_CONTEXT = verdict.SCORE_IN_BANKING_CONTEXT
    SCORE_CLUSTER = verdict.SCORE_CLUSTER

    def __init__(self, policy: DigitRunPolicy, supported_language: str = "en", month_names: str = "",
                 range_words: AbstractSet[str] = frozenset()) -> None:
        """:param policy: thresholds and word lists of the fail-safe rule.
        :param supported_language: language of the transcripts.
        :param month_names: a regex of the language's month names (the PII config's lexicon
            entry ``months``); empty: months are read as numbers only.
        :param range_words: the language's spoken range words that sound like a digit
            (``spoken.range_words`` of its pack): a run two numbers make around one of them
            may be a score, a range or a time.
        """
        self.policy = policy
        self.range_words = frozenset(range_words)
        self._runs: Dict[int, DigitRun] = {}
        self._original = ""
        self._banking_clip = False
        self._context = BankingContext(policy)
        self._verdict = verdict.RunVerdict(policy, self._context)
        self._month_years = MonthYears(policy, month_names)
        self._month_name = re.compile(rf"(?i)(?:{month_names})\.?") if month_names else None
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
        bound._original = normalised.original
        bound._banking_clip = banking_clip
        return bound

    def harmless_at(self, text: str, start: int, end: int) -> bool:
        """Whether every digit run of ``text`` (the bound normalised transcript) inside
        ``start``-``end`` is made harmless by the words around it (a quantity, a listed number,
        a sum; see :meth:`RunVerdict.harmless_shape`), and there is one."""
        words = words_of(text)
        runs = list(_RUN.finditer(text, start, end))
        return bool(runs) and all(self._verdict.harmless_shape(
            words, run.start(), run.end(), dictated=self._dictated(run.start(), run.end()),
            clause_start=clause_start(text, words, run.start()), clause_end=clause_end(text, words, run.end()),
            leading_digits=self._leading_digits(run.start(), run.end()))
            for run in runs)

    def has_banking_context(self, text: str) -> bool:
        """Whether ``text`` (a normalised transcript) carries banking context anywhere.

        A banking word, one a single edit away, a banking phrase, or one of
        ``banking_sound_alikes``: what rules 2 and 5 read as banking context.
        """
        return self._context.anywhere(text)

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None) -> List[RecognizerResult]:
        """Apply the fail-safe rule to every digit run of ``text``.

        :param text: the normalised transcript.
        :param entities: requested entity types.
        :param nlp_artifacts: unused (the rule looks at plain words).
        """
        policy = self.policy
        words = words_of(text)
        banking_at = self._context.positions(words)
        # Clip-level banking mode: strong with a banking word, weak (times, dates and quantities
        # still harmless) when only a sound-alike ("see me", "bin") stands for one.
        clip_banking = self._context.clip_mode(words, banking_at, self._banking_clip)
        spans: List[Tuple[int, int, float]] = []
        fragments: List[Fragment] = []  # short banking-context runs, in order
        codes: List[int] = []  # word indexes of the runs redacted on their own merit
        spared: List[Fragment] = []  # the runs let through
        asked_when = in_when_questions(policy, text, words)  # word indexes
        asked_year = in_year_questions(policy, text, words)  # word indexes
        about_results = in_result_sentences(policy, text, words)  # word indexes
        questions = in_questions(text, words)  # word indexes
        let_through = ""  # the last run, when it was let through: a correction may repeat its role
        for run in _RUN.finditer(text):
            index = word_index(words, run.start())
            if index is None:
                continue
            score = self._verdict.score(
                words, run.start(), run.end(), dictated=self._dictated(run.start(), run.end()),
                banking_at=banking_at, stated=ends_statement(policy, text, words, index, run.end()),
                clip_banking=clip_banking, spelled=self._spelled(run.start(), run.end()),
                decimal=self._decimal(run.start(), run.end()), paired=self._paired(run.start(), run.end()),
                grouped=self._grouped(run.start(), run.end()),
                asked_when=index in asked_when or (index in asked_year and year_shaped(words[index][2])),
                corrects=let_through,
                scoreline=index in about_results and self._scoreline(run.start(), run.end()),
                dated=index > 0 and self._dated(words[index - 1][2], run.start(), run.end()),
                clause_start=clause_start(text, words, run.start()), clause_end=clause_end(text, words, run.end()),
                leading_digits=self._leading_digits(run.start(), run.end()),
                questioned=index in questions,
            )
            if score is not None:
                spans.append((run.start(), run.end(), score))
                codes.append(index)
                let_through = ""
            else:
                spared.append((index, run.start(), run.end(), run.end() - run.start()))
                let_through = run.group()
            if self._context.near(banking_at, index) and not is_amount(words, index, policy.amount_words, policy.amount_max_digits):
                fragments.append((index, run.start(), run.end(), run.end() - run.start()))
            else:
                fragments.append((index, -1, -1, 0))  # an amount or a harmless run breaks a cluster
        spans.extend(clusters(policy, fragments, banking_at, clip_banking))
        for index, (word_start, word_end, word) in enumerate(words):
            core = text[word_start:word_end].strip(STRIP)
            if not core or not (re.search(r"[A-Za-z]", core) or self._too_long_for_money(core)):
                continue
            n_digits = sum(ch.isdigit() for ch in core)
            offset = text.index(core, word_start)
            in_clip = clip_banking and n_digits >= policy.clip_banking_min_digits
            if n_digits < policy.min_digits_in_banking_context and not in_clip:
                if n_digits and n_digits >= (policy.min_digits_near_code or n_digits + 1):
                    spared.append((index, offset, offset + len(core), n_digits))
                continue
            score = self._verdict.score(
                words, offset, offset + len(core), n_digits=n_digits, glued=True, banking_at=banking_at,
                clip_banking=clip_banking, prefixed=bool(LETTER_PREFIXED.fullmatch(core)),
                clause_start=clause_start(text, words, offset), clause_end=clause_end(text, words, offset + len(core)),
            )
            if score is not None:
                spans.append((offset, offset + len(core), score))
                codes.append(index)
            else:
                spared.append((index, offset, offset + len(core), n_digits))
        spans.extend(near_codes(policy, words, codes, spared))
        if clip_banking:
            spans.extend(money_lists(policy, text, words))
        if clip_banking == "strong":
            spans.extend(self._month_years.spans(text, words))
        return [attributed_result(self, DIGIT_SEQUENCE, start, end, score) for start, end, score in spans]

    def _too_long_for_money(self, core: str) -> bool:
        """Whether ``core`` is written as money with more digits than any amount a person
        states (``amount_max_digits``): "$370,974,769,771,171,170" is a card or account number
        read as one cardinal number, which the speech model writes as a sum. The normaliser
        leaves money as it is, so no run of :data:`_RUN` covers it."""
        return core[:1] in CURRENCY and sum(ch.isdigit() for ch in core) > self.policy.amount_max_digits

    def _run_at(self, start: int, end: int) -> Optional[DigitRun]:
        """The normaliser's run exactly at ``start``-``end`` of the normalised text, if any."""
        run = self._runs.get(start)
        return run if run is not None and run.norm_end == end else None

    def _written(self, start: int, end: int) -> Optional[str]:
        """The run at ``start``-``end`` as the speech model wrote it, if the normaliser made it."""
        run = self._run_at(start, end)
        return None if run is None else self._original[run.char_start:run.char_end]

    def _spelled(self, start: int, end: int) -> int:
        run = self._run_at(start, end)
        return sum(1 for g in run.groups if g == 1) if run is not None else 0

    def _decimal(self, start: int, end: int) -> bool:
        """Whether the run was written as one decimal number ("104.9", "12.99")."""
        written = self._written(start, end)
        return written is not None and bool(_DECIMAL.fullmatch(written))

    def _grouped(self, start: int, end: int) -> bool:
        """Whether the run was written as one number with thousands separators ("1,250")."""
        written = self._written(start, end)
        return written is not None and _thousands_grouped(written, self.policy.thousands_separator)

    def _said_in_number_parts(self, start: int, end: int) -> bool:
        """Whether the run is one number said in words that the model wrote in parts: before
        the last part, round thousands ("384,000", "10,000"), then at most one round hundred
        ("300"), then at most one round ten ("80"), as the words come ("300, 80, 4,400 km" for
        "three hundred eighty-four thousand four hundred km"; "384,000 400 km"; "10,000, 5,000
        years"). A code's parts are not so: "8841207 40 minutes", "1230 4560 7890 12 days",
        "100 200 300 7 days", "4,857,773 5 times"."""
        written = self._written(start, end)
        parts = [] if written is None else [part.strip(",") for part in written.split()]
        if len(parts) < 2:
            return False
        ranks = [self._round_rank(part) for part in parts[:-1]]
        # Thousands may repeat ("10,000, 5,000"); a hundred or a ten comes once, after larger ones.
        return all(rank is not None for rank in ranks) and all(
            later < earlier or later == earlier == _THOUSANDS for earlier, later in zip(ranks, ranks[1:]))

    def _round_rank(self, part: str) -> Optional[int]:
        """The place of a round part of a number said in words: thousands (a numeral with
        thousands separators ending in 000), a hundred (100 to 900) or a ten (20 to 90); None
        for any other part."""
        separator = self.policy.thousands_separator
        if _thousands_grouped(part, separator) and part.endswith(separator + "000"):
            return _THOUSANDS
        if part.isdigit() and len(part) == 3 and part[0] != "0" and part.endswith("00"):
            return _HUNDREDS
        if part.isdigit() and len(part) == 2 and part[0] not in "01" and part.endswith("0"):
            return _TENS
        return None

    def _paired(self, start: int, end: int) -> bool:
        """Whether the run was spoken as two numbers joined by a range word ("112 to 108")."""
        run = self._run_at(start, end)
        return run is not None and is_number_pair(run.pieces, self.range_words)

    def _dated(self, word_before: str, start: int, end: int) -> bool:
        """Whether the run was spoken as a day of the month then a year before 1900 or after
        this one, right after a month name: a historic or coming date as the speech model
        writes one ("July 4, 1776", "June 12, 2099"), which the normaliser joins into one run."""
        run = self._run_at(start, end)
        if run is None or self._month_name is None or not self._month_name.fullmatch(word_before):
            return False
        pieces = run.pieces
        if not (len(pieces) == 2 and all(p.isdigit() for p in pieces) and len(pieces[0]) <= 2
                and 1 <= int(pieces[0]) <= 31 and len(pieces[1]) == 4):
            return False
        # A whole date since 1900 up to this year may be someone's birth, whatever cue was lost.
        year = int(pieces[1])
        return year < 1900 or datetime.date.today().year < year <= 2999

    def _scoreline(self, start: int, end: int) -> bool:
        """Whether the run was written as a scoreline ("31-28", "6-4, 6-3, 7-5")."""
        written = self._written(start, end)
        return written is not None and is_scoreline(written)

    def _leading_digits(self, start: int, end: int) -> int:
        """The digits of the run at ``start``-``end`` said before its last number ("8841207" of
        "8841207 40"); 0 for a run the normaliser did not make, and for one number the model
        wrote in parts (:meth:`_said_in_number_parts`)."""
        run = self._run_at(start, end)
        if run is None or self._said_in_number_parts(start, end):
            return 0
        return sum(ch.isdigit() for piece in run.pieces[:-1] for ch in piece)

    def _dictated(self, start: int, end: int) -> int:
        run = self._run_at(start, end)
        return run.dictated if run is not None else 0
