"""Epoch keyrings: one independent random 256-bit key per pseudonym epoch.

Keys are never derived from a master secret: a derived key can always be
derived again, so it could never be shredded. Each epoch's key is drawn from
``secrets.token_bytes(32)`` once, stored, and deleted ("shredded") when the
epoch leaves retention; after that its pseudonyms cannot be recomputed.

Backends
--------
``LocalFolderKeyring(dir)``
    One file per epoch, ``<dir>/<epoch>.key``, holding the plaintext key (JSON,
    see below). For development and single-machine runs.
``WrappedKeyring(dir, kms)``
    Envelope encryption: the same one-file-per-epoch store, but each file holds
    the epoch key *wrapped* (encrypted) by a key-encryption key (KEK) that
    never leaves a KMS. Shredding deletes the wrapped key; because the wrapped
    bytes are useless without the KEK, copies in backups or on SSD blocks are
    harmless once the KEK is disabled, rotated out or the file deleted.

File formats (UTF-8 JSON, one object, mode 0600)::

    local:   {"format": "voicescrub-epoch-key", "version": 1, "epoch": "2026-W45",
              "created_at": "2026-11-02T09:14:00.123456Z", "key_b64": "<32 bytes, base64>"}
    wrapped: {"format": "voicescrub-wrapped-epoch-key", "version": 1, "epoch": "2026-W45",
              "created_at": "...", "kek_id": "<KMS key resource name>",
              "wrapped_key_b64": "<KMS ciphertext, base64>"}

The wrapped key is bound to its epoch through the KMS's additional
authenticated data (``voicescrub-epoch-key:v1:<epoch>``), so a file copied or
renamed to another epoch fails to unwrap instead of silently reusing a key.

Creation is race-safe: the file is written completely to a temporary file in
the same folder (``O_CREAT|O_EXCL``, 0600, fsync), then hard-linked into place
with ``os.link``, which fails if the epoch's file already exists. The first
linker wins; every other creator discards its key and reads the winner's, so
all workers of a run agree on one key. (The folder must support hard links:
local disks and NFS do; object-store FUSE mounts usually do not.)

Shredding overwrites the file with random bytes, fsyncs, and unlinks it. On
SSDs, copy-on-write or snapshotting filesystems and in backups the overwrite
is best effort only; the real guarantee comes from the wrapped backend (the
plaintext key never touches disk) or from keeping the folder on an encrypted
volume that is itself destroyed.

Implementing a cloud KMS (not shipped; the adapter is a few lines)
-------------------------------------------------------------------
Implement :class:`KeyEncryptionService` and pass it to ``WrappedKeyring``:

* Google Cloud KMS: ``key_id`` is the CryptoKey name
  ``projects/P/locations/L/keyRings/R/cryptoKeys/K``; ``wrap`` calls
  ``KeyManagementServiceClient().encrypt(request={"name": key_id,
  "plaintext": plaintext, "additional_authenticated_data": associated_data})``
  and returns ``.ciphertext``; ``unwrap`` calls ``decrypt`` with the same AAD
  and returns ``.plaintext``.
* AWS KMS: ``key_id`` is the key ARN; ``wrap`` calls ``boto3.client("kms")
  .encrypt(KeyId=key_id, Plaintext=plaintext, EncryptionContext={"aad":
  associated_data.decode()})["CiphertextBlob"]``; ``unwrap`` calls
  ``decrypt(CiphertextBlob=wrapped, KeyId=key_id, EncryptionContext=...)
  ["Plaintext"]``.

Both must raise (any exception) when unwrapping fails; the keyring turns that
into a fixed-message :class:`KeyringError`. Register a URI scheme for it with
:func:`register_keyring_scheme` so that ``open_keyring("gcpkms://...")``
works in the pipeline and in ``python -m voicescrub.pipeline.keys``. The wrapped files
can live on any POSIX folder the workers share; for a fully managed store,
implement :class:`Keyring` over Secret Manager instead (one secret per epoch,
``create`` = create-secret-if-absent then read, ``shred`` = delete secret).

Nothing here logs; exceptions carry fixed messages and never a key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
from datetime import datetime, timezone
from typing import Callable, Final, Iterable, Protocol, runtime_checkable
from urllib.parse import unquote, urlparse

from voicescrub.transforms.privacy.pseudonyms import (
    EPOCH_KEY_BYTES,
    epoch_sort_key,
    is_valid_epoch,
)

KEY_FILE_SUFFIX: Final = ".key"
LOCAL_FORMAT: Final = "voicescrub-epoch-key"
WRAPPED_FORMAT: Final = "voicescrub-wrapped-epoch-key"
FORMAT_VERSION: Final = 1
_MAX_KEY_FILE_BYTES: Final = 64 * 1024


class KeyringError(Exception):
    """A keyring could not do what was asked. Messages are fixed, never a key."""


class KeyMissingError(KeyringError):
    """The epoch has no key (never created, or shredded) and creation is off."""

    def __init__(self) -> None:
        super().__init__("no key for this pseudonym epoch")


class InvalidEpochError(KeyringError, ValueError):
    """An epoch name is malformed; refused before it touches the filesystem."""

    def __init__(self) -> None:
        super().__init__("invalid epoch name")


class ReadOnlyKeyringError(KeyringError):
    """A read-only keyring was asked to create or shred a key."""

    def __init__(self) -> None:
        super().__init__("keyring is read-only")


@runtime_checkable
class Keyring(Protocol):
    """Where epoch keys live. Every method takes a validated epoch name."""

    def get(self, epoch: str) -> bytes:
        """Return the epoch's key.

        :param epoch: the epoch name.
        :raises KeyMissingError: if the epoch has no key.
        """
        ...

    def create(self, epoch: str) -> bytes:
        """Create the epoch's key unless it exists; return the one stored.

        Idempotent and race-safe: the first writer wins and every caller,
        in any process, gets the same key.

        :param epoch: the epoch name.
        """
        ...

    def get_or_create(self, epoch: str, create: bool) -> bytes:
        """Return the epoch's key, creating it first only if ``create``.

        :param epoch: the epoch name.
        :param create: whether a missing key may be created.
        :raises KeyMissingError: if it is missing and ``create`` is false.
        """
        ...

    def epochs(self) -> list[str]:
        """List the epochs that have a key, in chronological order."""
        ...

    def created_at(self, epoch: str) -> datetime:
        """Tell when the epoch's key was created (UTC).

        :param epoch: the epoch name.
        :raises KeyMissingError: if the epoch has no key.
        """
        ...

    def shred(self, epoch: str) -> bool:
        """Destroy the epoch's key for good.

        :param epoch: the epoch name.
        :return: True if a key was destroyed, False if there was none.
        """
        ...


class KeyEncryptionService(Protocol):
    """A key-encryption key held by a KMS: wraps and unwraps epoch keys."""

    @property
    def key_id(self) -> str:
        """The KEK's identifier, recorded in each wrapped-key file."""
        ...

    def wrap(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Encrypt an epoch key under the KEK.

        :param plaintext: the 32-byte epoch key.
        :param associated_data: authenticated, not encrypted; must be given
            again to unwrap.
        :return: the wrapped key.
        """
        ...

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """Decrypt a wrapped epoch key; raise if it does not authenticate.

        :param wrapped: bytes returned by :meth:`wrap`.
        :param associated_data: the same bytes given to :meth:`wrap`.
        :return: the epoch key.
        """
        ...


def _check_epoch(epoch: str) -> str:
    """Refuse anything that is not a strict epoch name (no path traversal).

    :param epoch: the candidate epoch name.
    :raises InvalidEpochError: if malformed.
    """
    if not is_valid_epoch(epoch):
        raise InvalidEpochError()
    return epoch


def _utc_now_iso() -> str:
    """The current UTC time as ISO-8601 with a ``Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_created_at(value: object) -> datetime:
    """Read a stored ``created_at``.

    :param value: the JSON value.
    :raises KeyringError: if it is not a zone-aware ISO-8601 timestamp.
    """
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise KeyringError("key file has a bad created_at") from None
    if parsed.tzinfo is None:
        raise KeyringError("key file has a bad created_at")
    return parsed.astimezone(timezone.utc)


def _b64decode(value: object) -> bytes:
    """Decode a base64 field of a key file.

    :param value: the JSON value.
    :raises KeyringError: if it is not valid base64.
    """
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError("key file is corrupt") from None


def _parse_key_file(raw: bytes, epoch: str, expected_format: str) -> dict:
    """Parse a key file's JSON record and check its format, version and epoch.

    :raises KeyringError: if it is corrupt, of another format, or of another epoch.
    """
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise KeyringError("key file is corrupt") from None
    if (
        not isinstance(record, dict)
        or record.get("format") != expected_format
        or record.get("version") != FORMAT_VERSION
    ):
        raise KeyringError("key file has an unknown format")
    if record.get("epoch") != epoch:
        raise KeyringError("key file belongs to another epoch")
    return record


class EpochFileStore:
    """One small file per epoch in a folder: atomic create, read, list, shred.

    Holds only its folder path, so it pickles cheaply to Beam workers.
    """

    def __init__(self, directory: str) -> None:
        """:param directory: the folder; created with 0700 on first write."""
        self.directory = os.path.abspath(directory)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.directory!r})"

    def path_for(self, epoch: str) -> str:
        """The file that holds an epoch's key.

        :param epoch: the epoch name.
        :raises InvalidEpochError: if malformed.
        """
        return os.path.join(self.directory, _check_epoch(epoch) + KEY_FILE_SUFFIX)

    def _ensure_directory(self) -> None:
        """Create the folder with 0700 if it does not exist yet."""
        try:
            os.makedirs(self.directory, mode=0o700)
        except FileExistsError:
            return
        os.chmod(self.directory, 0o700)

    def _fsync_directory(self) -> None:
        """Make a link or unlink in the folder durable."""
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def create_exclusive(self, epoch: str, content: bytes) -> bool:
        """Store ``content`` as the epoch's file unless one already exists.

        :param epoch: the epoch name.
        :param content: the complete file content.
        :return: True if this call created the file, False if another had.
        :raises KeyringError: if the folder cannot be written.
        """
        final_path = self.path_for(epoch)
        self._ensure_directory()
        temp_path = os.path.join(
            self.directory, f".{epoch}.{secrets.token_hex(8)}.tmp"
        )
        try:
            fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.fchmod(fd, 0o600)  # whatever the umask
                os.write(fd, content)
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(temp_path, final_path)
            except FileExistsError:
                return False
            self._fsync_directory()
            return True
        except OSError:
            raise KeyringError("cannot write to the keyring folder") from None
        finally:
            try:
                os.unlink(temp_path)
            except OSError:
                pass

    def read(self, epoch: str) -> bytes:
        """Read the epoch's file, refusing one that others can read or write.

        :param epoch: the epoch name.
        :raises KeyMissingError: if there is no file.
        :raises KeyringError: if its permissions are too open or it is unreadable.
        """
        path = self.path_for(epoch)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise KeyMissingError() from None
        except OSError:
            raise KeyringError("cannot read the key file") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise KeyringError("key file is not a regular file")
            if info.st_mode & 0o077:
                raise KeyringError("key file permissions are too open")
            if info.st_size > _MAX_KEY_FILE_BYTES:
                raise KeyringError("key file is corrupt")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                return handle.read(_MAX_KEY_FILE_BYTES + 1)
        except OSError:
            raise KeyringError("cannot read the key file") from None
        finally:
            os.close(fd)

    def epochs(self) -> list[str]:
        """The epochs that have a file, in chronological order."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        except OSError:
            raise KeyringError("cannot list the keyring folder") from None
        found = [
            name[: -len(KEY_FILE_SUFFIX)]
            for name in names
            if name.endswith(KEY_FILE_SUFFIX)
            and is_valid_epoch(name[: -len(KEY_FILE_SUFFIX)])
        ]
        return sorted(found, key=epoch_sort_key)

    def shred(self, epoch: str) -> bool:
        """Overwrite the epoch's file with random bytes, fsync, and unlink it.

        :param epoch: the epoch name.
        :return: True if a file was shredded, False if there was none.
        :raises KeyringError: if it exists but cannot be shredded.
        """
        path = self.path_for(epoch)
        try:
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return False
        except OSError:
            raise KeyringError("cannot shred the key file") from None
        try:
            try:
                size = max(os.fstat(fd).st_size, EPOCH_KEY_BYTES)
                os.write(fd, secrets.token_bytes(size))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.unlink(path)
            self._fsync_directory()
        except FileNotFoundError:
            return False  # a concurrent shred unlinked it first
        except OSError:
            raise KeyringError("cannot shred the key file") from None
        return True


class _StoredKeyring:
    """What both folder-backed keyrings share: an :class:`EpochFileStore` that
    lists and shreds epochs, and get-or-create on top of their own get/create."""

    store: EpochFileStore

    def get(self, epoch: str) -> bytes:  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def create(self, epoch: str) -> bytes:  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def get_or_create(self, epoch: str, create: bool) -> bytes:
        """See :meth:`Keyring.get_or_create`."""
        return self.create(epoch) if create else self.get(epoch)

    def epochs(self) -> list[str]:
        """See :meth:`Keyring.epochs`."""
        return self.store.epochs()

    def shred(self, epoch: str) -> bool:
        """See :meth:`Keyring.shred`."""
        return self.store.shred(epoch)


class LocalFolderKeyring(_StoredKeyring):
    """Plaintext epoch keys, one 0600 JSON file per epoch in a 0700 folder."""

    def __init__(self, directory: str) -> None:
        """:param directory: the keyring folder (created on first ``create``)."""
        self.store = EpochFileStore(directory)

    def __repr__(self) -> str:
        return f"LocalFolderKeyring({self.store.directory!r})"

    def _decode(self, epoch: str, raw: bytes) -> tuple[bytes, datetime]:
        """Parse a key file into its key and creation time.

        :param epoch: the epoch the file belongs to.
        :param raw: the file content.
        :raises KeyringError: if it is corrupt or belongs to another epoch.
        """
        record = _parse_key_file(raw, epoch, LOCAL_FORMAT)
        key = _b64decode(record.get("key_b64"))
        if len(key) != EPOCH_KEY_BYTES:
            raise KeyringError("key file is corrupt")
        return key, _parse_created_at(record.get("created_at"))

    def get(self, epoch: str) -> bytes:
        """See :meth:`Keyring.get`."""
        return self._decode(epoch, self.store.read(epoch))[0]

    def created_at(self, epoch: str) -> datetime:
        """See :meth:`Keyring.created_at`."""
        return self._decode(epoch, self.store.read(epoch))[1]

    def create(self, epoch: str) -> bytes:
        """See :meth:`Keyring.create`."""
        _check_epoch(epoch)
        try:
            return self.get(epoch)
        except KeyMissingError:
            pass
        record = {
            "format": LOCAL_FORMAT,
            "version": FORMAT_VERSION,
            "epoch": epoch,
            "created_at": _utc_now_iso(),
            "key_b64": base64.b64encode(secrets.token_bytes(EPOCH_KEY_BYTES)).decode(),
        }
        self.store.create_exclusive(epoch, json.dumps(record).encode("utf-8"))
        return self.get(epoch)  # ours or the race winner's: always the stored one



def _associated_data(epoch: str) -> bytes:
    """Bind a wrapped key to its epoch.

    :param epoch: the epoch name.
    """
    return f"voicescrub-epoch-key:v{FORMAT_VERSION}:{epoch}".encode("ascii")


class WrappedKeyring(_StoredKeyring):
    """Epoch keys wrapped by a KMS key-encryption key (envelope encryption).

    Only wrapped keys touch disk; unwrapping needs the KMS. ``kms`` must be
    picklable (or built in ``DoFn.setup`` on workers) and never hold
    plaintext epoch keys.
    """

    def __init__(self, directory: str, kms: KeyEncryptionService) -> None:
        """
        :param directory: folder for the wrapped-key files.
        :param kms: the key-encryption service.
        """
        self.store = EpochFileStore(directory)
        self.kms = kms

    def __repr__(self) -> str:
        return f"WrappedKeyring({self.store.directory!r}, kek_id={self.kms.key_id!r})"

    def _read_record(self, epoch: str) -> dict[str, object]:
        """Read and check a wrapped-key file.

        :param epoch: the epoch name.
        :raises KeyringError: if it is corrupt or belongs to another epoch.
        """
        return _parse_key_file(self.store.read(epoch), epoch, WRAPPED_FORMAT)

    def get(self, epoch: str) -> bytes:
        """See :meth:`Keyring.get`."""
        record = self._read_record(epoch)
        wrapped = _b64decode(record.get("wrapped_key_b64"))
        try:
            key = self.kms.unwrap(wrapped, _associated_data(epoch))
        except Exception:  # any KMS failure; its message could echo inputs
            raise KeyringError("cannot unwrap the epoch key") from None
        if not isinstance(key, bytes) or len(key) != EPOCH_KEY_BYTES:
            raise KeyringError("cannot unwrap the epoch key")
        return key

    def created_at(self, epoch: str) -> datetime:
        """See :meth:`Keyring.created_at`."""
        return _parse_created_at(self._read_record(epoch).get("created_at"))

    def create(self, epoch: str) -> bytes:
        """See :meth:`Keyring.create`."""
        _check_epoch(epoch)
        try:
            return self.get(epoch)
        except KeyMissingError:
            pass
        try:
            wrapped = self.kms.wrap(
                secrets.token_bytes(EPOCH_KEY_BYTES), _associated_data(epoch)
            )
        except Exception:
            raise KeyringError("cannot wrap the epoch key") from None
        record = {
            "format": WRAPPED_FORMAT,
            "version": FORMAT_VERSION,
            "epoch": epoch,
            "created_at": _utc_now_iso(),
            "kek_id": self.kms.key_id,
            "wrapped_key_b64": base64.b64encode(wrapped).decode(),
        }
        self.store.create_exclusive(epoch, json.dumps(record).encode("utf-8"))
        return self.get(epoch)



class ReadOnlyKeyring:
    """Wraps a keyring so that workers can only read keys.

    Use it on distributed workers after the epochs' keys were created ahead
    (``python -m voicescrub.pipeline.keys create --from-manifest``): a missing key then
    raises :class:`KeyMissingError` (→ dead letter) instead of being created
    racily, and no worker can shred.
    """

    def __init__(self, inner: Keyring) -> None:
        """:param inner: the keyring to read from."""
        self.inner = inner

    def __repr__(self) -> str:
        return f"ReadOnlyKeyring({self.inner!r})"

    def get(self, epoch: str) -> bytes:
        """See :meth:`Keyring.get`."""
        return self.inner.get(epoch)

    def create(self, epoch: str) -> bytes:
        """Refuse: read-only.

        :param epoch: the epoch name.
        :raises ReadOnlyKeyringError: always.
        """
        raise ReadOnlyKeyringError()

    def get_or_create(self, epoch: str, create: bool) -> bytes:
        """Read the key; ``create`` is refused rather than ignored.

        :param epoch: the epoch name.
        :param create: must be False.
        :raises ReadOnlyKeyringError: if ``create`` is true.
        """
        if create:
            raise ReadOnlyKeyringError()
        return self.inner.get(epoch)

    def epochs(self) -> list[str]:
        """See :meth:`Keyring.epochs`."""
        return self.inner.epochs()

    def created_at(self, epoch: str) -> datetime:
        """See :meth:`Keyring.created_at`."""
        return self.inner.created_at(epoch)

    def shred(self, epoch: str) -> bool:
        """Refuse: read-only.

        :param epoch: the epoch name.
        :raises ReadOnlyKeyringError: always.
        """
        raise ReadOnlyKeyringError()


class EpochKeys:
    """A worker's epoch keys: read from a read-only keyring once each, and only for the
    epochs the run made ready before any clip was processed (never created here).

    :param keyring_uri: the run's keyring, opened here: build it in a DoFn's ``setup``,
        so that a keyring the worker cannot open fails the worker (which the runner
        retries), not each clip.
    """

    def __init__(self, keyring_uri: str) -> None:
        self._keyring = open_keyring(keyring_uri, read_only=True)
        self._keys: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return "EpochKeys(...)"

    def get(self, epoch: str, ready_epochs: Iterable[str]) -> bytes:
        """The key of ``epoch``.

        :raises KeyMissingError: when the epoch is not ready or its key is gone.
        """
        key = self._keys.get(epoch)
        if key is None:
            if epoch not in ready_epochs:
                raise KeyMissingError()
            key = self._keys[epoch] = self._keyring.get(epoch)
        return key


KeyringFactory = Callable[[str], Keyring]
_SCHEMES: dict[str, KeyringFactory] = {}


def register_keyring_scheme(scheme: str, factory: KeyringFactory) -> None:
    """Let :func:`open_keyring` open ``<scheme>://...`` URIs.

    Register production backends (e.g. ``gcpkms``) in a module that both the
    launcher and the workers import.

    :param scheme: the URI scheme, lower case, e.g. ``"gcpkms"``.
    :param factory: builds the keyring from the full URI.
    """
    _SCHEMES[scheme.lower()] = factory


def open_keyring(uri: str, read_only: bool = False) -> Keyring:
    """Open a keyring from a URI.

    * a plain path or ``file:///path`` → :class:`LocalFolderKeyring`;
    * ``<scheme>://...`` → the factory registered with
      :func:`register_keyring_scheme` (none are built in).

    :param uri: where the keyring is.
    :param read_only: wrap it in :class:`ReadOnlyKeyring` (for workers).
    :raises KeyringError: for an empty URI or an unregistered scheme.
    """
    if not isinstance(uri, str) or not uri:
        raise KeyringError("keyring URI is empty")
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    keyring: Keyring
    if "://" not in uri:
        keyring = LocalFolderKeyring(uri)
    elif scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise KeyringError("file keyring URIs must be local")
        keyring = LocalFolderKeyring(unquote(parsed.path))
    elif scheme in _SCHEMES:
        keyring = _SCHEMES[scheme](uri)
    else:
        raise KeyringError("unsupported keyring URI scheme")
    return ReadOnlyKeyring(keyring) if read_only else keyring
