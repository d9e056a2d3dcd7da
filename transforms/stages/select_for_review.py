"""Stage 1c: leave out, unread, the clips that may not or need not be reviewed.

    clips ─► DropOptedOut ─► DrawReviewSample ─► clips to scrub
                  │                 │
                  └──── excluded ◄──┘  (opted_out, not_sampled, speaker_cap)

Both run before any audio is read, so a clip left out is never read, decoded or
transcribed. The choices are :mod:`voicescrub.transforms.privacy.review_selection`'s; every
key they use is an epoch's, read by the workers from the keyring (none is in the graph).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from voicescrub.schemas.arrow import PARTITION_COLUMN
from voicescrub.schemas.records import Clip
from voicescrub.transforms.privacy.keyring import EpochKeys, KeyringError
from voicescrub.transforms.privacy.pseudonyms import (
    PseudonymSettings,
    epoch_for,
    speaker_pseudonym,
)
from voicescrub.transforms.privacy.review_selection import (
    OptOutDigests,
    ReviewSelection,
    is_sampled,
    opt_out_digest,
    opt_out_files,
    opt_out_ids,
    published_clips_per_speaker,
    speaker_cap_rank,
    split_at_cap,
)
from voicescrub.transforms.runtime.clip_stage import (
    DEAD_LETTER,
    EXCLUDED,
    MAIN,
    ClipStageFn,
    StageOutcomes,
)
from voicescrub.transforms.runtime.errors import PseudonymError

STAGE = "select"


class SelectStageFn(ClipStageFn):
    """A selection step: each clip's epoch key, read from the keyring once per worker; a
    clip whose epoch has no key is dead-lettered, never chosen without one."""

    stage = STAGE

    def __init__(self, pseudonyms: PseudonymSettings) -> None:
        super().__init__()
        self._pseudonyms = pseudonyms
        self._keys: Optional[EpochKeys] = None

    def setup(self) -> None:
        self._keys = EpochKeys(self._pseudonyms.keyring_uri)

    def epoch_and_key(self, clip: Clip, ready_epochs: Iterable[str]) -> Tuple[str, bytes]:
        epoch = epoch_for(clip.entry.recorded_at_us, self._pseudonyms.period)
        try:
            return epoch, self._keys.get(epoch, ready_epochs)
        except KeyringError:
            raise PseudonymError("no key exists for the clip's pseudonym epoch") from None


class DigestOptOutListFn(beam.DoFn):
    """Path of one opt-out list -> (epoch, the digests of its accounts under the epoch's
    key) for each epoch of the run; the list is read once."""

    def __init__(self, pseudonyms: PseudonymSettings) -> None:
        self._pseudonyms = pseudonyms
        self._keys: Optional[EpochKeys] = None

    def setup(self) -> None:
        self._keys = EpochKeys(self._pseudonyms.keyring_uri)

    def process(self, path: str, ready_epochs: List[str]) -> Iterable[Tuple[str, OptOutDigests]]:
        with FileSystems.open(path, compression_type="uncompressed") as raw:
            accounts = list(opt_out_ids(raw))
        for epoch in sorted(set(ready_epochs)):
            try:
                key = self._keys.get(epoch, ready_epochs)
            except KeyringError:
                continue  # no digests for the epoch: DropOptedOutFn dead-letters its clips
            yield epoch, OptOutDigests.of_accounts(key, accounts)


class DropOptedOutFn(SelectStageFn):
    def process_clip(self, clip: Clip, ready_epochs: List[str],
                     opted_out: Dict[str, OptOutDigests]) -> Any:
        epoch, key = self.epoch_and_key(clip, ready_epochs)
        if epoch not in opted_out:
            raise PseudonymError("the opt-out lists were not read for the clip's pseudonym epoch")
        if opt_out_digest(key, clip.entry.account_id) in opted_out[epoch]:
            return self.left_out(clip, "opted_out")
        return clip


class DropOptedOut(beam.PTransform):
    """Clips -> clips of accounts on no ``--opt-out`` list (``[MAIN]``); the others as
    :class:`Exclusion` records (``[EXCLUDED]``, ``opted_out``); clips whose epoch has no
    key (``[DEAD_LETTER]``).

    :param patterns: the ``--opt-out`` files or globs, any Beam filesystem.
    :param ready_epochs: the epochs whose key exists (``ResolveEpochKeys``): the lists and
        the clips' accounts are matched by their digests under each epoch's key.
    """

    def __init__(self, patterns: Tuple[str, ...], pseudonyms: PseudonymSettings,
                 ready_epochs: beam.PCollection) -> None:
        super().__init__()
        self._patterns = patterns
        self._pseudonyms = pseudonyms
        self._ready_epochs = ready_epochs

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        ready = beam.pvalue.AsList(self._ready_epochs)
        opted_out = (
            clips.pipeline
            | "OptOutPatterns" >> beam.Create([self._patterns])
            | "MatchOptOutLists" >> beam.FlatMap(opt_out_files)
            | "DigestOptOutLists" >> beam.ParDo(DigestOptOutListFn(self._pseudonyms), ready)
            | "MergeOptOutLists" >> beam.CombinePerKey(OptOutDigests.merged)
        )
        return clips | "MatchOptOuts" >> beam.ParDo(
            DropOptedOutFn(self._pseudonyms), ready, beam.pvalue.AsDict(opted_out)
        ).with_outputs(EXCLUDED, DEAD_LETTER, main=MAIN)


# Beam would infer a union of the exclusion and the keyed clip, which GroupByKey refuses.
@beam.typehints.with_output_types(Any)
class DrawForReviewFn(SelectStageFn):
    """A clip -> left out (``not_sampled``) or, drawn, ``((epoch, speaker), (rank, id, clip))``
    for the speaker cap."""

    def __init__(self, selection: ReviewSelection, pseudonyms: PseudonymSettings) -> None:
        super().__init__(pseudonyms)
        self._selection = selection

    def process_clip(self, clip: Clip, ready_epochs: List[str]) -> Any:
        entry = clip.entry
        epoch, key = self.epoch_and_key(clip, ready_epochs)
        if not is_sampled(key, entry.utterance_id, self._selection.review_sample_rate):
            return self.left_out(clip, "not_sampled")
        # The cap groups by the speaker's pseudonym, never by the account: what a runner
        # shuffles may be written to disk.
        return ((epoch, speaker_pseudonym(key, entry.account_id)),
                (speaker_cap_rank(key, entry.utterance_id), entry.utterance_id, clip))


class KeepUnderCapFn(beam.DoFn):
    """(speaker and epoch, its drawn clips) -> the first by keyed rank, as many as the cap
    leaves after the clips other runs published; the rest left out (``speaker_cap``)."""

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._outcomes = StageOutcomes(STAGE)

    def process(self, group: Tuple[Tuple[str, str], Iterable[Tuple[int, str, Clip]]],
                published: Dict[Tuple[str, str], int]) -> Iterable[Any]:
        speaker, drawn = group
        kept, over = split_at_cap(drawn, max(0, self._cap - published.get(speaker, 0)))
        yield from kept
        for clip in over:
            yield self._outcomes.left_out(clip.entry, "speaker_cap")


def _published_counts(_: Any, epochs: List[str], utterances_dir: str,
                      run_tag: str) -> Dict[Tuple[str, str], int]:
    return published_clips_per_speaker(utterances_dir, PARTITION_COLUMN, sorted(set(epochs)),
                                       run_tag)


class DrawReviewSample(beam.PTransform):
    """Clips -> the clips drawn for review and under the speaker cap (``[MAIN]``), the
    others (``[EXCLUDED]``) and clips whose epoch has no key (``[DEAD_LETTER]``).

    :param ready_epochs: the epochs whose key exists (``ResolveEpochKeys``).
    :param utterances_dir: where other runs' clips of the same epochs are, for the cap.
    :param run_tag: this run's tag: its own earlier files do not count against the cap.
    """

    def __init__(self, selection: ReviewSelection, pseudonyms: PseudonymSettings,
                 ready_epochs: beam.PCollection, utterances_dir: str, run_tag: str) -> None:
        super().__init__()
        self._selection = selection
        self._pseudonyms = pseudonyms
        self._ready_epochs = ready_epochs
        self._utterances_dir = utterances_dir
        self._run_tag = run_tag

    def expand(self, clips: beam.PCollection) -> Dict[str, beam.PCollection]:
        drawn = clips | "DrawSample" >> beam.ParDo(
            DrawForReviewFn(self._selection, self._pseudonyms),
            beam.pvalue.AsList(self._ready_epochs)).with_outputs(EXCLUDED, DEAD_LETTER, main=MAIN)
        cap = self._selection.max_clips_per_speaker_epoch
        if cap is None:
            kept = drawn[MAIN] | "DropSpeakerKey" >> beam.Map(lambda keyed: keyed[1][2])
            left_out = drawn[EXCLUDED]
        else:
            published = (
                clips.pipeline
                | "Seed" >> beam.Create([None])
                | "PublishedPerSpeaker" >> beam.Map(
                    _published_counts, beam.pvalue.AsList(self._ready_epochs),
                    self._utterances_dir, self._run_tag)
            )
            capped = (
                drawn[MAIN]
                | "GroupBySpeakerEpoch" >> beam.GroupByKey()
                | "KeepUnderCap" >> beam.ParDo(KeepUnderCapFn(cap),
                                               beam.pvalue.AsSingleton(published))
                .with_outputs(EXCLUDED, main=MAIN)
            )
            kept = capped[MAIN]
            left_out = (drawn[EXCLUDED], capped[EXCLUDED]) | "AllLeftOut" >> beam.Flatten()
        return {MAIN: kept, EXCLUDED: left_out, DEAD_LETTER: drawn[DEAD_LETTER]}
