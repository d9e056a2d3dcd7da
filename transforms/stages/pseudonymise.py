"""Stage 7: replace the account ID by a rotating keyed pseudonym and build the review row.

Keys are resolved before any clip is processed: ``ResolveEpochKeys`` creates
each epoch's key in one place (never racily on many workers) and hands the
list of ready epochs to ``Pseudonymise`` as a side input; workers only read
the keyring. A clip whose epoch has no key is dead-lettered, never hashed
without a key.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.privacy.keyring import KeyMissingError, open_keyring
from voicescrub.transforms.privacy.pseudonyms import (
    PseudonymSettings,
    coarsen_timestamp_us,
    epoch_for,
    speaker_pseudonym,
)
from voicescrub.transforms.runtime.clip_stage import ClipStageFn, run_clip_stage
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


class EnsureEpochKeysFn(beam.DoFn):
    """Given every epoch of the run at once, make sure each has a key; emit the ready ones."""

    def __init__(self, settings: PseudonymSettings) -> None:
        self._settings = settings

    def process(self, epochs: List[str]) -> Iterable[str]:
        keyring = open_keyring(self._settings.keyring_uri)
        for epoch in sorted(set(epochs)):
            try:
                keyring.get_or_create(epoch, create=self._settings.create_keys)
            except KeyMissingError:
                continue  # its clips are dead-lettered by Pseudonymise
            yield epoch


class ResolveEpochKeys(beam.PTransform):
    """Clips -> the epochs (names only, never keys) whose key exists before processing."""

    def __init__(self, settings: PseudonymSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, clips: beam.PCollection) -> beam.PCollection:
        period = self._settings.period
        return (
            clips
            | "EpochOfClip" >> beam.Map(lambda clip: epoch_for(clip.entry.recorded_at_us, period))
            | "DistinctEpochs" >> beam.Distinct()
            # One element holding every epoch: keys are created in one place.
            | "AllEpochs" >> beam.combiners.ToList()
            | "EnsureKeys" >> beam.ParDo(EnsureEpochKeysFn(self._settings))
        )


class PseudonymiseFn(ClipStageFn):
    stage = "pseudonymise"

    def __init__(self, settings: PseudonymSettings) -> None:
        super().__init__()
        self._settings = settings
        self._keyring: Any = None
        self._keys: Dict[str, bytes] = {}

    def setup(self) -> None:
        self._keyring = open_keyring(self._settings.keyring_uri, read_only=True)

    def _key(self, epoch: str, ready_epochs: Iterable[str]) -> bytes:
        key = self._keys.get(epoch)
        if key is None:
            if epoch not in ready_epochs:
                raise PseudonymError("no key exists for the clip's pseudonym epoch")
            try:
                key = self._keyring.get(epoch)
            except KeyMissingError:
                raise PseudonymError("no key exists for the clip's pseudonym epoch") from None
            self._keys[epoch] = key
        return key

    def process_clip(self, clip: Clip, ready_epochs: Optional[List[str]] = None) -> Dict[str, Any]:
        epoch = epoch_for(clip.entry.recorded_at_us, self._settings.period)
        key = self._key(epoch, ready_epochs or ())
        return review_row(clip, speaker_pseudonym(key, clip.entry.account_id), epoch,
                          self._settings, datetime.now(timezone.utc))


class Pseudonymise(beam.PTransform):
    """Redacted clips -> ``utterances`` rows keyed by pseudonym, never by account."""

    def __init__(self, settings: PseudonymSettings, ready_epochs: beam.PCollection) -> None:
        super().__init__()
        self._settings = settings
        self._ready_epochs = ready_epochs

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, PseudonymiseFn(self._settings),
                              beam.pvalue.AsList(self._ready_epochs))
