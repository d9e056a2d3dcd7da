"""Where a benchmark's figures go: one JSON file under ``benchmarks/results/``.

Every file says when, at which commit, with which command and on what machine its
figures were measured, so a figure quoted in the README can be traced to its run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from typing import Dict, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def _commit(folder: str) -> str:
    """The checkout's short commit, with ``+uncommitted`` when tracked files changed."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=folder, check=True,
                                capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                    cwd=folder, capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+uncommitted" if dirty else "")


def _pipeline_code() -> str:
    """The folder the ``voicescrub`` package is imported from (a run may measure another
    checkout's pipeline, through ``PYTHONPATH``)."""
    import voicescrub.transforms

    return os.path.dirname(os.path.dirname(os.path.realpath(voicescrub.transforms.__file__)))


def provenance(script: str, argv: Sequence[str]) -> Dict[str, object]:
    """When, where and how a run measured: ``script`` is the benchmark's file name. A run of
    another checkout's pipeline also names that checkout's commit (``pipeline_commit``)."""
    code = _pipeline_code()
    other = {} if code == os.path.realpath(ROOT) else {"pipeline_commit": _commit(code)}
    return {
        **other,
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": _commit(ROOT),
        "command": " ".join(["python", f"benchmarks/{script}", *argv]),
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version(),
                    # Other work on the machine slows every timed figure of the run.
                    "load_average_1min": round(os.getloadavg()[0], 2)},
    }


def write_result(name: str, result: Dict[str, object]) -> str:
    """Write ``result`` to ``benchmarks/results/<name>``; return the path."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write("\n")
    return path


#: A file a corpus folder may hold that records how the corpus was made (generator,
#: seed, voices); copied into every result measured on that corpus.
CORPUS_RECORD = "corpus.json"


def shown(path: str) -> str:
    """``path`` relative to the repository when inside it, else absolute."""
    absolute = os.path.abspath(path)
    return os.path.relpath(absolute, ROOT) if absolute.startswith(ROOT + os.sep) else absolute


def corpus(path: str, clips: int) -> Dict[str, object]:
    """The corpus a run measured: ``path`` (its manifest or labels file), its clip count
    and, when its folder has one, the record of how it was made (``CORPUS_RECORD``)."""
    absolute = os.path.abspath(path)
    described: Dict[str, object] = {"path": shown(path), "clips": clips}
    record = os.path.join(os.path.dirname(absolute), CORPUS_RECORD)
    if os.path.exists(record):
        with open(record, encoding="utf-8") as handle:
            described["generated"] = json.load(handle)
    return described
