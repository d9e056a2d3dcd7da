"""Write rows to Parquet files atomically, on any Beam filesystem. No Beam pipeline code.

A file is written under a name readers skip (``_tmp-...``; Arrow, Spark and
DuckDB ignore names starting with ``_`` or ``.``) and renamed into place when
complete, so a crashed run never leaves a half-written file that a reader
would pick up. Final names are deterministic per run tag, partition and shard,
so rerunning the same manifests replaces files instead of adding duplicates.
"""

from __future__ import annotations

import uuid
import zlib
from typing import Any, Dict, Iterable, List, Optional

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

ROW_GROUP_ROWS = 64  # rows carry audio: small row groups keep writer memory flat


def shard_of(key: str, shards: int) -> int:
    """A stable shard for ``key`` (crc32, the same on every worker and every run)."""
    return zlib.crc32(key.encode("utf-8")) % shards


def part_name(run_tag: str, shard: int, shards: int) -> str:
    """File name of one shard of one run."""
    return f"part-{run_tag}-{shard:05d}-of-{shards:05d}.parquet"


def partition_folder(folder: str, column: Optional[str], value: Optional[str]) -> str:
    """``folder/column=value`` (Hive style), or ``folder`` when not partitioned."""
    return folder if column is None else FileSystems.join(folder, f"{column}={value}")


def _ensure_folder(path: str) -> None:
    if not FileSystems.exists(path):
        try:
            FileSystems.mkdirs(path)
        except Exception:  # noqa: BLE001 - another worker made it, or object stores need none
            pass


def write_parquet_atomically(path: str, rows: Iterable[Dict[str, Any]], schema: pa.Schema) -> int:
    """Stream ``rows`` into a Parquet file at ``path``; returns the row count.

    :param path: final path (local or any Beam filesystem).
    :param rows: dicts matching ``schema``; consumed lazily, in row groups.
    """
    folder, name = path.rsplit("/", 1)
    _ensure_folder(folder)
    temp_path = FileSystems.join(folder, f"_tmp-{uuid.uuid4().hex}-{name}")
    count = 0
    try:
        with FileSystems.create(temp_path) as sink:
            with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
                batch: List[Dict[str, Any]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= ROW_GROUP_ROWS:
                        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                        count += len(batch)
                        batch = []
                if batch or count == 0:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    count += len(batch)
        if FileSystems.exists(path):
            FileSystems.delete([path])
        FileSystems.rename([temp_path], [path])
    except BaseException:
        if FileSystems.exists(temp_path):
            FileSystems.delete([temp_path])
        raise
    return count


def stale_run_files(folders: Iterable[str], run_tag: str, keep: Iterable[str]) -> List[str]:
    """Files of ``run_tag`` under ``folders`` (and their partitions) not in ``keep``.

    Used after a rerun: a shard or partition the earlier run wrote but this one
    did not must go, or its rows would be counted twice.
    """
    kept = set(keep)
    stale: List[str] = []
    for folder in folders:
        for pattern in (f"{folder}/part-{run_tag}-*", f"{folder}/*/part-{run_tag}-*"):
            for match in FileSystems.match([pattern])[0].metadata_list:
                if match.path not in kept:
                    stale.append(match.path)
    return sorted(stale)
