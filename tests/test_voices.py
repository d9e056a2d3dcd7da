"""benchmarks/voices.py: the synthesisers the benchmarks speak their corpora with."""

from __future__ import annotations

import shutil
import wave

import pytest

from benchmarks.voices import TOOLS, engine_of, missing_tools, speak


@pytest.mark.parametrize("voice, engine", [
    ("espeak:en-gb+m3", "espeak"), ("flite:slt", "flite"),
    ("festival:kal_diphone", "festival"), ("festival:cmu_us_slt_arctic_hts", "festival"),
])
def test_a_voice_names_its_synthesiser(voice: str, engine: str) -> None:
    assert engine_of(voice) == engine


# No synthesiser, no name, or a Festival name that is not one symbol (text2wave evaluates
# "(voice_NAME)", so a name must not carry Scheme of its own).
@pytest.mark.parametrize("voice", ["en-us", "say:alex", "flite:", "festival:kal diphone",
                                   "festival:kal)(quit", "festival:"])
def test_an_unknown_voice_is_refused(voice: str) -> None:
    with pytest.raises(ValueError):
        engine_of(voice)


def test_missing_tools_names_the_packages_of_absent_programs(monkeypatch) -> None:
    present = {"espeak-ng", "sox"}
    monkeypatch.setattr(shutil, "which", lambda tool: f"/usr/bin/{tool}" if tool in present else None)
    assert missing_tools(["espeak:en-us"]) == []
    assert missing_tools(["espeak:en-us", "festival:kal_diphone", "flite:kal"]) == [
        TOOLS["festival"][1], TOOLS["flite"][1]]
    present.discard("sox")
    assert missing_tools(["espeak:en-us"]) == ["sox"]


@pytest.mark.espeak
def test_speak_writes_16_khz_mono_audio_of_the_text(tmp_path) -> None:
    assert shutil.which("espeak-ng") and shutil.which("sox"), (
        "the espeak group needs espeak-ng and sox: apt-get install espeak-ng sox")
    out = tmp_path / "clip.wav"
    seconds = speak("Set a timer for ten minutes.", "espeak:en-us", str(out), 160)
    with wave.open(str(out)) as handle:
        assert (handle.getframerate(), handle.getnchannels(), handle.getsampwidth()) == (16000, 1, 2)
        assert handle.getnframes() / 16000 == pytest.approx(seconds)
    assert 1.0 < seconds < 5.0
