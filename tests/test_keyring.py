"""Tests for transforms/privacy/keyring.py: local and wrapped keyrings, races, shredding.

Keys are compared through their SHA-256 digests or booleans, never directly
in an assert that pytest could print.
"""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Callable

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from voicescrub.transforms.privacy.keyring import (
    KeyMissingError,
    Keyring,
    KeyringError,
    LocalFolderKeyring,
    ReadOnlyKeyring,
    ReadOnlyKeyringError,
    WrappedKeyring,
    open_keyring,
    register_keyring_scheme,
)
from voicescrub.transforms.privacy.pseudonyms import speaker_pseudonym

EPOCH = "2026-W45"


def digest(key: bytes) -> str:
    """A printable stand-in for a key."""
    return hashlib.sha256(key).hexdigest()


class FakeKms:
    """A KeyEncryptionService backed by a local AES-256-GCM key."""

    def __init__(self, key_id: str = "fake-kek-1", kek: bytes | None = None) -> None:
        self._key_id = key_id
        self._kek = kek if kek is not None else AESGCM.generate_key(bit_length=256)

    @property
    def key_id(self) -> str:
        return self._key_id

    def wrap(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self._kek).encrypt(nonce, plaintext, associated_data)

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        return AESGCM(self._kek).decrypt(wrapped[:12], wrapped[12:], associated_data)


KEK = bytes(range(32))  # one fixed KEK so separate processes and "runs" share it

BACKENDS: dict[str, Callable[[Path], Keyring]] = {
    "local": lambda d: LocalFolderKeyring(str(d)),
    "wrapped": lambda d: WrappedKeyring(str(d), FakeKms(kek=KEK)),
}


@pytest.fixture(params=sorted(BACKENDS))
def make_keyring(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Keyring]:
    """Open (again and again) one keyring folder with the parametrised backend."""
    folder = tmp_path / "keyring"
    return lambda: BACKENDS[request.param](folder)


def key_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_backends_satisfy_the_protocol(make_keyring: Callable[[], Keyring]) -> None:
    assert isinstance(make_keyring(), Keyring)
    assert isinstance(ReadOnlyKeyring(make_keyring()), Keyring)


def test_create_is_idempotent_and_stable_across_runs(make_keyring: Callable[[], Keyring]) -> None:
    first_run, second_run = make_keyring(), make_keyring()
    created = first_run.create(EPOCH)
    assert len(created) == 32
    assert digest(first_run.create(EPOCH)) == digest(created)
    assert digest(second_run.get(EPOCH)) == digest(created)
    assert digest(second_run.get_or_create(EPOCH, create=False)) == digest(created)
    same = speaker_pseudonym(first_run.get(EPOCH), "acct-1") == speaker_pseudonym(
        second_run.get(EPOCH), "acct-1"
    )
    assert same


def test_epochs_have_independent_keys(make_keyring: Callable[[], Keyring]) -> None:
    keyring = make_keyring()
    epochs = ["2026-W44", "2026-W45", "2026-11-02", "2026-11"]
    digests = {digest(keyring.create(e)) for e in epochs}
    assert len(digests) == len(epochs)
    pseudonyms = {speaker_pseudonym(keyring.get(e), "acct-1") for e in epochs}
    assert len(pseudonyms) == len(epochs)


def test_missing_key_raises_fixed_message(make_keyring: Callable[[], Keyring]) -> None:
    keyring = make_keyring()
    with pytest.raises(KeyMissingError, match="^no key for this pseudonym epoch$"):
        keyring.get(EPOCH)
    with pytest.raises(KeyMissingError):
        keyring.get_or_create(EPOCH, create=False)
    assert len(keyring.get_or_create(EPOCH, create=True)) == 32
    with pytest.raises(KeyMissingError):
        keyring.created_at("2026-W46")


def test_files_are_0600_in_a_0700_folder_whatever_the_umask(
    make_keyring: Callable[[], Keyring], tmp_path: Path
) -> None:
    previous = os.umask(0)
    try:
        make_keyring().create(EPOCH)
    finally:
        os.umask(previous)
    folder = tmp_path / "keyring"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert key_files(folder) == [f"{EPOCH}.key"]
    assert stat.S_IMODE((folder / f"{EPOCH}.key").stat().st_mode) == 0o600


