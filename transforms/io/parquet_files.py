"""Write rows to Parquet files atomically, on any Beam filesystem. No Beam pipeline code.

Files are written under names readers skip (``_tmp-...``; Arrow, Spark and
DuckDB ignore names starting with ``_`` or ``.``) and only published, by
rename, once every file of the run is complete (as Beam's own file sinks do),
so a crashed run never leaves a half-written file, or half a run, that a reader
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


def temp_path_for(path: str) -> str:
    """A hidden, unique name beside ``path`` for writing it before it is published.

    Readers that list folders skip it (a leading ``_``: Arrow, pandas, Spark), and
    so do readers that glob for ``*.parquet`` (DuckDB): it ends in ``.tmp``.
    """
    folder, name = path.rsplit("/", 1)
    return f"{folder}/_tmp-{uuid.uuid4().hex}-{name}.tmp"


def write_parquet_file(temp_path: str, rows: Iterable[Dict[str, Any]], schema: pa.Schema) -> int:
    """Stream ``rows`` into a new Parquet file at a hidden ``temp_path``; returns the row count.

    On failure the partial file is deleted. Publishing it is :func:`publish`'s job.

    :param rows: dicts matching ``schema``; consumed lazily, in row groups.
    """
    _ensure_folder(temp_path.rsplit("/", 1)[0])
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
    except BaseException:
        if FileSystems.exists(temp_path):
            FileSystems.delete([temp_path])
        raise
    return count


def publish(temp_path: str, path: str) -> None:
    """Move a complete temp file to its final name, replacing an earlier version."""
    # Local rename replaces atomically; object stores copy then delete, and
    # refuse or duplicate when the target exists, so clear it first there.
    if "://" in path and FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([temp_path], [path])


def write_parquet_atomically(path: str, rows: Iterable[Dict[str, Any]], schema: pa.Schema) -> int:
    """Write ``rows`` to ``path`` through a hidden temp file; returns the row count."""
    temp_path = temp_path_for(path)
    count = write_parquet_file(temp_path, rows, schema)
    publish(temp_path, path)
    return count


def stale_run_files(folders: Iterable[str], run_tag: str, keep: Iterable[str]) -> List[str]:
    """Files of ``run_tag`` under ``folders`` (and their partitions) not in ``keep``.

    Published files an earlier run of the same manifests wrote and this one did
    not (another shard count, an epoch with no rows now) must go, or their rows
    would be read twice; so must temp files a killed run left behind.
    """
    kept = set(keep)
    stale: List[str] = []
    for folder in folders:
        for pattern in (f"{folder}/part-{run_tag}-*", f"{folder}/*/part-{run_tag}-*",
                        f"{folder}/_tmp-*-part-{run_tag}-*", f"{folder}/*/_tmp-*-part-{run_tag}-*"):
            for match in FileSystems.match([pattern])[0].metadata_list:
                if match.path not in kept:
                    stale.append(match.path)
    return sorted(stale)


def read_columns(path: str, columns: List[str]) -> pa.Table:
    """The named columns of one Parquet file on any Beam filesystem (not its audio).

    Read synchronously on this thread: ``pq.read_table``'s pre-buffered, threaded read
    leaves the Python file wrapper and buffers to be released later on an Arrow I/O
    thread, which then needs the GIL; at interpreter exit that can make libstdc++ abort
    the process ("terminate called without an active exception", exit 134).
    """
    with FileSystems.open(path, compression_type="uncompressed") as handle:
        reader = pq.ParquetFile(handle, pre_buffer=False)
        try:
            return reader.read(columns=columns, use_threads=False)
        finally:
            reader.close()
