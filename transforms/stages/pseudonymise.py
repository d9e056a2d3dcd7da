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
from voicescrub.transforms.privacy.keyring import (
    EpochKeys,
    KeyMissingError,
    open_keyring,
)
from voicescrub.transforms.privacy.pseudonyms import (
    PseudonymSettings,
    epoch_for,
    speaker_pseudonym,
)
from voicescrub.transforms.privacy.review_row import review_row
from voicescrub.transforms.runtime.clip_stage import ClipStageFn, run_clip_stage
from voicescrub.transforms.runtime.errors import PseudonymError


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
        self._keys: Optional[EpochKeys] = None

    def setup(self) -> None:
        self._keys = EpochKeys(self._settings.keyring_uri)

    def _key(self, epoch: str, ready_epochs: Iterable[str]) -> bytes:
        try:
            return self._keys.get(epoch, ready_epochs)
        except KeyMissingError:
            raise PseudonymError("no key exists for the clip's pseudonym epoch") from None

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
