"""Redact, in the text, PII that a second listen heard and the first transcript missed.

Plain Python, no Beam: ``transforms/stages/audit.py`` calls it for a clip with nothing
redacted whose second listen heard PII. The audit has already placed what it heard in time
(through the second listen's word times) and silenced it there; this module finds the words
of the first transcript spoken in those intervals, replaces them by typed placeholders, and
names the listen that found them in each entity's recognizer (``second_listen:<name>``).

The first transcript may carry the value as the speech model garbled it, so every word it
placed anywhere in an interval (widened by the audit's pads once more, since the two listens
place words apart by a fraction of a second) goes; a word the ASR gave no length is taken
at its start. The audio under those words is silenced too, so that what the text hides is
never heard. Where the first transcript has no word in an interval at all, or a word whose time
is not a number, the value cannot be placed in its text: :func:`relocate` returns ``None`` and
the caller dead-letters the clip.

Nothing here logs or raises text, values or times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import AbstractSet, List, Optional, Sequence, Tuple

from voicescrub.schemas.records import AudioInterval, PiiSpan, RedactedEntity
from voicescrub.transforms.pii.text_redaction import redact_text

#: Prefix of the recognizer of an entity a second listen found (``second_listen:<name>``).
SECOND_LISTEN = "second_listen"

#: ``(char_start, char_end, start_s, end_s)`` of one word of a transcript (``Clip.word_times``).
WordTime = Tuple[int, int, float, float]


@dataclass(frozen=True)
class Heard:
    """One stretch of PII a second listen heard, placed in time and silenced.

    :param interval: the audio the audit silenced for it.
    :param entity_type: the type the detector gave it.
    :param score: the detector's score.
    :param recognizer: the recognizer that found it in the second listen.
    """

    interval: AudioInterval
    entity_type: str
    score: float
    recognizer: str


def relocate(text: str, word_times: Sequence[WordTime], heard: Sequence[Heard],
             slack_before_s: float, slack_after_s: float,
             critical_entities: AbstractSet[str] = frozenset(),
             ) -> Optional[Tuple[str, Tuple[RedactedEntity, ...]]]:
    """The first transcript with what a second listen heard redacted, and one entity per stretch.

    :param text: the clip's first transcript (nothing was redacted in it).
    :param word_times: where each of its words is, in the text and in time.
    :param heard: what the second listen heard, with the intervals the audit silenced.
    :param slack_before_s: seconds an interval is widened before it to find the words spoken in it.
    :param slack_after_s: seconds it is widened after it.
    :param critical_entities: types that outrank others when placeholders merge.
    :return: the redacted text and the entities (type and offsets of the placeholder in that
        text; audio to silence: the heard interval and the time of the words replaced;
        ``second_listen:<recognizer>``), or ``None`` when a stretch cannot be placed in the text.
    """
    if not heard or not word_times or not all(
            math.isfinite(start) and math.isfinite(end) for _, _, start, end in word_times):
        return None
    spans: List[PiiSpan] = []
    audio: List[AudioInterval] = []
    for item in heard:
        low = item.interval.start_s - slack_before_s
        high = item.interval.end_s + slack_after_s
        inside = [(cs, ce, start, max(start, end)) for cs, ce, start, end in word_times
                  if start <= high and max(start, end) >= low]
        if not inside:
            return None
        spans.append(PiiSpan(item.entity_type, min(w[0] for w in inside), max(w[1] for w in inside),
                             item.score, f"{SECOND_LISTEN}:{item.recognizer}"))
        audio.append(AudioInterval(min(item.interval.start_s, min(w[2] for w in inside)),
                                   max(item.interval.end_s, max(w[3] for w in inside))))
    redacted, redactions = redact_text(text, spans, critical_entities)
    entities = []
    for item, span, interval in zip(heard, spans, audio):
        placeholder = next(r for r in redactions if r.source_start <= span.char_start < r.source_end)
        entities.append(RedactedEntity(
            entity_type=placeholder.entity_type, char_start=placeholder.redacted_start,
            char_end=placeholder.redacted_end, audio_start_s=interval.start_s,
            audio_end_s=interval.end_s, score=item.score, recognizer=span.recognizer))
    return redacted, tuple(entities)
