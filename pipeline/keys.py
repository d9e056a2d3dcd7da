"""Manage pseudonym epoch keys: list, create ahead, shred, purge by retention.

    python -m voicescrub.pipeline.keys --keyring DIR list
    python -m voicescrub.pipeline.keys --keyring DIR create 2026-W45 2026-W46
    python -m voicescrub.pipeline.keys --keyring DIR create --from-manifest 'gs://b/manifests/*.jsonl' --period week
    python -m voicescrub.pipeline.keys --keyring DIR shred 2026-W45
    python -m voicescrub.pipeline.keys --keyring DIR purge --retention-days 180 --output gs://b/out [--now 2027-05-01T00:00:00Z] [--dry-run]

``create --from-manifest`` resolves every epoch a run will need and creates its
key before a distributed run, so workers only ever read keys. ``shred``
destroys a key: that epoch's pseudonyms can never be recomputed. ``purge``
shreds the keys of every epoch that ended more than ``--retention-days`` ago
and deletes its Parquet partitions ``<output>/<table>/pseudonym_epoch=<epoch>/``.

Manifests and output go through Beam's ``FileSystems`` (local, gs://, ...);
the keyring is opened with ``open_keyring``. Nothing printed is ever a key,
an account ID or a manifest line: only epoch names, dates, paths and counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Final, Iterable, Iterator, TextIO

from apache_beam.io.filesystems import FileSystems
from voicescrub.transforms.privacy.keyring import Keyring, KeyringError, open_keyring
from voicescrub.transforms.privacy.pseudonyms import (
    PERIODS,
    epoch_bounds,
    epoch_for,
    epoch_sort_key,
    is_valid_epoch,
    parse_recorded_at,
)

PARTITIONED_TABLES: Final = ("utterances",)
PARTITION_PREFIX: Final = "pseudonym_epoch="

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2


@dataclass
class ManifestEpochs:
    """The epochs found in manifests, and how many lines could not be read.

    :param epochs: epoch names, each once.
    :param lines_read: lines with a usable ``recorded_at``.
    :param lines_skipped: blank-free lines that were not JSON objects or had
        no valid zone-aware ``recorded_at`` (the pipeline dead-letters them).
    :param files: how many manifest files were read.
    """

    epochs: set[str] = field(default_factory=set)
    lines_read: int = 0
    lines_skipped: int = 0
    files: int = 0


def _iter_lines(path: str) -> Iterator[bytes]:
    """Yield the lines of a file opened through ``FileSystems``.

    :param path: a local path or a filesystem URI.
    """
    with FileSystems.open(path) as handle:
        for line in handle:
            yield line


def epochs_from_manifests(patterns: Iterable[str], period: str) -> ManifestEpochs:
    """Find the epochs of every ``recorded_at`` in JSON Lines manifests.

    :param patterns: file globs (local or any Beam filesystem).
    :param period: the pseudonym period, one of ``PERIODS``.
    :return: the epochs and line counts.
    :raises FileNotFoundError: if a pattern matches no file.
    """
    found = ManifestEpochs()
    for pattern in patterns:
        metadata_list = FileSystems.match([pattern])[0].metadata_list
        if not metadata_list:
            raise FileNotFoundError("no manifest matches the pattern")
        for metadata in sorted(metadata_list, key=lambda m: m.path):
            found.files += 1
            for raw_line in _iter_lines(metadata.path):
                if not raw_line.strip():
                    continue
                try:
                    record = json.loads(raw_line)
                    recorded_at_us = parse_recorded_at(record["recorded_at"])
                    epoch = epoch_for(recorded_at_us, period)
                except (ValueError, KeyError, TypeError):
                    found.lines_skipped += 1
                    continue
                found.epochs.add(epoch)
                found.lines_read += 1
    return found


@dataclass(frozen=True)
class Partition:
    """One Hive-style partition directory of an output table.

    :param table: the table folder, e.g. ``utterances``.
    :param epoch: the partition's ``pseudonym_epoch``.
    :param path: the partition folder.
    :param files: the files inside it.
    """

    table: str
    epoch: str
    path: str
    files: tuple[str, ...]


def find_partitions(output: str, table: str) -> tuple[list[Partition], int]:
    """List the ``pseudonym_epoch=<epoch>`` partitions of one output table.

    :param output: the pipeline's output root.
    :param table: the table folder under it.
    :return: partitions with a valid epoch name, and how many partition
        folders were ignored because their name was not a valid epoch.
    """
    table_dir = FileSystems.join(output, table)
    pattern = FileSystems.join(table_dir, PARTITION_PREFIX + "*", "**")
    files_by_name: dict[str, list[str]] = {}
    for metadata in FileSystems.match([pattern])[0].metadata_list:
        relative = metadata.path[len(table_dir) :].lstrip("/\\")
        partition_name = relative.replace("\\", "/").split("/", 1)[0]
        files_by_name.setdefault(partition_name, []).append(metadata.path)
    partitions: list[Partition] = []
    ignored = 0
    for name, files in files_by_name.items():
        epoch = name[len(PARTITION_PREFIX) :]
        if not name.startswith(PARTITION_PREFIX) or not is_valid_epoch(epoch):
            ignored += 1
            continue
        partitions.append(
            Partition(table, epoch, FileSystems.join(table_dir, name), tuple(sorted(files)))
        )
    partitions.sort(key=lambda p: epoch_sort_key(p.epoch))
    return partitions, ignored


def delete_partition(partition: Partition) -> None:
    """Delete a partition's files, then its folder where folders exist.

    :param partition: the partition to delete.
    :raises apache_beam.io.filesystem.BeamIOError: if a delete fails.
    """
    if partition.files:
        FileSystems.delete(list(partition.files))
    if FileSystems.exists(partition.path):  # local folders; object stores have none
        FileSystems.delete([partition.path])


def is_expired(epoch: str, cutoff: datetime) -> bool:
    """Say whether an epoch ended at or before the retention cutoff.

    :param epoch: a valid epoch name.
    :param cutoff: now minus the retention.
    """
    return epoch_bounds(epoch)[1] <= cutoff


def _parse_now(value: str | None) -> datetime:
    """The purge's reference time: ``--now`` or the current UTC time.

    :param value: the ``--now`` flag, ISO-8601 with Z or an offset.
    :raises ValueError: with a fixed message if it is malformed.
    """
    if value is None:
        return datetime.now(timezone.utc)
    epoch_start = datetime(1970, 1, 1, tzinfo=timezone.utc)
    return epoch_start + timedelta(microseconds=parse_recorded_at(value))


def _cmd_list(keyring: Keyring, args: argparse.Namespace, out: TextIO) -> int:
    """Print each epoch with its key's creation time, never the key.

    :param keyring: the keyring.
    :param args: parsed flags (unused).
    :param out: where to print.
    """
    for epoch in keyring.epochs():
        start, end = epoch_bounds(epoch)
        created = keyring.created_at(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(
            f"{epoch}\tcreated {created}\tcovers {start:%Y-%m-%d}..{end:%Y-%m-%d}",
            file=out,
        )
    return EXIT_OK


def _cmd_create(keyring: Keyring, args: argparse.Namespace, out: TextIO) -> int:
    """Create keys ahead of a run, for named epochs and/or manifest epochs.

    :param keyring: the keyring.
    :param args: parsed flags.
    :param out: where to print.
    """
    wanted = set(args.epochs)
    invalid = [e for e in wanted if not is_valid_epoch(e)]
    if invalid:
        print(f"error: {len(invalid)} invalid epoch name(s)", file=sys.stderr)
        return EXIT_USAGE
    if args.from_manifest:
        try:
            found = epochs_from_manifests(args.from_manifest, args.period)
        except FileNotFoundError:
            print("error: a --from-manifest pattern matched no file", file=sys.stderr)
            return EXIT_FAILED
        wanted |= found.epochs
        print(
            f"manifests: {found.files} file(s), {found.lines_read} line(s) read, "
            f"{found.lines_skipped} skipped, {len(found.epochs)} epoch(s)",
            file=out,
        )
    if not wanted:
        print("error: name epochs or give --from-manifest", file=sys.stderr)
        return EXIT_USAGE
    existing = set(keyring.epochs())
    for epoch in sorted(wanted, key=epoch_sort_key):
        keyring.create(epoch)
        print(f"{'exists' if epoch in existing else 'created'}\t{epoch}", file=out)
    return EXIT_OK


def _cmd_shred(keyring: Keyring, args: argparse.Namespace, out: TextIO) -> int:
    """Shred the named epochs' keys.

    :param keyring: the keyring.
    :param args: parsed flags.
    :param out: where to print.
    """
    if any(not is_valid_epoch(e) for e in args.epochs):
        print("error: invalid epoch name", file=sys.stderr)
        return EXIT_USAGE
    for epoch in args.epochs:
        print(f"{'shredded' if keyring.shred(epoch) else 'absent'}\t{epoch}", file=out)
    return EXIT_OK


def _cmd_purge(keyring: Keyring, args: argparse.Namespace, out: TextIO) -> int:
    """Shred expired keys, then delete expired partitions.

    Keys go first: once shredded, anything the deletes miss is already
    unlinkable to its accounts.

    :param keyring: the keyring.
    :param args: parsed flags.
    :param out: where to print.
    """
    if args.retention_days < 1:
        print("error: --retention-days must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        now = _parse_now(args.now)
    except ValueError:
        print("error: --now must be ISO-8601 with Z or an offset", file=sys.stderr)
        return EXIT_USAGE
    cutoff = now - timedelta(days=args.retention_days)
    print(f"cutoff {cutoff:%Y-%m-%dT%H:%M:%SZ}{' (dry run)' if args.dry_run else ''}", file=out)
    status = EXIT_OK

    for epoch in keyring.epochs():
        if not is_expired(epoch, cutoff):
            continue
        if args.dry_run:
            print(f"would shred key\t{epoch}", file=out)
        elif keyring.shred(epoch):
            print(f"shredded key\t{epoch}", file=out)

    for table in PARTITIONED_TABLES:
        partitions, ignored = find_partitions(args.output, table)
        if ignored:
            print(f"ignored {ignored} partition folder(s) with invalid names in {table}", file=out)
        for partition in partitions:
            if not is_expired(partition.epoch, cutoff):
                continue
            counted = f"{partition.path}\t({len(partition.files)} file(s))"
            if args.dry_run:
                print(f"would delete partition\t{counted}", file=out)
                continue
            try:
                delete_partition(partition)
            except Exception:  # report a fixed line, go on with the others
                print(f"failed to delete partition\t{partition.path}", file=sys.stderr)
                status = EXIT_FAILED
                continue
            print(f"deleted partition\t{counted}", file=out)
    return status


def build_parser() -> argparse.ArgumentParser:
    """The CLI's flags and subcommands."""
    parser = argparse.ArgumentParser(
        prog="python -m voicescrub.pipeline.keys",
        description="Manage voicescrub pseudonym epoch keys.",
    )
    parser.add_argument(
        "--keyring", required=True,
        help="keyring folder, file:// URI or a registered backend URI",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="list epochs and key creation times")

    create = commands.add_parser("create", help="create epoch keys ahead of a run")
    create.add_argument("epochs", nargs="*", metavar="EPOCH")
    create.add_argument(
        "--from-manifest", action="append", default=[], metavar="GLOB",
        help="JSON Lines manifests whose recorded_at epochs need keys (repeatable)",
    )
    create.add_argument("--period", choices=PERIODS, default="week")

    shred = commands.add_parser("shred", help="destroy epoch keys for good")
    shred.add_argument("epochs", nargs="+", metavar="EPOCH")

    purge = commands.add_parser("purge", help="shred keys and delete partitions past retention")
    purge.add_argument("--retention-days", type=int, required=True)
    purge.add_argument("--output", required=True, help="the pipeline's output root")
    purge.add_argument("--now", default=None, help="reference time, ISO-8601 (default: now)")
    purge.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    return parser


_COMMANDS: Final = {
    "list": _cmd_list,
    "create": _cmd_create,
    "shred": _cmd_shred,
    "purge": _cmd_purge,
}


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI.

    :param argv: arguments without the program name (default: ``sys.argv[1:]``).
    :param out: where reports go (default: stdout).
    :return: the exit status: 0 ok, 1 failed, 2 usage error.
    """
    args = build_parser().parse_args(argv)
    out = out if out is not None else sys.stdout
    try:
        keyring = open_keyring(args.keyring)
        return _COMMANDS[args.command](keyring, args, out)
    except KeyringError as error:  # fixed messages only
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
