"""benchmarks/espeak_words.py: libespeak-ng's word times for the synthetic corpora."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import wave

import numpy as np
import pytest

# The optional ``espeak`` group: the benchmark tool drives libespeak-ng itself, so these
# tests need the synthesiser installed. ``pytest`` leaves them out (pytest.ini);
# ``pytest -m espeak`` runs them and fails, rather than skips, where it is missing.
pytestmark = pytest.mark.espeak


@pytest.fixture(autouse=True)
def espeak_installed() -> None:
    assert shutil.which("espeak-ng") and ctypes.util.find_library("espeak-ng"), (
        "the espeak group needs espeak-ng and libespeak-ng: apt-get install espeak-ng")


@pytest.mark.parametrize("voice", ["en-us+m3", "en-gb+f3"])  # a voice name and a language
def test_synthesis_matches_the_command_line_and_words_are_timed(tmp_path, voice: str) -> None:
    from benchmarks.espeak_words import EspeakTimer, words_overlapping

    text = "Change my card PIN to 5 0 5 2, please."
    timer = EspeakTimer()
    try:
        pcm, words = timer.synth(text, voice, 160)
        again, _ = timer.synth(text, voice, 160)  # a fresh engine each time: same output
    finally:
        timer.close()
    out = tmp_path / "cli.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(out), text], check=True)
    with wave.open(str(out)) as handle:
        assert handle.getframerate() == timer.sample_rate
        cli = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    assert len(cli) >= len(pcm) > 0
    assert np.array_equal(cli[: len(pcm)], pcm)  # the command line only adds trailing silence
    assert not np.any(cli[len(pcm):])
    assert np.array_equal(again, pcm)
    assert len(words) == 10
    assert all(0.0 <= w.start_s < w.end_s <= len(pcm) / timer.sample_rate for w in words)
    assert all(a.end_s <= b.start_s for a, b in zip(words, words[1:]))
    pin_start = text.index("5 0 5 2")
    assert len(words_overlapping(words, [(pin_start, pin_start + 7)])) == 4
