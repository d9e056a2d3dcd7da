"""Read a clip's audio file from any Beam filesystem, refusing what would block or flood a worker."""

from __future__ import annotations

import os
import stat

from apache_beam.io.filesystems import FileSystems
from voicescrub.transforms.runtime.errors import AudioReadError


def read_audio_bytes(uri: str, max_bytes: int) -> bytes:
    """The whole file at ``uri``; refuses missing, empty and over-large files.

    :raises AudioReadError: with a fixed message (the URI is not quoted: it may
        hold an account number in its path).
    """
    if "://" not in uri:
        _check_regular_file(uri)
    try:
        handle = FileSystems.open(uri, compression_type="uncompressed")
    except Exception:  # BeamIOError, FileNotFoundError, permission errors...
        raise AudioReadError("audio file not found or not readable") from None
    with handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AudioReadError("audio file is larger than the configured maximum size")
    if not data:
        raise AudioReadError("audio file is empty")
    return data


def _check_regular_file(path: str) -> None:
    """Refuse a local path that is not a regular file before opening it: opening a FIFO
    with no writer, or a device, would block the worker forever."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        raise AudioReadError("audio file not found or not readable") from None
    if not stat.S_ISREG(mode):
        raise AudioReadError("audio path is not a regular file")