def test_epochs_are_listed_chronologically_and_junk_is_ignored(
    make_keyring: Callable[[], Keyring], tmp_path: Path
) -> None:
    keyring = make_keyring()
    for epoch in ["2026-W45", "2020-W53", "2026-W02"]:
        keyring.create(epoch)
    folder = tmp_path / "keyring"
    (folder / "notes.txt").write_text("x")
    (folder / "bad-name.key").write_text("x")
    (folder / ".2026-W46.abcd.tmp").write_text("x")
    assert keyring.epochs() == ["2020-W53", "2026-W02", "2026-W45"]
    assert keyring.created_at("2026-W45").tzinfo is not None


def test_shred_destroys_the_key_and_a_fresh_run_gets_a_new_pseudonym(
    make_keyring: Callable[[], Keyring], tmp_path: Path
) -> None:
    keyring = make_keyring()
    old_key = keyring.create(EPOCH)
    old_pseudonym = speaker_pseudonym(old_key, "acct-1")
    folder = tmp_path / "keyring"
    # A second hard link lets the test see the inode's bytes after the unlink.
    witness = tmp_path / "witness"
    os.link(folder / f"{EPOCH}.key", witness)
    before = witness.read_bytes()

    assert keyring.shred(EPOCH) is True
    assert keyring.shred(EPOCH) is False
    assert key_files(folder) == []
    assert EPOCH not in keyring.epochs()
    with pytest.raises(KeyMissingError):
        make_keyring().get(EPOCH)

    overwritten = witness.read_bytes()
    assert overwritten != before
    assert before[:16] not in overwritten  # not merely truncated or appended

    fresh_key = make_keyring().create(EPOCH)
    assert digest(fresh_key) != digest(old_key)
    assert speaker_pseudonym(fresh_key, "acct-1") != old_pseudonym
    for path in folder.iterdir():  # the old key is nowhere in the keyring
        content = path.read_bytes()
        found = old_key in content or base64.b64encode(old_key) in content
        assert not found


@pytest.mark.parametrize("epoch", ["../escape", "2026-W45/../../x", "/etc/passwd", "", "2026-W99"])
def test_invalid_epoch_names_never_touch_the_filesystem(
    make_keyring: Callable[[], Keyring], tmp_path: Path, epoch: str
) -> None:
    keyring = make_keyring()
    for call in (keyring.get, keyring.create, keyring.shred, keyring.created_at):
        with pytest.raises(KeyringError, match="^invalid epoch name$"):
            call(epoch)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_too_open_permissions_are_refused(
    make_keyring: Callable[[], Keyring], tmp_path: Path
) -> None:
    make_keyring().create(EPOCH)
    os.chmod(tmp_path / "keyring" / f"{EPOCH}.key", 0o644)
    with pytest.raises(KeyringError, match="^key file permissions are too open$"):
        make_keyring().get(EPOCH)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda record: {**record, "epoch": "2026-W46"},
        lambda record: {**record, "version": 99},
        lambda record: {**record, "format": "other"},
        lambda record: {
            **record,
            **{k: base64.b64encode(b"short").decode() for k in record if k.endswith("_b64")},
        },
        lambda record: {**{k: v for k, v in record.items() if not k.endswith("_b64")}},
        lambda record: "not an object",
    ],
)
def test_corrupt_or_foreign_key_files_fail_closed(
    make_keyring: Callable[[], Keyring], tmp_path: Path, mutate: Callable[[dict], object]
) -> None:
    make_keyring().create(EPOCH)
    path = tmp_path / "keyring" / f"{EPOCH}.key"
    path.write_text(json.dumps(mutate(json.loads(path.read_text()))))
    with pytest.raises(KeyringError) as caught:
        make_keyring().get(EPOCH)
    assert not isinstance(caught.value, KeyMissingError)
    with pytest.raises(KeyringError):
        make_keyring().create(EPOCH)  # never silently replaces a bad file


def test_a_key_file_moved_to_another_epoch_is_refused(
    make_keyring: Callable[[], Keyring], tmp_path: Path
) -> None:
    make_keyring().create(EPOCH)
    folder = tmp_path / "keyring"
    os.rename(folder / f"{EPOCH}.key", folder / "2026-W46.key")
    with pytest.raises(KeyringError, match="^key file belongs to another epoch$"):
        make_keyring().get("2026-W46")


