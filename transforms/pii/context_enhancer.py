"""Context words for spoken requests: surface or lemma, and the nearest one counts most.

Presidio's :class:`LemmaContextAwareEnhancer` adds the same boost for any context
word in the window. Spoken banking requests list several numbers in one breath
("sort code 12 34 56, account number 12345678", "account ..., routing ..."), so
the same window holds the context of two entities. This enhancer keeps Presidio's
scheme (a boost of ``context_similarity_factor``, a floor of
``min_score_with_context_similarity``) but takes a little off per word of
distance, so the entity whose context word is nearest wins. It also matches the
lower-cased surface words as well as the lemmas, because spaCy's small model
lemmatises some of ours oddly ("routing" -> "rout", "born" -> "bear").

A context entry of several words ("the back") is a phrase: it counts where its words
stand in a row, their surface forms lower-cased, and its distance is its last word's.
A word that is a cue only in one phrase is listed as that phrase: a security code is
"on the back" of a card, while "back in 1930" and "call me back at 1030" are not codes.
"""

from __future__ import annotations

import bisect
import copy
from typing import AbstractSet, List, Optional, Tuple

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts


class NearestContextEnhancer(LemmaContextAwareEnhancer):
    """Boost by the nearest context word (surface or lemma) within the window.

    :param distance_penalty: score taken off the boost per word between match and context word.
    """

    def __init__(self, *args, distance_penalty: float = 0.01, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.distance_penalty = distance_penalty

    def enhance_using_context(
        self,
        text: str,
        raw_results: List[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: List[EntityRecognizer],
        context: Optional[List[str]] = None,
    ) -> List[RecognizerResult]:
        """Return copies of ``raw_results`` with context boosts applied.

        :param text: the analysed (normalised) text.
        :param raw_results: recognizer results.
        :param nlp_artifacts: spaCy output for ``text``.
        :param recognizers: the recognizers that produced the results.
        :param context: unused (no request-level context in this pipeline).
        """
        results = copy.deepcopy(raw_results)
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return results
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        tokens = nlp_artifacts.tokens
        lemmas = nlp_artifacts.lemmas
        # The words (punctuation aside) with their offsets, found once: each result then
        # finds its neighbours by bisection, so a transcript with many results stays linear.
        words = [i for i in range(len(tokens)) if not tokens[i].is_punct]
        word_starts = [nlp_artifacts.tokens_indices[i] for i in words]
        word_ends = [nlp_artifacts.tokens_indices[i] + len(tokens[i]) for i in words]
        for result in results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if recognizer is None or not recognizer.context:
                continue
            if metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            wanted = {word.lower() for word in recognizer.context if " " not in word.strip()}
            phrases = {tuple(word.lower().split()) for word in recognizer.context if " " in word.strip()}
            before = words[:bisect.bisect_right(word_ends, result.start)]
            after = words[bisect.bisect_left(word_starts, result.end):]
            distance = self._nearest(tokens, lemmas, before, after, wanted, phrases)
            if distance is None:
                continue
            boost = max(0.0, self.context_similarity_factor - self.distance_penalty * distance)
            result.score = min(max(result.score + boost, self.min_score_with_context_similarity), 1.0)
            if result.analysis_explanation is not None:
                result.analysis_explanation.set_improved_score(result.score)
        return results

    def _nearest(self, tokens, lemmas, before: List[int], after: List[int], wanted: set,
                 phrases: AbstractSet[Tuple[str, ...]] = frozenset()) -> Optional[int]:
        """Words between the match and the nearest context word, or None if none is in the window.

        :param before: indexes of the words that end before the match, in order.
        :param after: indexes of the words that start after it, in order.
        :param phrases: context phrases, each as its lower-cased words.
        """
        best: Optional[int] = None
        for distance, i in enumerate(reversed(before[-self.context_prefix_count :] if self.context_prefix_count else [])):
            if self._matches(tokens[i], lemmas[i], wanted) or self._ends_phrase(tokens, i, phrases):
                best = distance
                break
        for distance, i in enumerate(after[: self.context_suffix_count]):
            if self._matches(tokens[i], lemmas[i], wanted) or self._ends_phrase(tokens, i, phrases):
                # A context word after the match counts as further away than any before it:
                # in a list ("account N, routing M") the word after belongs to the next item.
                if best is None:
                    best = self.context_prefix_count + distance
                break
        return best

    @staticmethod
    def _ends_phrase(tokens, i: int, phrases: AbstractSet[Tuple[str, ...]]) -> bool:
        """Whether token ``i`` is the last word of one of ``phrases``, its words in a row."""
        for phrase in phrases:
            first = i - len(phrase) + 1
            if first >= 0 and all(tokens[first + k].text.lower() == word for k, word in enumerate(phrase)):
                return True
        return False

    @staticmethod
    def _matches(token, lemma: str, wanted: set) -> bool:
        return token.text.lower() in wanted or (lemma or "").lower() in wanted
