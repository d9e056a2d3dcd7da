"""Presidio's lemma context enhancer, also matching the words as spoken.

spaCy's small model lemmatises some banking words oddly ("routing" -> "rout",
"born" -> "bear"), so context words are matched against both the lemmas Presidio
uses and the lower-cased surface words in the same window.
"""

from __future__ import annotations

from typing import List

from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts


class SurfaceAndLemmaContextEnhancer(LemmaContextAwareEnhancer):
    """Context words match a lemma or a surface word within the window."""

    def _extract_surrounding_words(self, nlp_artifacts: NlpArtifacts, word: str, start: int) -> List[str]:
        """Lemmas (as Presidio does) plus the surface words around the match.

        :param nlp_artifacts: spaCy output for the text.
        :param word: the matched text.
        :param start: the match's start offset.
        """
        words = super()._extract_surrounding_words(nlp_artifacts=nlp_artifacts, word=word, start=start)
        tokens = nlp_artifacts.tokens
        if not tokens:
            return words
        index = self._find_index_of_match_token(word, start, tokens, nlp_artifacts.tokens_indices)
        end = start + len(word)
        last = index
        while last + 1 < len(tokens) and nlp_artifacts.tokens_indices[last + 1] < end:
            last += 1
        before = tokens[max(0, index - self.context_prefix_count) : index]
        after = tokens[last + 1 : last + 1 + self.context_suffix_count]
        words.extend(token.text.lower() for token in list(before) + list(after))
        return words
