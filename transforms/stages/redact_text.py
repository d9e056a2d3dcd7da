"""Stage 5: replace each detected entity in the transcript by ``[ENTITY_TYPE]``."""

from __future__ import annotations

from typing import AbstractSet

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.pii.text_redaction import redact_text
from voicescrub.transforms.runtime.clip_stage import (
    ClipStageFn,
    replace,
    run_clip_stage,
)


class RedactTextFn(ClipStageFn):
    stage = "redact_text"

    def __init__(self, critical_entities: AbstractSet[str]) -> None:
        super().__init__()
        self._critical_entities = frozenset(critical_entities)

    def process_clip(self, clip: Clip) -> Clip:
        assert clip.transcript is not None
        redacted, redactions = redact_text(clip.transcript.text, clip.spans, self._critical_entities)
        return replace(clip, transcript_redacted=redacted, text_redactions=tuple(redactions))


class RedactText(beam.PTransform):
    """Clips with spans -> clips with ``transcript_redacted`` and where each placeholder came from."""

    def __init__(self, critical_entities: AbstractSet[str]) -> None:
        super().__init__()
        self._critical_entities = frozenset(critical_entities)

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, RedactTextFn(self._critical_entities))
