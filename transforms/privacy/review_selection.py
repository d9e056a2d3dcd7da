"""Which clips may be reviewed at all: opt-outs, the keyed review sample, the speaker cap.

Plain Python; ``transforms/stages/select_for_review.py`` wraps it. Every choice is
made before a clip's audio is read, so a clip left out costs nothing and is never
heard by anyone.

- **Opt-outs.** An account on an ``--opt-out`` list is matched by a keyed digest
  (:func:`opt_out_digest`) under the epoch's key, as its pseudonym is: the lists
  travel through the pipeline (a side input, which runners may write to disk) only
  as digests that nobody without the keyring can link to an account, and that
  nobody at all can once the epoch's key is shredded. The key itself never enters
  the job graph: workers read it from the keyring. A digest is 64 bits; two accounts
  sharing one can only leave a clip out, never let an opted-out clip through.
- **The review sample.** A clip is drawn when a keyed draw of its utterance ID under
  its epoch's key falls below the rate (:func:`is_sampled`): a rerun draws the same
  clips, and nobody without the key can steer which.
- **The speaker cap.** Of one speaker's clips in one epoch, the ones with the
  lowest keyed rank (:func:`speaker_cap_rank`) are kept (:func:`split_at_cap`), less
  the clips other runs already published for that speaker and epoch
  (:func:`published_clips_per_speaker`).

Nothing here logs, and every error carries a fixed message: the inputs are account
IDs and keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import (
    Dict,
    Final,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

import numpy as np
from apache_beam.io.filesystems import FileSystems
from voicescrub.schemas.settings import setting
from voicescrub.transforms.io.parquet_files import read_columns

#: Each purpose hashes under its own personalisation, so no value drawn for one
#: purpose can be reused for another.
_OPT_OUT: Final = b"vs-opt-out-v1"
_SAMPLE: Final = b"vs-sample-v1"
_SPEAKER_CAP: Final = b"vs-speakercap-v1"
_DRAWS: Final = 2 ** 64


class OptOutListError(Exception):
    """An opt-out list cannot be read whole. Fixed messages: never a line's content."""


def _uris(raw: Sequence[str]) -> Tuple[str, ...]:
    uris = tuple(str(uri).strip() for uri in raw)
    if any(not uri for uri in uris):
        raise ValueError("name a file each time it is given")
    return uris


@dataclass(frozen=True)
class ReviewSelection:
    """What may reach review at all; every clip left out goes to ``excluded/`` unread."""

    opt_out: Tuple[str, ...] = setting(
        (), "text file of opted-out account IDs, one per line, any Beam filesystem (a glob "
        "matches several); their clips are never read (excluded/, opted_out)", repeat=True,
        parse=_uris)
    review_sample_rate: float = setting(
        1.0, "share of clips drawn for review by a keyed draw per epoch: a rerun draws the "
        "same clips (others: excluded/, not_sampled)", above=0.0, maximum=1.0)
    max_clips_per_speaker_epoch: Optional[int] = setting(
        None, "most clips of one speaker in one pseudonym epoch (others: excluded/, "
        "speaker_cap)", minimum=1, default_text="no cap")

    @property
    def draws(self) -> bool:
        """Whether clips need their epoch's key to be chosen (a sample or a cap)."""
        return self.review_sample_rate < 1.0 or self.max_clips_per_speaker_epoch is not None


def _keyed_draw(key: bytes, purpose: bytes, value: str) -> int:
    """A 64-bit keyed digest of ``value`` for one ``purpose`` (keyed BLAKE2b, a PRF)."""
    digest = hashlib.blake2b(value.encode("utf-8"), key=key, person=purpose, digest_size=8)
    return int.from_bytes(digest.digest(), "big")


def opt_out_digest(epoch_key: bytes, account_id: str) -> int:
    """The digest an account is matched by against the opt-out lists, in one epoch."""
    return _keyed_draw(epoch_key, _OPT_OUT, account_id)


def is_sampled(epoch_key: bytes, utterance_id: str, rate: float) -> bool:
    """Whether the keyed draw of ``utterance_id`` under its epoch's key falls in the sample."""
    if rate >= 1.0:
        return True
    return _keyed_draw(epoch_key, _SAMPLE, utterance_id) < int(rate * _DRAWS)


def speaker_cap_rank(epoch_key: bytes, utterance_id: str) -> int:
    """The order in which one speaker's clips of an epoch are kept under the cap."""
    return _keyed_draw(epoch_key, _SPEAKER_CAP, utterance_id)


Ranked = TypeVar("Ranked")


