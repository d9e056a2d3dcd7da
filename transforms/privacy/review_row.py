"""The ``utterances`` row a reviewer gets: redacted material, a pseudonym, a coarse time."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict

from voicescrub.schemas.records import Clip
from voicescrub.transforms.privacy.pseudonyms import (
    PseudonymSettings,
    coarsen_timestamp_us,
)
from voicescrub.transforms.runtime.errors import PseudonymError


def _utc(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc)


def review_row(clip: Clip, pseudonym: str, epoch: str, settings: PseudonymSettings,
               processed_at: datetime) -> Dict[str, Any]:
    """The ``utterances`` row for a fully redacted clip (see ``schemas/arrow.py``).

    Only redacted material is read from the clip; the account and device IDs
    are not part of the row.
    """
    if clip.audio_redacted is None or clip.transcript_redacted is None:
        raise PseudonymError("clip reached the output without redacted text and audio")
    return {
        "utterance_id": clip.entry.utterance_id,
        "speaker_pseudonym": pseudonym,
        "pseudonym_epoch": epoch,
        "recorded_at": _utc(coarsen_timestamp_us(clip.entry.recorded_at_us,
                                                 settings.timestamp_granularity)),
        "duration_s": float(clip.duration_s),
        "language": clip.transcript_language,
        "transcript_redacted": clip.transcript_redacted,
        "audio_redacted": clip.audio_redacted,
        "audio_format": clip.audio_format,
        "sample_rate": int(clip.sample_rate),
        "pii_entities": [
            {
                "entity_type": e.entity_type,
                "char_start": e.char_start,
                "char_end": e.char_end,
                "audio_start_s": e.audio_start_s,
                "audio_end_s": e.audio_end_s,
                "score": e.score,
                "recognizer": e.recognizer,
            }
            for e in clip.entities
        ],
        "contains_critical_pii": bool(clip.contains_critical_pii),
        "audit_passed": clip.audit_passed,
        "audit_rounds": int(clip.audit_rounds),
        "asr_model": clip.asr_model,
        "pipeline_version": settings.pipeline_version,
        "processed_at": processed_at,
    }