def _race_create(backend: str, folder: str, barrier: object, results: object) -> None:
    """Worker process: wait for all, create the same epoch, report the digest."""
    keyring = BACKENDS[backend](Path(folder))
    barrier.wait()  # type: ignore[attr-defined]
    results.put(digest(keyring.create(EPOCH)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_concurrent_creation_from_eight_processes_yields_one_key(
    backend: str, tmp_path: Path
) -> None:
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(8), context.Queue()
    folder = str(tmp_path / "keyring")
    workers = [
        context.Process(target=_race_create, args=(backend, folder, barrier, results))
        for _ in range(8)
    ]
    for worker in workers:
        worker.start()
    digests = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [w.exitcode for w in workers] == [0] * 8
    assert len(set(digests)) == 1
    assert key_files(tmp_path / "keyring") == [f"{EPOCH}.key"]  # no temp files left
    assert digest(BACKENDS[backend](tmp_path / "keyring").get(EPOCH)) == digests[0]


def test_wrapped_files_hold_no_plaintext_and_need_the_kek(tmp_path: Path) -> None:
    keyring = WrappedKeyring(str(tmp_path), FakeKms(key_id="projects/p/cryptoKeys/k"))
    key = keyring.create(EPOCH)
    raw = (tmp_path / f"{EPOCH}.key").read_bytes()
    record = json.loads(raw)
    assert record["format"] == "voicescrub-wrapped-epoch-key" and record["version"] == 1
    assert record["kek_id"] == "projects/p/cryptoKeys/k" and record["epoch"] == EPOCH
    assert "key_b64" not in record
    assert key not in raw and base64.b64encode(key) not in raw
    other_kek = WrappedKeyring(str(tmp_path), FakeKms())
    with pytest.raises(KeyringError, match="^cannot unwrap the epoch key$") as caught:
        other_kek.get(EPOCH)
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_wrapped_key_is_bound_to_its_epoch(tmp_path: Path) -> None:
    keyring = WrappedKeyring(str(tmp_path), FakeKms(kek=KEK))
    keyring.create(EPOCH)
    record = json.loads((tmp_path / f"{EPOCH}.key").read_text())
    record["epoch"] = "2026-W46"  # a forged move that also edits the epoch field
    target = tmp_path / "2026-W46.key"
    target.write_text(json.dumps(record))
    os.chmod(target, 0o600)
    with pytest.raises(KeyringError, match="^cannot unwrap the epoch key$"):
        keyring.get("2026-W46")


def test_local_key_file_format(tmp_path: Path) -> None:
    key = LocalFolderKeyring(str(tmp_path)).create(EPOCH)
    record = json.loads((tmp_path / f"{EPOCH}.key").read_text())
    assert sorted(record) == ["created_at", "epoch", "format", "key_b64", "version"]
    assert digest(base64.b64decode(record["key_b64"])) == digest(key)


def test_read_only_keyring_only_reads(tmp_path: Path) -> None:
    LocalFolderKeyring(str(tmp_path)).create(EPOCH)
    read_only = open_keyring(str(tmp_path), read_only=True)
    assert len(read_only.get(EPOCH)) == 32
    assert read_only.epochs() == [EPOCH]
    assert read_only.get_or_create(EPOCH, create=False) == read_only.get(EPOCH)
    for refused in (
        lambda: read_only.create("2026-W46"),
        lambda: read_only.get_or_create("2026-W46", create=True),
        lambda: read_only.shred(EPOCH),
    ):
        with pytest.raises(ReadOnlyKeyringError):
            refused()
    with pytest.raises(KeyMissingError):
        read_only.get_or_create("2026-W46", create=False)
    assert key_files(tmp_path) == [f"{EPOCH}.key"]


@pytest.mark.parametrize("as_uri", [False, True])
def test_open_keyring_opens_local_folders(tmp_path: Path, as_uri: bool) -> None:
    uri = tmp_path.as_uri() if as_uri else str(tmp_path)
    keyring = open_keyring(uri)
    assert isinstance(keyring, LocalFolderKeyring)
    keyring.create(EPOCH)
    assert key_files(tmp_path) == [f"{EPOCH}.key"]


@pytest.mark.parametrize("uri", ["", "s3://bucket/keys", "file://remote-host/keys"])
def test_open_keyring_refuses_unknown_uris(uri: str) -> None:
    with pytest.raises(KeyringError):
        open_keyring(uri)


def test_registered_scheme_opens_a_custom_backend(tmp_path: Path) -> None:
    register_keyring_scheme(
        "fakekms", lambda uri: WrappedKeyring(str(tmp_path), FakeKms(kek=KEK))
    )
    keyring = open_keyring("fakekms://projects/p/cryptoKeys/k")
    assert isinstance(keyring, WrappedKeyring)
    assert len(keyring.create(EPOCH)) == 32


def test_keys_never_appear_in_reprs(make_keyring: Callable[[], Keyring]) -> None:
    keyring = make_keyring()
    key = keyring.create(EPOCH)
    text = repr(keyring) + repr(ReadOnlyKeyring(keyring))
    leaked = base64.b64encode(key).decode() in text or key.hex() in text
    assert not leaked
