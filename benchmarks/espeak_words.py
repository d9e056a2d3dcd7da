"""Exact word times of the synthetic corpora, from espeak-ng itself.

``samples/generate.py`` makes every clip with ``espeak-ng -v VOICE -s SPEED -w``
and records the text, voice and speed in the labels. libespeak-ng (the library
the command line uses) synthesises the same text with the same voice and speed
sample for sample (its PCM is a prefix of the command line's WAV, which only
adds trailing silence) and reports a WORD event with the exact sample at which
each word starts. Each word's sound is then that stretch, up to the next word's
start, trimmed of leading and trailing silence (5 ms frames quieter than
``SILENCE_DBFS``). The clips were padded only at the end and resampled, so
these times hold in the decoded clip too (``offset_s`` measures any shift).

This gives the true time of every labelled PII value and of the clean speech
around it, instead of Whisper's word times, which lag the audio by ~0.2 s.

Nothing here prints text: callers get times and character offsets only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

SILENCE_DBFS = -45.0
_FRAME_S = 0.005

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_END = 5
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1


class _Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p),
                ("identifier", ctypes.c_char_p), ("gender", ctypes.c_ubyte),
                ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte), ("xx1", ctypes.c_ubyte),
                ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_void_p)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.POINTER(_Event))


@dataclass(frozen=True)
class SpokenWord:
    """One word as espeak-ng spoke it: characters of the text, seconds of the audio."""

    char_start: int
    char_end: int
    start_s: float
    end_s: float


class _Engine:
    """One libespeak-ng engine; only its first synthesis matches the command line's."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self._lib = ctypes.CDLL(name)
        self.sample_rate = int(self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0))
        if self.sample_rate <= 0:
            raise RuntimeError("libespeak-ng did not initialise")
        self._chunks: List[np.ndarray] = []
        self._events: List[Tuple[int, int, int, int]] = []
        self._callback = _CALLBACK(self._on_audio)  # keep a reference: C holds a pointer
        self._lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav, count, events) -> int:  # type: ignore[no-untyped-def]
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            e = events[i]
            self._events.append((e.type, e.text_position, e.length, e.sample))
            i += 1
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, (count,)).copy())
        return 0

    def _set_voice(self, voice: str) -> None:
        """As the command line does: a voice name, else a language (both may end in +variant)."""
        name = voice.encode("utf-8")
        if self._lib.espeak_SetVoiceByName(name) == 0:
            return
        select = _Voice(languages=name)
        if self._lib.espeak_SetVoiceByProperties(ctypes.byref(select)) != 0:
            raise RuntimeError("espeak-ng voice not found")

    def synth(self, text: str, voice: str, speed: int) -> Tuple[np.ndarray, List[Tuple[int, int, int, int]]]:
        self._set_voice(voice)
        self._lib.espeak_SetParameter(_PARAM_RATE, int(speed), 0)
        data = text.encode("utf-8")
        self._lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self._lib.espeak_Synchronize()
        pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return pcm, list(self._events)


def _child_main() -> int:
    """Synthesise one job (JSON on stdin) in this fresh process; write events and PCM to stdout."""
    job = json.loads(sys.stdin.read())
    engine = _Engine()
    pcm, events = engine.synth(job["text"], job["voice"], int(job["speed"]))
    header = json.dumps({"rate": engine.sample_rate, "events": events, "samples": int(len(pcm))})
    sys.stdout.buffer.write(header.encode("utf-8") + b"\n" + pcm.astype("<i2").tobytes())
    sys.stdout.buffer.flush()
    return 0


