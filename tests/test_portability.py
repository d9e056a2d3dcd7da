"""The pipeline is portable: the same rows on the in-process DirectRunner, the
multi-process DirectRunner and the PortableRunner against Beam's local job service.

The portable run goes through the Fn API end to end (job service, artifact
staging, a LOOPBACK SDK worker in this process), which is what Dataflow and
Flink run too; the multi-process run pickles every DoFn into two worker
processes. Each run costs start-up plus model loading, so they use a few
sample clips, not the whole sample.

Bit-identical rows are compared with ``--no-asr-pack``: with packing (the
default) a clip's words depend on which clips shared its Whisper window, and
that depends on how a runner splits the work. The packed multi-process run is
checked for what must hold whatever the split.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from production_support import job_args, keyed, read_table_rows, write_subset_manifest
from voicescrub.pipeline.run import run

UTTERANCE_KEY = ("utterance_id",)
#: Columns that follow from what the ASR heard (see the module docstring).
ASR_COLUMNS = {"transcript_redacted", "audio_redacted", "pii_entities", "contains_critical_pii",
               "audit_rounds"}
#: Every run in the bit-identical comparisons.
UNPACKED = ("--no-asr-pack",)
DEAD_LETTER_KEY = ("manifest", "line")
JOB_SERVICE_START_S = 60


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    """A small manifest and one keyring that every run shares (pseudonyms must match)."""
    folder = tmp_path_factory.mktemp("portability")
    return {"manifest": write_subset_manifest(str(folder / "in")),
            "keyring": str(folder / "keyring"), "root": folder}


@pytest.fixture(scope="module")
def in_process(subset):
    """The reference: DirectRunner, in-process (the default)."""
    output = str(subset["root"] / "out-in-process")
    summary = run(job_args(subset["manifest"], output, subset["keyring"], *UNPACKED))
    assert summary.all_accounted_for
    return outputs(output)


def outputs(output: str):
    return (keyed(read_table_rows(os.path.join(output, "utterances")), UTTERANCE_KEY),
            keyed(read_table_rows(os.path.join(output, "dead_letter")), DEAD_LETTER_KEY))


def assert_same_rows(got, want) -> None:
    got_rows, got_dead = got
    want_rows, want_dead = want
    assert sorted(got_rows) == sorted(want_rows)
    assert sorted(got_dead) == sorted(want_dead)
    for key, row in want_rows.items():  # one by one: a failure names the utterance and column
        for column, value in row.items():
            assert got_rows[key][column] == value, f"{key} differs in {column}"
    assert got_dead == want_dead


def test_reference_run_covers_every_path(in_process):
    rows, dead = in_process
    assert sorted(k[0] for k in rows) == ["s01", "s02", "s03"]
    assert sorted(r["stage"] for r in dead.values()) == ["decode", "read_audio"]
    assert len({r["pseudonym_epoch"] for r in rows.values()}) == 3


def test_multi_process_direct_runner_matches(subset, in_process):
    output = str(subset["root"] / "out-multi-process")
    summary = run(job_args(subset["manifest"], output, subset["keyring"], *UNPACKED,
                           "--direct_running_mode", "multi_processing",
                           "--direct_num_workers", "2"))
    assert summary.all_accounted_for
    assert_same_rows(outputs(output), in_process)


def test_packed_multi_process_run_keeps_every_guarantee(subset, in_process):
    output = str(subset["root"] / "out-packed-multi-process")
    summary = run(job_args(subset["manifest"], output, subset["keyring"],
                           "--direct_running_mode", "multi_processing",
                           "--direct_num_workers", "2"))
    assert summary.all_accounted_for
    got_rows, got_dead = outputs(output)
    want_rows, want_dead = in_process
    assert sorted(got_rows) == sorted(want_rows) and got_dead == want_dead
    for key, row in want_rows.items():
        got = got_rows[key]
        for column in set(row) - ASR_COLUMNS:
            assert got[column] == row[column], f"{key} differs in {column}"
        assert got["audit_passed"] is True and got["audio_redacted"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


@pytest.fixture
def job_service(tmp_path):
    """Beam's local job service in its own process, stopped after the test."""
    port = free_port()
    log = open(tmp_path / "job_service.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main",
         "--port", str(port), "--staging_dir", str(tmp_path / "staging")],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + JOB_SERVICE_START_S
        while True:
            assert process.poll() is None, "job service exited at start-up"
            try:
                socket.create_connection(("localhost", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "job service did not start"
                time.sleep(0.2)
        yield f"localhost:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_portable_runner_loopback_matches(subset, in_process, job_service):
    output = str(subset["root"] / "out-portable")
    summary = run(job_args(subset["manifest"], output, subset["keyring"], *UNPACKED,
                           "--runner", "PortableRunner", "--job_endpoint", job_service,
                           "--environment_type", "LOOPBACK"))
    assert summary.all_accounted_for
    assert_same_rows(outputs(output), in_process)
