"""Stage 8: write rows as a (Hive-partitioned) Parquet dataset, atomically and idempotently."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems
from voicescrub.transforms.io.parquet_files import (
    part_name,
    partition_folder,
    publish,
    shard_of,
    stale_run_files,
    temp_path_for,
    write_parquet_file,
)


class WriteGroupFn(beam.DoFn):
    """Write one (partition, shard) group to a hidden temp file; emit (temp, final) paths."""

    def __init__(self, folder: str, schema: pa.Schema, partition_column: Optional[str],
                 run_tag: str, shards: int) -> None:
        self._folder = folder
        self._schema = schema
        self._partition_column = partition_column
        self._run_tag = run_tag
        self._shards = shards

    def process(self, group: Tuple[Tuple[str, int], Iterable[Dict[str, Any]]]
                ) -> Iterable[Tuple[str, str]]:
        (partition, shard), rows = group
        path = FileSystems.join(
            partition_folder(self._folder, self._partition_column, partition),
            part_name(self._run_tag, shard, self._shards))
        temp_path = temp_path_for(path)
        write_parquet_file(temp_path, rows, file_schema(self._schema, self._partition_column))
        yield temp_path, path


def file_schema(schema: pa.Schema, partition_column: Optional[str]) -> pa.Schema:
    """The schema of one file: the dataset's, less the Hive partition column, which the
    folder name carries. A column both in the files and in the path reads as two
    types at once (pandas and Arrow refuse the folder)."""
    if partition_column is None:
        return schema
    return schema.remove(schema.get_field_index(partition_column))


class WriteParquet(beam.PTransform):
    """Rows (dicts) -> hidden Parquet files under ``folder``; outputs (temp, final) path pairs.

    Nothing is visible to readers until :class:`PublishFiles` runs.

    :param folder: dataset root, e.g. ``<output>/utterances``.
    :param schema: the Arrow schema from ``schemas/arrow.py``.
    :param key_column: column that picks a row's shard (stable across runs).
    :param partition_column: Hive partition column, or None.
    :param run_tag: names this run's files; the same manifests give the same tag.
    :param shards: files per partition.
    """

    def __init__(self, folder: str, schema: pa.Schema, key_column: str,
                 partition_column: Optional[str], run_tag: str, shards: int = 1) -> None:
        super().__init__()
        self._folder = folder
        self._schema = schema
        self._key_column = key_column
        self._partition_column = partition_column
        self._run_tag = run_tag
        self._shards = shards

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        key_column, partition_column, shards = self._key_column, self._partition_column, self._shards
        return (
            rows
            | "KeyByFile" >> beam.Map(lambda row: (
                (row[partition_column] if partition_column else "",
                 shard_of(str(row[key_column]), shards)), row))
            | "GroupByFile" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(WriteGroupFn(self._folder, self._schema, partition_column,
                                                      self._run_tag, shards))
        )


class PublishFilesFn(beam.DoFn):
    def __init__(self, folders: List[str], run_tag: str,
                 never_empty: Sequence[Tuple[str, pa.Schema]] = ()) -> None:
        self._folders = folders
        self._run_tag = run_tag
        self._never_empty = never_empty

    def process(self, _: Any, written: List[Tuple[str, str]]) -> Iterable[str]:
        written = list(written)
        for folder, schema in self._never_empty:
            if not any(final.startswith(folder.rstrip("/") + "/") for _, final in written):
                # No row this run: a file with the schema and no rows, so that the
                # folder exists and every reader reads it as zero rows.
                path = FileSystems.join(folder, part_name(self._run_tag, 0, 1))
                temp_path = temp_path_for(path)
                write_parquet_file(temp_path, [], schema)
                written.append((temp_path, path))
        temps = [temp for temp, _ in written]
        finals = [final for _, final in written]
        # Stale files go first: a crash between the two steps leaves rows
        # missing until the rerun, never the same rows twice.
        stale = stale_run_files(self._folders, self._run_tag, keep=temps + finals)
        if stale:
            FileSystems.delete(stale)
        for temp, final in written:
            publish(temp, final)
        yield from finals


class PublishFiles(beam.PTransform):
    """Once every file of the run is written: delete the same run tag's leftovers,
    then move each temp file to its final name. Outputs the published paths.

    Runs once (on a single seed element) with every (temp, final) pair as a side input.

    :param never_empty: (folder, schema) of each dataset that must exist after every run
        (``dead_letter/``, ``excluded/``): a run that wrote no row there publishes a file
        with no rows.
    """

    def __init__(self, folders: List[str], run_tag: str,
                 never_empty: Sequence[Tuple[str, pa.Schema]] = ()) -> None:
        super().__init__()
        self._folders = folders
        self._run_tag = run_tag
        self._never_empty = never_empty

    def expand(self, written: beam.PCollection) -> beam.PCollection:
        return (
            written.pipeline
            | "Seed" >> beam.Create([None])
            | "Publish" >> beam.ParDo(PublishFilesFn(self._folders, self._run_tag,
                                                     self._never_empty),
                                      beam.pvalue.AsList(written))
        )
