"""Shared fixtures: the bundled samples and the real models, loaded once per session."""

from __future__ import annotations

import json
import os
import shutil
from typing import Dict, List

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(REPO, "samples")
SAMPLE_MANIFEST = os.path.join(SAMPLES, "manifest.jsonl")


def read_jsonl(path: str) -> List[Dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def sample_labels() -> Dict[str, Dict]:
    """``samples/labels.jsonl`` by utterance_id: what each sample clip says and its PII."""
    return {row["utterance_id"]: row for row in read_jsonl(os.path.join(SAMPLES, "labels.jsonl"))}


@pytest.fixture(scope="session")
def sample_manifest() -> List[Dict]:
    return read_jsonl(SAMPLE_MANIFEST)


@pytest.fixture(scope="session")
def whisper_model():
    from transforms.asr import AsrSettings, load_model_for

    # As the pipeline loads it: one single-thread replica per core.
    return load_model_for(AsrSettings())


@pytest.fixture(scope="session")
def pii_detector():
    from transforms.detect_pii import load_detector

    return load_detector(None, None)


@pytest.fixture
def espeak(tmp_path):
    """Synthesise speech to a WAV file, or skip where espeak-ng is not installed."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    import subprocess

    def speak(text: str, name: str = "speech.wav", voice: str = "en-us", speed: int = 160) -> str:
        path = str(tmp_path / name)
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", path, text], check=True)
        return path

    return speak
