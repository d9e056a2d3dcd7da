"""Helpers shared by the production-runner tests: a small manifest and output readers.

The whole sample costs ~20 s per run; these tests run the pipeline several
times, so they use a few sample clips (three speech clips in three epochs, the
corrupt one and a missing one) copied into a manifest under ``tmp_path``.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Iterable, List, Sequence, Tuple

import pyarrow.dataset as ds
import pyarrow.parquet as pq

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(REPO, "samples")

#: s01, s02, s03 fall in ISO weeks 45, 46, 47; s15 is corrupt; s16's file is missing.
SUBSET_IDS = ("s01", "s02", "s03", "s15", "s16")


def write_subset_manifest(folder: str, ids: Sequence[str] = SUBSET_IDS,
                          name: str = "manifest.jsonl") -> str:
    """A manifest of the chosen sample lines with absolute ``audio_uri``s; returns its path."""
    lines: List[str] = []
    with open(os.path.join(SAMPLES, "manifest.jsonl"), encoding="utf-8") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            entry = json.loads(raw)
            if entry["utterance_id"] in ids:
                entry["audio_uri"] = os.path.join(SAMPLES, entry["audio_uri"])
                lines.append(json.dumps(entry))
    assert len(lines) == len(ids), "sample manifest changed: update SUBSET_IDS"
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def job_args(manifest: str, output: str, keyring: str, *extra: str) -> List[str]:
    return ["--manifest", manifest, "--output", output, "--keyring", keyring, *extra]


def read_table_rows(folder: str, drop: Iterable[str] = ("processed_at",)) -> List[Dict]:
    """Every row under ``folder`` as a reader would see it: ``pyarrow.dataset``, Hive
    partitioning, default ignore rules (names starting ``_`` or ``.`` are skipped)."""
    if not os.path.isdir(folder):
        return []
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    columns = [n for n in dataset.schema.names if n not in set(drop)]
    return dataset.to_table(columns=columns).to_pylist()


def visible_files(folder: str) -> List[str]:
    """The files ``pyarrow.dataset`` would read under ``folder``."""
    if not os.path.isdir(folder):
        return []
    return sorted(ds.dataset(folder, format="parquet", partitioning="hive").files)


def keyed(rows: Iterable[Dict], key: Tuple[str, ...]) -> Dict[Tuple, Dict]:
    """Rows by ``key`` (an order-independent comparison); a duplicate key fails."""
    by_key: Dict[Tuple, Dict] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        assert k not in by_key, f"duplicate row for {k}"
        by_key[k] = row
    return by_key


def file_rows(path: str) -> int:
    return pq.read_metadata(path).num_rows


def write_fixed_keyring(folder: str, epochs: Iterable[str]) -> None:
    """A keyring whose epoch keys are fixed bytes (the n-th epoch in order: bytes n+1), so
    that keyed draws (the review sample, the speaker cap) are the same on every test run;
    a fresh keyring would draw other clips."""
    import base64

    from voicescrub.transforms.privacy.keyring import (
        FORMAT_VERSION,
        LOCAL_FORMAT,
        EpochFileStore,
    )

    store = EpochFileStore(folder)
    for number, epoch in enumerate(sorted(set(epochs))):
        record = {"format": LOCAL_FORMAT, "version": FORMAT_VERSION, "epoch": epoch,
                  "created_at": "2026-11-01T00:00:00Z",
                  "key_b64": base64.b64encode(bytes([number + 1]) * 32).decode()}
        store.create_exclusive(epoch, json.dumps(record).encode("utf-8"))


def manifest_epochs(manifest: str) -> List[str]:
    """The ISO-week epochs of a manifest's lines."""
    from voicescrub.transforms.privacy.pseudonyms import epoch_for, parse_recorded_at

    with open(manifest, encoding="utf-8") as handle:
        return sorted({epoch_for(parse_recorded_at(json.loads(line)["recorded_at"]))
                       for line in handle if line.strip()})