class EspeakTimer:
    """Synthesises text with libespeak-ng and returns its PCM and word times.

    A second synthesis in the same engine comes out a few ms off the command
    line's (state carries over, and re-initialising hangs), so every text is
    synthesised by a fresh engine in a child process of its own: this module
    run as a script (a fresh interpreter, not a fork: forking a process that has
    run the pipeline, with Beam's and gRPC's threads, can hang).
    """

    def __init__(self) -> None:
        self.sample_rate = 0

    def close(self) -> None:
        """Nothing to release (kept so callers can close it either way)."""

    def _run_child(self, text: str, voice: str, speed: int) -> Tuple[int, np.ndarray, list]:
        job = json.dumps({"text": text, "voice": voice, "speed": int(speed)})
        done = subprocess.run([sys.executable, os.path.abspath(__file__)], input=job.encode("utf-8"),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False,
                              timeout=120)
        if done.returncode != 0 or b"\n" not in done.stdout:
            raise RuntimeError("espeak-ng synthesis failed")
        header, _, raw = done.stdout.partition(b"\n")
        meta = json.loads(header.decode("utf-8"))
        pcm = np.frombuffer(raw, dtype="<i2").astype(np.int16)
        if len(pcm) != meta["samples"]:
            raise RuntimeError("espeak-ng synthesis was cut short")
        return int(meta["rate"]), pcm, [tuple(e) for e in meta["events"]]

    def synth(self, text: str, voice: str, speed: int) -> Tuple[np.ndarray, List[SpokenWord]]:
        """The int16 PCM at ``self.sample_rate`` and the words with their sound's times."""
        rate, pcm, events = self._run_child(text, voice, int(speed))
        self.sample_rate = rate
        # Character positions are 1-based, in characters (the text is decoded as UTF-8).
        starts = [(pos - 1, pos - 1 + length, sample) for kind, pos, length, sample in events
                  if kind == _EVENT_WORD]
        end_sample = max([s for kind, _, _, s in events if kind == _EVENT_END] + [len(pcm)])
        words: List[SpokenWord] = []
        for index, (c0, c1, s0) in enumerate(starts):
            s1 = starts[index + 1][2] if index + 1 < len(starts) else end_sample
            trimmed = _trim(pcm, rate, s0, min(s1, len(pcm)))
            if trimmed is None:
                continue  # a word with no sound
            words.append(SpokenWord(c0, c1, trimmed[0] / rate, trimmed[1] / rate))
        return pcm, words


def _trim(pcm: np.ndarray, rate: int, start: int, end: int) -> Optional[Tuple[int, int]]:
    """The [start, end) sample range without silent 5 ms frames at either end."""
    frame = max(1, int(round(_FRAME_S * rate)))
    piece = pcm[start:end].astype(np.float64) / 32768.0
    n = len(piece) // frame
    if n == 0:
        return None
    power = np.mean(piece[: n * frame].reshape(n, frame) ** 2, axis=1)
    loud = np.flatnonzero(power > 10.0 ** (SILENCE_DBFS / 10.0))
    if loud.size == 0:
        return None
    return start + int(loud[0]) * frame, min(end, start + (int(loud[-1]) + 1) * frame)


def words_overlapping(words: Sequence[SpokenWord], spans: Sequence[Tuple[int, int]]) -> List[SpokenWord]:
    """The words whose characters overlap any of the (start, end) character spans."""
    return [w for w in words if any(w.char_start < e and s < w.char_end for s, e in spans)]


def offset_s(synth_pcm: np.ndarray, synth_rate: int, clip_pcm: np.ndarray, clip_rate: int,
             max_shift_s: float = 0.1) -> Tuple[float, float]:
    """(shift of the clip against the synthesis in seconds, envelope correlation at it).

    Compares 5 ms energy envelopes, so the resolution is 5 ms.
    """
    def envelope(pcm: np.ndarray, rate: int) -> np.ndarray:
        frame = int(round(_FRAME_S * rate))
        n = len(pcm) // frame
        x = pcm[: n * frame].astype(np.float64).reshape(n, frame) / 32768.0
        return np.sqrt(np.mean(x * x, axis=1))

    a, b = envelope(synth_pcm, synth_rate), envelope(clip_pcm, clip_rate)
    n = min(len(a), len(b))
    if n < 10:
        return 0.0, 0.0
    best = (0.0, -2.0)
    limit = int(round(max_shift_s / _FRAME_S))
    for shift in range(-limit, limit + 1):
        x = a[max(0, -shift): n - max(0, shift)]
        y = b[max(0, shift): n - max(0, -shift)]
        m = min(len(x), len(y))
        if m < 10 or np.std(x[:m]) == 0 or np.std(y[:m]) == 0:
            continue
        r = float(np.corrcoef(x[:m], y[:m])[0, 1])
        if r > best[1]:
            best = (shift * _FRAME_S, r)
    return best


if __name__ == "__main__":
    sys.exit(_child_main())
