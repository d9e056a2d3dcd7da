"""The fail-safe: long spoken digit runs are redacted unless they are clearly harmless.

Policy (what a reviewer must never hear), applied to every digit run of the
normalised transcript (spoken digits already joined into one run):

1. A run of at least ``min_digits`` digits (default 6) is redacted as
   ``DIGIT_SEQUENCE`` (a critical type) unless it is clearly harmless:

   * a unit or quantity word follows within two words ("25000 steps",
     "120000 dollars", "100000 degrees"), or
   * a track/list/sum word or a currency sign comes right before it
     ("track 123456", "$250000"), or
   * an arithmetic word is within two words ("what is 123456 times 7").

2. With a banking word (account, card, routing, IBAN, PIN, security, social, sort,
   ...) within ``window_words`` words either side, the bar drops to
   ``min_digits_in_banking_context`` digits (default 4), and only an explicit
   amount ("$", "dollars", "percent" ...) still counts as harmless.

3. A specific recognizer that claims the same words wins; the detector drops the
   fail-safe span then, so only unclaimed runs keep the ``DIGIT_SEQUENCE`` type.

Digits glued to letters are read too: a word such as "021AD5960" or
"ssn.log2-0-3-92-91" whose digits reach the same bar is redacted whole.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import regex as re
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from transforms.pii.config import DIGIT_SEQUENCE, DigitRunPolicy

_RUN = re.compile(r"(?<![\w$£€])\d+(?![\w%])")
_WORD = re.compile(r"[^\s]+")
_STRIP = ".,;:!?\"'()[]{}"
#: Amount words that keep a run harmless even in banking context.
_AMOUNT_WORDS = frozenset({"dollar", "dollars", "bucks", "cents", "pound", "pounds", "euro", "euros", "percent", "%", "$", "£", "€"})


class DigitRunFailsafeRecognizer(EntityRecognizer):
    """Redacts any long digit run that is not clearly harmless (see the module docstring)."""

    SCORE = 0.5
    SCORE_IN_BANKING_CONTEXT = 0.6

    def __init__(self, policy: DigitRunPolicy, supported_language: str = "en") -> None:
        """:param policy: thresholds and word lists of the fail-safe rule.
        :param supported_language: language of the transcripts.
        """
        self.policy = policy
        super().__init__(
            supported_entities=[DIGIT_SEQUENCE],
            name="DigitRunFailsafeRecognizer",
            supported_language=supported_language,
            context=[],
        )

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None) -> List[RecognizerResult]:
        """Apply the fail-safe rule to every digit run of ``text``.

        :param text: the normalised transcript.
        :param entities: requested entity types.
        :param nlp_artifacts: unused (the rule looks at plain words).
        """
        words = [(m.start(), m.end(), m.group().lower().strip(_STRIP)) for m in _WORD.finditer(text)]
        results: List[RecognizerResult] = []
        for run in _RUN.finditer(text):
            verdict = self.classify(words, run.start(), run.end())
            if verdict is None:
                continue
            results.append(
                RecognizerResult(
                    entity_type=DIGIT_SEQUENCE,
                    start=run.start(),
                    end=run.end(),
                    score=verdict,
                    analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=verdict),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        for word_start, word_end, word in words:
            core = text[word_start:word_end].strip(_STRIP)
            if not core or not re.search(r"[A-Za-z]", core):
                continue
            n_digits = sum(ch.isdigit() for ch in core)
            if n_digits < self.policy.min_digits_in_banking_context:
                continue
            offset = text.index(core, word_start)
            verdict = self.classify(words, offset, offset + len(core), n_digits=n_digits)
            if verdict is not None:
                results.append(
                    RecognizerResult(
                        entity_type=DIGIT_SEQUENCE,
                        start=offset,
                        end=offset + len(core),
                        score=verdict,
                        analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=verdict),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return results

    def classify(
        self, words: List[Tuple[int, int, str]], start: int, end: int, n_digits: Optional[int] = None
    ) -> Optional[float]:
        """Decide one run: its score if it must be redacted, ``None`` if it may be heard.

        :param words: ``(start, end, lowercased word)`` for every word of the text.
        :param start: run start offset.
        :param end: run end offset.
        :param n_digits: digits in the run, when it is not all digits.
        """
        policy = self.policy
        n_digits = end - start if n_digits is None else n_digits
        index = next((i for i, (s, e, _) in enumerate(words) if s <= start < e), None)
        if index is None:
            return None
        before = [w for _, _, w in words[max(0, index - policy.window_words) : index]]
        after = [w for _, _, w in words[index + 1 : index + 1 + policy.window_words]]
        own = words[index][2]
        banking = any(self._is_banking(w) for w in before + after)
        amount = (after[:1] and after[0] in _AMOUNT_WORDS) or own[:1] in "$£€" or (before[-1:] and before[-1] in ("$", "£", "€"))
        if banking:
            if n_digits < policy.min_digits_in_banking_context or amount:
                return None
            return self.SCORE_IN_BANKING_CONTEXT
        if n_digits < policy.min_digits:
            return None
        if any(w in policy.harmless_following_words for w in after[:2]):
            return None
        if before[-1:] and before[-1] in policy.harmless_preceding_words:
            return None
        if any(w in policy.arithmetic_words for w in before[-2:] + after[:2]):
            return None
        return self.SCORE

    def _is_banking(self, word: str) -> bool:
        if word in self.policy.banking_context_words:
            return True
        stem = word.split("'")[0]
        return stem in self.policy.banking_context_words
