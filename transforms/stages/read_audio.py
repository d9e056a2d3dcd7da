"""Stage 1b: read each clip's audio file from any Beam filesystem, with a size limit."""

from __future__ import annotations

import os
import stat

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from voicescrub.schemas.records import Clip
from voicescrub.transforms.runtime.clip_stage import (
    ClipStageFn,
    replace,
    run_clip_stage,
)
from voicescrub.transforms.runtime.deadline import DEFAULT_CLIP_TIMEOUT_S, within
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


class ReadAudioFn(ClipStageFn):
    stage = "read_audio"

    def __init__(self, max_bytes: int, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s

    def process_clip(self, clip: Clip) -> Clip:
        uri, max_bytes = clip.entry.audio_uri, self._max_bytes
        # A filesystem that stops answering must not hold the job.
        data = within(self._timeout_s, lambda: read_audio_bytes(uri, max_bytes))
        return replace(clip, audio_bytes=data)


class ReadAudio(beam.PTransform):
    """Clips -> clips carrying their audio file's bytes.

    :param timeout_s: most seconds one clip's read may take (``ClipTimeout`` past it).
    """

    def __init__(self, max_bytes: int, timeout_s: float = DEFAULT_CLIP_TIMEOUT_S) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, ReadAudioFn(self._max_bytes, self._timeout_s))
