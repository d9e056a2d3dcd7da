"""Bring a model folder from any Beam filesystem (``gs://``, ``s3://``, ...) to local disk.

Plain Python, no Beam pipeline code. CTranslate2 (and so faster-whisper) loads
weights from a local folder only; on Dataflow or Flink the weights may live in
a bucket instead of being baked into the container. :func:`localise_model`
copies such a folder once per worker machine (every SDK process on it shares
the copy) and returns the local path; a local path or a model name passes
through unchanged.

The copy is atomic: files go into a hidden temporary folder beside the final
one, which is renamed into place only when complete, under an exclusive file
lock, so concurrent worker processes neither copy twice nor ever load a
half-copied model. A crashed copy leaves only a ``.tmp-`` folder, which the
next attempt ignores (and removes when it can take the lock).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import threading
from typing import Dict, List, Optional, Tuple

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

#: Where copies go unless ``cache_dir`` or this environment variable says otherwise.
CACHE_ENV = "VOICESCRUB_MODEL_CACHE"
COMPLETE_MARKER = ".voicescrub-complete"
_COPY_CHUNK = 8 * 1024 * 1024

_process_lock = threading.Lock()
_localised: Dict[Tuple[str, str], str] = {}


class ModelFilesError(Exception):
    """The model folder could not be copied; the message holds no path."""


def is_remote(uri: str) -> bool:
    """True for a URI with a scheme other than ``file://`` (``gs://``, ``s3://``, ...)."""
    scheme = FileSystems.get_scheme(uri)
    return scheme is not None and scheme != "file"


def default_cache_dir() -> str:
    """``$VOICESCRUB_MODEL_CACHE``, else ``<tmp>/voicescrub-models`` (local disk on a worker)."""
    return os.environ.get(CACHE_ENV) or os.path.join(tempfile.gettempdir(), "voicescrub-models")


def local_folder_name(uri: str) -> str:
    """A stable, filesystem-safe folder name for ``uri``: its last part plus a hash."""
    stripped = uri.rstrip("/")
    base = "".join(c if c.isalnum() or c in "-_." else "_" for c in stripped.rsplit("/", 1)[-1])
    return f"{base or 'model'}-{hashlib.sha256(stripped.encode('utf-8')).hexdigest()[:16]}"


def remote_files(uri: str) -> List[Tuple[str, str]]:
    """``(remote path, relative path)`` of every file under the folder ``uri``.

    :raises ModelFilesError: if the folder holds no file, or a name would escape it.
    """
    prefix = uri.rstrip("/") + "/"
    found: List[Tuple[str, str]] = []
    for metadata in FileSystems.match([prefix + "**"])[0].metadata_list:
        if not metadata.path.startswith(prefix) or metadata.path.endswith("/"):
            continue  # folder placeholder objects some stores keep
        relative = metadata.path[len(prefix):]
        parts = relative.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise ModelFilesError("model folder holds a file name that is not a plain path")
        found.append((metadata.path, relative))
    if not found:
        raise ModelFilesError("model folder is empty or does not exist")
    return sorted(found, key=lambda item: item[1])


def _copy_folder(uri: str, target: str) -> None:
    for remote_path, relative in remote_files(uri):
        local_path = os.path.join(target, *relative.split("/"))
        os.makedirs(os.path.dirname(local_path), exist_ok=True)
        with FileSystems.open(remote_path, compression_type=CompressionTypes.UNCOMPRESSED) as src, \
                open(local_path, "wb") as dst:
            shutil.copyfileobj(src, dst, _COPY_CHUNK)
    with open(os.path.join(target, COMPLETE_MARKER), "w", encoding="utf-8") as marker:
        marker.write(uri + "\n")


def _is_complete(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, COMPLETE_MARKER))


def _remove_stale_temps(cache_dir: str, name: str) -> None:
    """Remove half-copies left by crashed processes (called with the lock held)."""
    for entry in os.listdir(cache_dir):
        if entry.startswith(f".tmp-{name}-"):
            shutil.rmtree(os.path.join(cache_dir, entry), ignore_errors=True)


def localise_model(uri: str, cache_dir: Optional[str] = None) -> str:
    """Return a local folder holding the model at ``uri``, copying it there once.

    :param uri: a remote model folder (``gs://bucket/models/small.en``, any Beam
        filesystem); anything else (a local folder, a model size name,
        ``bundled:tiny.en``) is returned unchanged.
    :param cache_dir: where local copies live (default :func:`default_cache_dir`).
    :returns: the local folder.
    :raises ModelFilesError: if the remote folder is empty or cannot be copied.
    """
    if not is_remote(uri):
        return uri
    cache_dir = cache_dir or default_cache_dir()
    key = (uri.rstrip("/"), os.path.abspath(cache_dir))
    with _process_lock:  # threads of one SDK process: one copy, then the dict answers
        if key in _localised and _is_complete(_localised[key]):
            return _localised[key]
        os.makedirs(cache_dir, exist_ok=True)
        name = local_folder_name(uri)
        final = os.path.join(cache_dir, name)
        with open(os.path.join(cache_dir, f".{name}.lock"), "a+b") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # other processes on this machine wait here
            try:
                if not _is_complete(final):
                    _remove_stale_temps(cache_dir, name)
                    if os.path.exists(final):  # an incomplete folder from an older layout
                        shutil.rmtree(final)
                    temp = tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache_dir)
                    try:
                        _copy_folder(uri, temp)
                        os.rename(temp, final)
                    except BaseException as error:
                        shutil.rmtree(temp, ignore_errors=True)
                        if isinstance(error, ModelFilesError):
                            raise
                        if isinstance(error, Exception):
                            raise ModelFilesError(
                                f"copying the model folder failed ({type(error).__name__})"
                            ) from error
                        raise
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        _localised[key] = final
        return final
