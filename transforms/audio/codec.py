"""Decode any supported audio to 16 kHz mono PCM, and encode PCM for output.

In-process only: PyAV (bundled FFmpeg, via faster-whisper's ``decode_audio``)
decodes WAV, FLAC, MP3, OGG/Opus and more at any rate and channel count; no
system ffmpeg is needed.
"""

from __future__ import annotations

import io
import wave
from typing import Iterable, Iterator, List

import numpy as np
from voicescrub.transforms.runtime.errors import AudioDecodeError

SAMPLE_RATE = 16000
OUTPUT_FORMATS = ("flac", "wav")


def decode_to_pcm16(data: bytes, *, max_duration_s: float) -> np.ndarray:
    """Decode an audio file's bytes to 16 kHz mono int16 PCM.

    The same PyAV path as faster-whisper's ``decode_audio`` (first audio
    stream, libswresample to s16 mono 16 kHz, undecodable frames skipped), but
    without its ``gc.collect()`` after every file, which costs ~0.1 s per clip
    in a worker process holding large models, and stopping as soon as the
    audio runs past ``max_duration_s`` instead of holding all of it.

    :param data: the whole file.
    :param max_duration_s: longer audio is refused rather than held in memory.
    :raises AudioDecodeError: for empty, corrupt, non-audio or over-long input.
    """
    if not data:
        raise AudioDecodeError("audio file is empty")
    check_wav_complete(data)
    import av

    max_samples = int(max_duration_s * SAMPLE_RATE)
    chunks: List[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioDecodeError("file has no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in _valid_frames(container.decode(audio=0)):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    total += chunks[-1].size
                if total > max_samples:
                    raise AudioDecodeError("audio is longer than the configured maximum duration")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
                total += chunks[-1].size
    except AudioDecodeError:
        raise
    except Exception as error:  # PyAV raises many types; none of them is safe to quote
        raise AudioDecodeError(f"audio could not be decoded ({type(error).__name__})") from None
    if total == 0:
        raise AudioDecodeError("audio decodes to zero samples")
    if total > max_samples:
        raise AudioDecodeError("audio is longer than the configured maximum duration")
    return np.concatenate(chunks).astype(np.int16, copy=False)


def check_wav_complete(data: bytes) -> None:
    """Refuse a WAV file whose ``data`` chunk declares more audio than the file holds.

    Such a file was cut short (a failed upload, a recorder killed mid-write): the
    decoder would return whatever samples are there, a fraction of what was said,
    and the clip would be scrubbed and released as if it were whole.

    :raises AudioDecodeError: for a truncated WAV; other formats pass unchecked.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset:offset + 4]
        size = int.from_bytes(data[offset + 4:offset + 8], "little")
        if chunk_id == b"data":
            if size > len(data) - (offset + 8):
                raise AudioDecodeError("audio file is truncated: its header declares more audio "
                                       "than it holds")
            return
        offset += 8 + size + (size & 1)


def _valid_frames(frames: Iterable) -> Iterator:
    """Skip frames the decoder rejects mid-stream, as faster-whisper does."""
    import av

    iterator = iter(frames)
    while True:
        try:
            yield next(iterator)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue


def float_to_pcm16(samples: np.ndarray) -> np.ndarray:
    """float32 in [-1, 1] to int16, clipped (decoders may overshoot slightly)."""
    return np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)


def pcm16_to_float(pcm: np.ndarray) -> np.ndarray:
    """int16 PCM to float32 in [-1, 1), as Whisper expects."""
    return pcm.astype(np.float32) / 32768.0


def encode_pcm16(pcm: np.ndarray, sample_rate: int, audio_format: str) -> bytes:
    """Encode mono int16 PCM losslessly as ``flac`` or ``wav`` bytes.

    Both formats are lossless, so the redacted audio a reviewer hears is
    sample-for-sample what ``redact_pcm`` produced.
    """
    if audio_format == "wav":
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(np.ascontiguousarray(pcm, dtype="<i2").tobytes())
        return buffer.getvalue()
    if audio_format == "flac":
        return _encode_flac(pcm, sample_rate)
    raise ValueError("unsupported output audio format")


def _encode_flac(pcm: np.ndarray, sample_rate: int) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=sample_rate, layout="mono")
        # Frames of 4096 samples keep the encoder's memory flat for long clips.
        for start in range(0, len(pcm), 4096):
            chunk = np.ascontiguousarray(pcm[start:start + 4096], dtype=np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def decode_exact_pcm16(data: bytes) -> np.ndarray:
    """Decode our own FLAC/WAV output back to int16 without resampling (for checks)."""
    import av

    with av.open(io.BytesIO(data)) as container:
        chunks = [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    out = np.concatenate(chunks)
    if out.dtype != np.int16:
        raise AudioDecodeError("unexpected sample format in encoded output")
    return out
