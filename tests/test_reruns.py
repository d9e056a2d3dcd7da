"""Reruns are idempotent and a crashed run leaves nothing half-written for readers.

Output files are named ``part-<run_tag>-<shard>-of-<N>.parquet`` (run tag = hash
of the manifest paths). Writers only write hidden ``_tmp-`` files; once all are
complete, one last step deletes the same tag's files this run did not write
(and temp files of killed runs), then renames each temp file into place. Readers
are modelled by ``pyarrow.dataset`` with Hive partitioning and its default
rules (files named ``_*`` or ``.*`` are skipped), as Spark and DuckDB do too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pyarrow as pa
import pytest
from production_support import (
    REPO,
    file_rows,
    job_args,
    keyed,
    read_table_rows,
    visible_files,
    write_subset_manifest,
)
from voicescrub.pipeline.options import run_tag_for
from voicescrub.pipeline.run import run
from voicescrub.schemas.arrow import DEAD_LETTER_SCHEMA
from voicescrub.transforms.io.parquet_files import (
    part_name,
    stale_run_files,
    temp_path_for,
    write_parquet_atomically,
    write_parquet_file,
)

#: Two speech clips in two epochs and a missing file: the cheapest run with every output.
RERUN_IDS = ("s01", "s03", "s16")
KILL_TIMEOUT_S = 240


def utterance_ids(output: str) -> Counter:
    return Counter(r["utterance_id"] for r in read_table_rows(os.path.join(output, "utterances")))


def dead_letter_lines(output: str) -> Counter:
    return Counter((r["manifest"], r["line"]) for r in read_table_rows(os.path.join(output, "dead_letter")))


def all_files(folder: str) -> list:
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, files in os.walk(folder) for f in files)


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reruns")
    manifest = write_subset_manifest(str(folder / "in"), RERUN_IDS)
    output = str(folder / "out")
    args = job_args(manifest, output, str(folder / "keyring"))
    first = run(args)
    assert first.all_accounted_for and first.written == 2 and first.dead_lettered == 1
    return {"args": args, "output": output, "manifest": manifest, "root": folder,
            "files": all_files(output),
            "rows": keyed(read_table_rows(os.path.join(output, "utterances")), ("utterance_id",))}


def test_a_rerun_replaces_its_own_files(job):
    again = run(job["args"])
    assert again.all_accounted_for and again.written == 2
    assert utterance_ids(job["output"]) == Counter({"s01": 1, "s03": 1})
    assert set(dead_letter_lines(job["output"]).values()) == {1}
    assert all_files(job["output"]) == job["files"]  # same names, nothing added
    assert keyed(read_table_rows(os.path.join(job["output"], "utterances")),
                 ("utterance_id",)) == job["rows"]


def test_a_rerun_with_other_shard_counts_leaves_one_row_each(job):
    for shards in ("3", "1"):
        summary = run(job["args"] + ["--output-shards", shards])
        assert summary.all_accounted_for
        assert utterance_ids(job["output"]) == Counter({"s01": 1, "s03": 1})
        names = {os.path.basename(p) for p in visible_files(os.path.join(job["output"], "utterances"))}
        assert all(name.endswith(f"-of-{int(shards):05d}.parquet") for name in names), names
    assert all_files(job["output"]) == job["files"]


KILLED_RUN = r"""
import os, sys, time
import voicescrub.transforms.stages.write_parquet as write_parquet
from voicescrub.transforms.io.parquet_files import write_parquet_file
from voicescrub.pipeline.run import main

signal_file = os.environ["KILL_SIGNAL_FILE"]

def stalled(path, rows, schema):
    # Start the real write, then stall inside it: the temp file exists, half-written.
    def rows_then_stall():
        for row in rows:
            yield row
        open(signal_file, "w").close()
        time.sleep(3600)
    return write_parquet_file(path, rows_then_stall(), schema)

write_parquet.write_parquet_file = stalled
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_run_leaves_no_partial_file_for_readers(job, tmp_path):
    signal_file = tmp_path / "writing"
    env = dict(os.environ, KILL_SIGNAL_FILE=str(signal_file),
               PYTHONPATH=os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")]))
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, *job["args"]], env=env,
                               cwd=str(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + KILL_TIMEOUT_S
        while not signal_file.exists():
            assert process.poll() is None, "the run ended before it started writing"
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.2)
        time.sleep(0.5)  # let the stalled writer flush what it has
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    output = job["output"]
    leftovers = [f for f in all_files(output) if os.path.basename(f).startswith("_tmp-")]
    assert leftovers, "the kill should have left a half-written temp file"
    # Readers see exactly the last complete run: no partial file, no duplicate row.
    assert all(not os.path.basename(p).startswith("_") for p in
               visible_files(os.path.join(output, "utterances")) + visible_files(os.path.join(output, "dead_letter")))
    assert utterance_ids(output) == Counter({"s01": 1, "s03": 1})
    assert keyed(read_table_rows(os.path.join(output, "utterances")), ("utterance_id",)).keys() == job["rows"].keys()

    # The next run completes and still leaves one row per utterance.
    summary = run(job["args"])
    assert summary.all_accounted_for
    assert utterance_ids(output) == Counter({"s01": 1, "s03": 1})
    assert set(dead_letter_lines(output).values()) == {1}


