"""Replace detected PII in a transcript by typed placeholders such as ``[CREDIT_CARD]``.

Plain Python; ``transforms/stages/redact_text.py`` wraps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, List, Sequence, Tuple

from voicescrub.schemas.records import PiiSpan


@dataclass(frozen=True)
class TextRedaction:
    """One placeholder: which original characters it replaced and where it sits now.

    :param source_start: first replaced character in the original transcript.
    :param source_end: one past the last replaced character in the original.
    :param redacted_start: offset of the placeholder in the redacted text.
    :param redacted_end: one past its end.
    """

    entity_type: str
    score: float
    recognizer: str
    source_start: int
    source_end: int
    redacted_start: int
    redacted_end: int

    def as_span(self) -> PiiSpan:
        """The replaced stretch of the original transcript, for audio alignment."""
        return PiiSpan(self.entity_type, self.source_start, self.source_end, self.score,
                       self.recognizer)


def _widen_to_tokens(text: str, start: int, end: int) -> Tuple[int, int]:
    # A span that starts or ends inside a token ("4,1|11") would leave part of
    # the number readable, so it grows to whole whitespace-separated tokens.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _joinable(gap: str) -> bool:
    """Two spans separated only by spaces/punctuation read as one entity."""
    return all(not ch.isalnum() for ch in gap)


def redact_text(text: str, spans: Sequence[PiiSpan],
                critical_entities: AbstractSet[str] = frozenset()
                ) -> Tuple[str, List[TextRedaction]]:
    """Replace every span by ``[ENTITY_TYPE]``.

    Overlapping spans, and spans of the same type separated only by spaces or
    punctuation, become one placeholder. Its type is the most critical one in
    the group (a card number wins over a phone number it overlaps), then the
    highest-scoring.

    :param text: the original transcript.
    :param spans: detected spans, in any order, overlaps allowed.
    :param critical_entities: entity types that outrank all others.
    :returns: the redacted text and one :class:`TextRedaction` per placeholder.
    """
    widened = sorted(
        (PiiSpan(s.entity_type, *_widen_to_tokens(text, max(0, s.char_start), min(len(text), s.char_end)),
                 s.score, s.recognizer)
         for s in spans if s.char_end > s.char_start and s.char_start < len(text)),
        key=lambda s: (s.char_start, s.char_end),
    )
    groups: List[List[PiiSpan]] = []
    for span in widened:
        if groups:
            last = groups[-1]
            group_end = max(s.char_end for s in last)
            same_type = any(s.entity_type == span.entity_type for s in last)
            if span.char_start <= group_end or (
                    same_type and _joinable(text[group_end:span.char_start])):
                last.append(span)
                continue
        groups.append([span])

    pieces: List[str] = []
    redactions: List[TextRedaction] = []
    cursor = 0
    out_len = 0
    for group in groups:
        start = min(s.char_start for s in group)
        end = max(s.char_end for s in group)
        chosen = max(group, key=lambda s: (s.entity_type in critical_entities, s.score,
                                           s.char_end - s.char_start))
        recognizers = "+".join(sorted({s.recognizer for s in group}))
        kept = text[cursor:start]
        pieces.append(kept)
        out_len += len(kept)
        placeholder = f"[{chosen.entity_type}]"
        pieces.append(placeholder)
        redactions.append(TextRedaction(
            entity_type=chosen.entity_type,
            score=max(s.score for s in group),
            recognizer=recognizers,
            source_start=start,
            source_end=end,
            redacted_start=out_len,
            redacted_end=out_len + len(placeholder),
        ))
        out_len += len(placeholder)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), redactions
