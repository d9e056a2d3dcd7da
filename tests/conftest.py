"""Shared fixtures: the bundled samples and the real models, loaded once per session."""

from __future__ import annotations

import json
import os
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
    from voicescrub.transforms.asr.whisper import AsrSettings, load_model_for

    # As the pipeline loads it: one single-thread replica per core.
    return load_model_for(AsrSettings())


@pytest.fixture(scope="session")
def pii_detector():
    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.runtime.models import load_detector

    return load_detector(load_pii_config())


@pytest.fixture(scope="session")
def fr_detector():
    """The French pack's detector (transforms/language/fr/)."""
    from voicescrub.transforms.language.packs import load_pack
    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.runtime.models import load_detector

    return load_detector(load_pii_config(pack=load_pack("fr")))


#: Committed speech clips (``tests/audio/make_clips.py`` makes them; no synthesiser at test time).
TEST_AUDIO = os.path.join(REPO, "tests", "audio")


def speech_clip_path(name: str) -> str:
    """The committed clip ``tests/audio/<name>.flac`` (espeak-ng's 22.05 kHz mono speech)."""
    path = os.path.join(TEST_AUDIO, f"{name}.flac")
    assert os.path.isfile(path), f"missing test clip {name}: run tests/audio/make_clips.py"
    return path


def speech_clip_pcm(name: str):  # -> np.ndarray
    """The committed clip ``name`` decoded as the pipeline decodes: 16 kHz mono int16 PCM."""
    from voicescrub.transforms.audio.codec import decode_to_pcm16

    with open(speech_clip_path(name), "rb") as handle:
        return decode_to_pcm16(handle.read(), max_duration_s=60.0)
