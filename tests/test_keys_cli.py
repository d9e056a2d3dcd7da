"""Tests for pipeline/keys.py: list, create (named and from manifests), shred, purge."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from voicescrub.pipeline.keys import main
from voicescrub.transforms.privacy.keyring import LocalFolderKeyring


def run(argv: list[str]) -> tuple[int, str]:
    """Run the CLI and capture its report."""
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


@pytest.fixture
def keyring_dir(tmp_path: Path) -> str:
    return str(tmp_path / "keyring")


def write_manifest(path: Path, recorded_ats: list[object]) -> None:
    lines = [
        json.dumps({"utterance_id": f"u{i}", "account_id": "acct-secret", "recorded_at": r})
        for i, r in enumerate(recorded_ats)
    ]
    path.write_text("\n".join(lines + ["", "{not json", "[1]"]) + "\n")


def make_partition(output: Path, epoch: str, files: int = 2) -> Path:
    folder = output / "utterances" / f"pseudonym_epoch={epoch}"
    folder.mkdir(parents=True)
    for i in range(files):
        (folder / f"part-{i}.parquet").write_bytes(b"PAR1")
    return folder


def test_create_list_shred_round_trip_never_prints_keys(keyring_dir: str) -> None:
    status, report = run(["--keyring", keyring_dir, "create", "2026-W45", "2026-11"])
    assert status == 0
    assert report.splitlines() == ["created\t2026-11", "created\t2026-W45"]
    status, report = run(["--keyring", keyring_dir, "create", "2026-W45"])
    assert (status, report) == (0, "exists\t2026-W45\n")

    status, listing = run(["--keyring", keyring_dir, "list"])
    assert status == 0
    assert [line.split("\t")[0] for line in listing.splitlines()] == ["2026-11", "2026-W45"]
    assert "covers 2026-11-02..2026-11-09" in listing
    keyring = LocalFolderKeyring(keyring_dir)
    for epoch in keyring.epochs():
        key = keyring.get(epoch)
        leaked = base64.b64encode(key).decode() in listing or key.hex() in listing
        assert not leaked

    status, report = run(["--keyring", keyring_dir, "shred", "2026-W45", "2026-W46"])
    assert (status, report) == (0, "shredded\t2026-W45\nabsent\t2026-W46\n")
    assert keyring.epochs() == ["2026-11"]


@pytest.mark.parametrize("command", [["create", "../etc"], ["shred", "2026-W99"], ["create"]])
def test_bad_epochs_or_nothing_to_do_is_a_usage_error(keyring_dir: str, command: list[str]) -> None:
    status, _ = run(["--keyring", keyring_dir, *command])
    assert status == 2
    assert LocalFolderKeyring(keyring_dir).epochs() == []


@pytest.mark.parametrize(
    "period, expected",
    [
        ("week", ["2026-W44", "2026-W45", "2026-W53"]),
        ("day", ["2026-11-01", "2026-11-02", "2027-01-01"]),
        ("month", ["2026-11", "2027-01"]),
    ],
)
def test_create_from_manifests_creates_every_epoch_ahead(
    tmp_path: Path, keyring_dir: str, period: str, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    write_manifest(tmp_path / "a.jsonl", ["2026-11-02T09:14:00Z", "2026-11-01T23:00:00Z"])
    write_manifest(
        tmp_path / "b.jsonl", ["2026-11-02T00:30:00+01:00", "2027-01-01T00:00:00Z", "2026-11-02T09:00:00", None]
    )
    status, report = run(
        ["--keyring", keyring_dir, "create", "--from-manifest", str(tmp_path / "*.jsonl"),
         "--period", period]
    )
    assert status == 0
    assert LocalFolderKeyring(keyring_dir).epochs() == expected
    # 2 junk lines per file, plus a naive and a missing timestamp in b.jsonl
    assert f"2 file(s), 4 line(s) read, 6 skipped, {len(expected)} epoch(s)" in report
    assert "acct-secret" not in report + "".join(capsys.readouterr())


def test_create_from_manifest_that_matches_nothing_fails(tmp_path: Path, keyring_dir: str) -> None:
    status, _ = run(
        ["--keyring", keyring_dir, "create", "--from-manifest", str(tmp_path / "none-*.jsonl")]
    )
    assert status == 1


@pytest.mark.parametrize("dry_run", [False, True])
def test_purge_shreds_old_keys_and_deletes_old_partitions(
    tmp_path: Path, keyring_dir: str, dry_run: bool
) -> None:
    keyring = LocalFolderKeyring(keyring_dir)
    # now = 2027-05-03; 180 days earlier = 2026-11-04T00:00Z
    for epoch in ["2026-W44", "2026-W45", "2026-11-03", "2026-11-04", "2026-10", "2026-11"]:
        keyring.create(epoch)
    output = tmp_path / "out"
    old = make_partition(output, "2026-W44")
    current = make_partition(output, "2026-W45")
    old_day = make_partition(output, "2026-11-03", files=1)
    (output / "utterances" / "pseudonym_epoch=garbage").mkdir()
    (output / "utterances" / "pseudonym_epoch=garbage" / "x.parquet").write_bytes(b"")
    argv = ["--keyring", keyring_dir, "purge", "--retention-days", "180",
            "--output", str(output), "--now", "2027-05-03T00:00:00Z"]

    status, report = run(argv + (["--dry-run"] if dry_run else []))

    assert status == 0
    assert "cutoff 2026-11-04T00:00:00Z" in report
    expired_keys = ["2026-10", "2026-W44", "2026-11-03"]
    if dry_run:
        assert all(f"would shred key\t{e}" in report for e in expired_keys)
        assert f"would delete partition\t{old}\t(2 file(s))" in report
        assert len(keyring.epochs()) == 6 and old.exists() and old_day.exists()
        return
    assert keyring.epochs() == ["2026-11", "2026-W45", "2026-11-04"]
    assert all(f"shredded key\t{e}" in report for e in expired_keys)
    assert f"deleted partition\t{old}\t(2 file(s))" in report
    assert f"deleted partition\t{old_day}\t(1 file(s))" in report
    assert not old.exists() and not old_day.exists()
    assert current.exists() and len(list(current.iterdir())) == 2
    assert "ignored 1 partition folder(s)" in report
    assert (output / "utterances" / "pseudonym_epoch=garbage").exists()

    status, again = run(argv)  # idempotent: nothing left to remove
    assert status == 0 and "shredded" not in again and "deleted" not in again


def test_purge_with_no_output_partitions_still_shreds(tmp_path: Path, keyring_dir: str) -> None:
    LocalFolderKeyring(keyring_dir).create("2020-W01")
    status, report = run(
        ["--keyring", keyring_dir, "purge", "--retention-days", "180", "--output",
         str(tmp_path / "missing")]
    )
    assert status == 0 and "shredded key\t2020-W01" in report


@pytest.mark.parametrize(
    "extra", [["--retention-days", "0"], ["--retention-days", "180", "--now", "2027-05-03T00:00:00"]]
)
def test_purge_rejects_bad_flags(tmp_path: Path, keyring_dir: str, extra: list[str]) -> None:
    LocalFolderKeyring(keyring_dir).create("2020-W01")
    status, _ = run(["--keyring", keyring_dir, "purge", "--output", str(tmp_path), *extra])
    assert status == 2
    assert LocalFolderKeyring(keyring_dir).epochs() == ["2020-W01"]


def test_keyring_errors_exit_1_with_a_fixed_message(
    keyring_dir: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = run(["--keyring", "s3://bucket/keys", "list"])
    assert status == 1
    assert capsys.readouterr().err == "error: unsupported keyring URI scheme\n"