def test_a_different_manifest_set_is_a_different_run(job):
    """The run tag names the manifests, so another manifest set never replaces this run's files."""
    tag = run_tag_for([job["manifest"]])
    assert tag == run_tag_for([job["manifest"]])
    assert tag != run_tag_for([job["manifest"], job["manifest"] + ".more"])
    assert all(f"part-{tag}-" in name for name in job["files"])


# File-level checks (no pipeline): what readers see around a crash.

ROW = {"utterance_id": "u1", "manifest": "m.jsonl", "line": 1, "stage": "decode",
       "error_type": "AudioDecodeError", "error_message": "x",
       "processed_at": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py()}


def test_readers_skip_temp_and_hidden_files(tmp_path):
    folder = tmp_path / "dead_letter"
    write_parquet_atomically(str(folder / part_name("tag", 0, 1)), [ROW], DEAD_LETTER_SCHEMA)
    (folder / "_tmp-0123-part-tag-00000-of-00001.parquet").write_bytes(b"PAR1 half a file")
    (folder / ".part-tag-00000-of-00001.parquet.crc").write_bytes(b"junk")
    assert [os.path.basename(p) for p in visible_files(str(folder))] == [part_name("tag", 0, 1)]
    assert len(read_table_rows(str(folder))) == 1


def test_a_writer_that_fails_midway_leaves_no_file(tmp_path):
    folder = tmp_path / "dead_letter"
    path = str(folder / part_name("tag", 0, 1))
    write_parquet_atomically(path, [ROW], DEAD_LETTER_SCHEMA)

    def rows_then_crash():
        for line in range(200):  # several row groups reach the temp file first
            yield dict(ROW, line=line)
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        write_parquet_atomically(path, rows_then_crash(), DEAD_LETTER_SCHEMA)
    assert os.listdir(folder) == [part_name("tag", 0, 1)]
    assert file_rows(path) == 1  # the previous complete file, untouched


def test_stale_files_include_other_shard_counts_only_of_the_same_tag(tmp_path):
    folder = str(tmp_path / "utterances")
    for tag, shard, shards in (("tag", 0, 1), ("tag", 0, 2), ("tag", 1, 2), ("other", 0, 1)):
        write_parquet_atomically(f"{folder}/pseudonym_epoch=2026-W45/{part_name(tag, shard, shards)}",
                                 [ROW], DEAD_LETTER_SCHEMA)
    keep = [f"{folder}/pseudonym_epoch=2026-W45/{part_name('tag', s, 2)}" for s in (0, 1)]
    assert [os.path.basename(p) for p in stale_run_files([folder], "tag", keep)] == [part_name("tag", 0, 1)]


def test_a_rerun_removes_temp_files_left_by_a_killed_run(tmp_path):
    folder = str(tmp_path / "utterances")
    partition = f"{folder}/pseudonym_epoch=2026-W45"
    kept = f"{partition}/{part_name('tag', 0, 1)}"
    write_parquet_atomically(kept, [ROW], DEAD_LETTER_SCHEMA)
    os.makedirs(partition, exist_ok=True)
    with open(f"{partition}/_tmp-0123abcd-{part_name('tag', 0, 1)}", "wb") as half:
        half.write(b"PAR1")
    assert stale_run_files([folder], "tag", [kept]) == [f"{partition}/_tmp-0123abcd-{part_name('tag', 0, 1)}"]


def test_a_crash_while_changing_shard_count_leaves_no_duplicates(tmp_path):
    folder = str(tmp_path / "dead_letter")
    rows = [dict(ROW, line=n) for n in range(10)]
    write_parquet_atomically(f"{folder}/{part_name('tag', 0, 1)}", rows, DEAD_LETTER_SCHEMA)
    # The rerun with --output-shards 2 writes its first shard, then the worker dies:
    # writers only ever write hidden temp files; publishing waits for every file.
    write_parquet_file(temp_path_for(f"{folder}/{part_name('tag', 0, 2)}"), rows[:5], DEAD_LETTER_SCHEMA)
    assert len(read_table_rows(folder)) == 10