def split_at_cap(ranked: Iterable[Tuple[int, str, Ranked]], cap: int
                 ) -> Tuple[List[Ranked], List[Ranked]]:
    """(rank, utterance_id, item) of one speaker and epoch -> (the ``cap`` lowest-ranked
    items, the rest); the utterance ID breaks ties, so any delivery order gives one answer."""
    ordered = sorted(ranked, key=lambda item: (item[0], item[1]))
    return [item for _, _, item in ordered[:cap]], [item for _, _, item in ordered[cap:]]


def opt_out_ids(lines: Iterable[bytes]) -> Iterator[str]:
    """The account IDs of one opt-out list: one per line, UTF-8, surrounding whitespace
    dropped as the manifest reader drops it; blank lines skipped.

    :raises OptOutListError: for a line that is not UTF-8. A list read in part would let
        the clips of the accounts it lost be reviewed, so the whole run stops instead.
    """
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise OptOutListError(f"an opt-out list's line {number} is not valid UTF-8") from None
        account_id = text.lstrip("\ufeff").strip() if number == 1 else text.strip()
        if "\r" in account_id:
            # Lines ended by a lone carriage return would read as one long ID and match
            # no account at all.
            raise OptOutListError(f"an opt-out list's line {number} holds a carriage return "
                                  "inside it (lines must end in LF or CRLF)")
        if account_id:
            yield account_id


def opt_out_files(patterns: Iterable[str]) -> List[str]:
    """Every file the ``--opt-out`` patterns name, on any Beam filesystem.

    :raises OptOutListError: for a pattern that names no file: a list that is missing
        would let its accounts' clips be reviewed.
    """
    paths: List[str] = []
    for pattern in patterns:
        matched = sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)
        if not matched:
            raise OptOutListError("an --opt-out list matches no file")
        paths.extend(matched)
    return paths


def count_opt_out_ids(path: str) -> int:
    """How many account IDs one opt-out list holds, reading it whole as the run will.

    :raises OptOutListError: for a line that is not UTF-8.
    """
    with FileSystems.open(path, compression_type="uncompressed") as raw:
        return sum(1 for _ in opt_out_ids(raw))


class OptOutDigests:
    """The digests of every opted-out account, sorted: 8 bytes an account (10^6 accounts
    are 8 MB), and a membership test is a binary search.

    :param digests: unsigned 64-bit digests, in any order, repeats allowed.
    """

    def __init__(self, digests: Optional[np.ndarray] = None) -> None:
        values = np.empty(0, dtype=np.uint64) if digests is None else digests
        self._digests = np.unique(np.asarray(values, dtype=np.uint64))

    @classmethod
    def of_accounts(cls, epoch_key: bytes, account_ids: Iterable[str]) -> "OptOutDigests":
        return cls(np.fromiter((opt_out_digest(epoch_key, account_id) for account_id in account_ids),
                               dtype=np.uint64))

    @classmethod
    def merged(cls, parts: Iterable["OptOutDigests"]) -> "OptOutDigests":
        arrays = [part._digests for part in parts]
        return cls(np.concatenate(arrays) if arrays else None)

    def __contains__(self, digest: int) -> bool:
        at = int(np.searchsorted(self._digests, np.uint64(digest)))
        return at < len(self._digests) and int(self._digests[at]) == digest

    def __len__(self) -> int:
        return len(self._digests)

    def __repr__(self) -> str:
        return f"OptOutDigests({len(self)} accounts)"


def published_clips_per_speaker(utterances_dir: str, partition_column: str,
                                epochs: Iterable[str], run_tag: str) -> Dict[Tuple[str, str], int]:
    """Clips each speaker already has in ``utterances/`` for ``epochs``, from runs other
    than ``run_tag`` (this run's own files are the ones it replaces, so a rerun draws
    as the first run did): the part of the speaker cap other runs used up.

    :return: ``{(epoch, speaker_pseudonym): clips}``.
    """
    counts: Dict[Tuple[str, str], int] = {}
    for epoch in epochs:
        pattern = f"{utterances_dir}/{partition_column}={epoch}/part-*.parquet"
        for match in FileSystems.match([pattern])[0].metadata_list:
            if match.path.rsplit("/", 1)[-1].startswith(f"part-{run_tag}-"):
                continue
            speakers = read_columns(match.path, ["speaker_pseudonym"])
            for speaker in speakers.column("speaker_pseudonym").to_pylist():
                counts[(epoch, speaker)] = counts.get((epoch, speaker), 0) + 1
    return counts
