"""Stage 1c: leave out, unread, the clips that may not or need not be reviewed.

    clips ─► DropOptedOut ─► DrawReviewSample ─► clips to scrub
                  │                 │
                  └──── excluded ◄──┘  (opted_out, not_sampled, speaker_cap)

Both run before any audio is read, so a clip left out is never read, decoded or
transcribed. The choices are :mod:`voicescrub.transforms.privacy.review_selection`'s.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
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
    speaker_cap_rank,
    split_at_cap,
)
from voicescrub.transforms.runtime.clip_stage import (
    DEAD_LETTER,
    EXCLUDED,
    MAIN,
    StageOutcomes,
)
from voicescrub.transforms.runtime.errors import PseudonymError

STAGE = "select"


class DigestOptOutListFn(beam.DoFn):
    """Path of one opt-out list -> the digests of its accounts (one element a list)."""

    def __init__(self, run_key: bytes) -> None:
        self._run_key = run_key

    def process(self, path: str) -> Iterable[OptOutDigests]:
        with FileSystems.open(path, compression_type="uncompressed") as raw:
            yield OptOutDigests.of_accounts(self._run_key, opt_out_ids(raw))


class DropOptedOutFn(beam.DoFn):
    def __init__(self, run_key: bytes) -> None:
        self._run_key = run_key
        self._outcomes = StageOutcomes(STAGE)

    def process(self, clip: Clip, opted_out: OptOutDigests) -> Iterable[Any]:
        if opt_out_digest(self._run_key, clip.entry.account_id) in opted_out:
            yield self._outcomes.left_out(clip.entry, "opted_out")
        else:
            yield clip


class DropOptedOut(beam.PTransform):
    """Clips -> clips of accounts on no ``--opt-out`` list (``.clips``); the others as
    :class:`Exclusion` records (``[EXCLUDED]``, ``opted_out``).

    :param patterns: the ``--opt-out`` files or globs, any Beam filesystem.
    :param run_key: a random key of this run only (never stored): both the lists and
        the clips' accounts are matched by their digests under it.
    """

    def __init__(self, patterns: Tuple[str, ...], run_key: bytes) -> None:
        super().__init__()
        self._patterns = patterns
        self._run_key = run_key

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        opted_out = (
            clips.pipeline
            | "OptOutPatterns" >> beam.Create([self._patterns])
            | "MatchOptOutLists" >> beam.FlatMap(opt_out_files)
            | "DigestOptOutLists" >> beam.ParDo(DigestOptOutListFn(self._run_key))
            | "MergeOptOutLists" >> beam.CombineGlobally(OptOutDigests.merged)
        )
        return clips | "MatchOptOuts" >> beam.ParDo(
            DropOptedOutFn(self._run_key), beam.pvalue.AsSingleton(opted_out)
        ).with_outputs(EXCLUDED, main=MAIN)


class DrawForReviewFn(beam.DoFn):
    """A clip -> left out (``not_sampled``) or, drawn, ``((epoch, speaker), (rank, id, clip))``
    for the speaker cap; a clip whose epoch has no key is dead-lettered."""

    def __init__(self, selection: ReviewSelection, pseudonyms: PseudonymSettings) -> None:
        self._selection = selection
        self._pseudonyms = pseudonyms
        self._keys: Optional[EpochKeys] = None
        self._outcomes = StageOutcomes(STAGE)

    def setup(self) -> None:
        self._keys = EpochKeys(self._pseudonyms.keyring_uri)

    def process(self, clip: Clip, ready_epochs: List[str]) -> Iterable[Any]:
        entry = clip.entry
        epoch = epoch_for(entry.recorded_at_us, self._pseudonyms.period)
        try:
            key = self._keys.get(epoch, ready_epochs)
        except KeyringError:
            yield self._outcomes.dead(entry, PseudonymError(
                "no key exists for the clip's pseudonym epoch"))
            return
        if not is_sampled(key, entry.utterance_id, self._selection.review_sample_rate):
            yield self._outcomes.left_out(entry, "not_sampled")
            return
        # The cap groups by the speaker's pseudonym, never by the account: what a runner
        # shuffles may be written to disk.
        yield self._outcomes.passed(((epoch, speaker_pseudonym(key, entry.account_id)),
                                     (speaker_cap_rank(key, entry.utterance_id),
                                      entry.utterance_id, clip)))


class KeepUnderCapFn(beam.DoFn):
    """(speaker and epoch, its drawn clips) -> the ``cap`` first by keyed rank; the rest
    left out (``speaker_cap``)."""

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._outcomes = StageOutcomes(STAGE)

    def process(self, group: Tuple[Any, Iterable[Tuple[int, str, Clip]]]) -> Iterable[Any]:
        kept, over = split_at_cap(group[1], self._cap)
        yield from kept
        for clip in over:
            yield self._outcomes.left_out(clip.entry, "speaker_cap")


class DrawReviewSample(beam.PTransform):
    """Clips -> the clips drawn for review and under the speaker cap (``[MAIN]``), the
    others (``[EXCLUDED]``) and clips whose epoch has no key (``[DEAD_LETTER]``).

    :param ready_epochs: the epochs whose key exists (``ResolveEpochKeys``).
    """

    def __init__(self, selection: ReviewSelection, pseudonyms: PseudonymSettings,
                 ready_epochs: beam.PCollection) -> None:
        super().__init__()
        self._selection = selection
        self._pseudonyms = pseudonyms
        self._ready_epochs = ready_epochs

    def expand(self, clips: beam.PCollection) -> Dict[str, beam.PCollection]:
        drawn = clips | "DrawSample" >> beam.ParDo(
            DrawForReviewFn(self._selection, self._pseudonyms),
            beam.pvalue.AsList(self._ready_epochs)).with_outputs(EXCLUDED, DEAD_LETTER, main=MAIN)
        cap = self._selection.max_clips_per_speaker_epoch
        if cap is None:
            kept = drawn[MAIN] | "DropSpeakerKey" >> beam.Map(lambda keyed: keyed[1][2])
            left_out = drawn[EXCLUDED]
        else:
            capped = (
                drawn[MAIN]
                | "GroupBySpeakerEpoch" >> beam.GroupByKey()
                | "KeepUnderCap" >> beam.ParDo(KeepUnderCapFn(cap)).with_outputs(EXCLUDED, main=MAIN)
            )
            kept = capped[MAIN]
            left_out = (drawn[EXCLUDED], capped[EXCLUDED]) | "AllLeftOut" >> beam.Flatten()
        return {MAIN: kept, EXCLUDED: left_out, DEAD_LETTER: drawn[DEAD_LETTER]}
