import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from voicescrub.transforms.io.parquet_files import (
    part_name,
    shard_of,
    stale_run_files,
    write_parquet_atomically,
)

SCHEMA = pa.schema([pa.field("utterance_id", pa.string(), nullable=False), pa.field("n", pa.int64())])


def rows(count, start=0):
    return ({"utterance_id": f"u{i}", "n": i} for i in range(start, start + count))


def test_write_streams_row_groups_and_leaves_no_temp_files(tmp_path):
    path = str(tmp_path / "part" / "part-x-00000-of-00001.parquet")
    assert write_parquet_atomically(path, rows(150), SCHEMA) == 150
    table = pq.read_table(path)
    assert table.num_rows == 150
    assert pq.ParquetFile(path).num_row_groups == 3  # 64-row groups
    assert os.listdir(tmp_path / "part") == ["part-x-00000-of-00001.parquet"]


def test_rewrite_replaces_instead_of_appending(tmp_path):
    path = str(tmp_path / "part-x-00000-of-00001.parquet")
    write_parquet_atomically(path, rows(10), SCHEMA)
    write_parquet_atomically(path, rows(4, start=100), SCHEMA)
    assert pq.read_table(path).column("n").to_pylist() == [100, 101, 102, 103]


def test_a_failing_writer_leaves_neither_the_file_nor_a_temp(tmp_path):
    def broken():
        yield {"utterance_id": "u1", "n": 1}
        raise RuntimeError("boom")

    path = str(tmp_path / "part-x-00000-of-00001.parquet")
    with pytest.raises(RuntimeError):
        write_parquet_atomically(path, broken(), SCHEMA)
    assert os.listdir(tmp_path) == []


def test_empty_input_still_writes_a_valid_file(tmp_path):
    path = str(tmp_path / "p.parquet")
    assert write_parquet_atomically(path, iter(()), SCHEMA) == 0
    assert pq.read_table(path).schema.names == SCHEMA.names


def test_shards_are_stable_and_in_range():
    assert [shard_of(f"u{i}", 4) for i in range(50)] == [shard_of(f"u{i}", 4) for i in range(50)]
    assert {shard_of(f"u{i}", 4) for i in range(200)} == {0, 1, 2, 3}


def test_stale_files_of_the_same_run_are_found_others_kept(tmp_path):
    folder = str(tmp_path)
    keep = os.path.join(folder, "pseudonym_epoch=2026-W45", part_name("aaa", 0, 1))
    stale = os.path.join(folder, "pseudonym_epoch=2026-W44", part_name("aaa", 0, 1))
    other_run = os.path.join(folder, "pseudonym_epoch=2026-W44", part_name("bbb", 0, 1))
    for path in (keep, stale, other_run):
        write_parquet_atomically(path, rows(1), SCHEMA)
    assert stale_run_files([folder], "aaa", [keep]) == [stale]
