"""Clips per batch call: the pipeline's wall time, CPU time and Whisper windows at several sizes.

Run from the repository root (outside CI; about a minute and a half per size on 2 cores)::

    python benchmarks/clips_per_batch.py                          # 48,96,128 on samples/eval
    python benchmarks/clips_per_batch.py --sizes 64,96 --corpus /tmp/new/eval --tag new

The transcribe stage and the audit each take ``DEFAULT_CLIPS_PER_BATCH`` clips per call
(``transforms/runtime/clip_stage.py``). Every call ends with a part-filled window, a second
packing of its ambiguous clips and windows of their own for the clips that fail twice, so
the size decides how many 30 s encoder passes a corpus costs. Each size runs in its own child
process (the constant is set before the stages are imported), with every other default on,
on the corpus's clips in manifest order. Printed and written to
``benchmarks/results/clips_per_batch[_TAG].json``: wall and CPU seconds, peak RSS, encoder
windows (first pass and audit together), first-pass routes and the ratio of each size's wall
and CPU time to the first size's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from typing import Any, Dict, List, Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import corpus, provenance, shown, write_result  # noqa: E402
from benchmarks.throughput import build_corpus, load_rows, run_pipeline, table  # noqa: E402

DEFAULT_CORPUS = os.path.join(ROOT, "samples", "eval")


def _count_encoder_windows() -> Dict[str, int]:
    """Count every window the Whisper encoder runs on (each a full 30 s pass), from here on."""
    import faster_whisper

    counts = {"windows": 0}
    lock = threading.Lock()
    load = faster_whisper.WhisperModel.__init__

    class Counted:
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> Any:
            attribute = getattr(self._inner, name)
            if name != "encode":
                return attribute

            def encode(features: Any, *args: Any, **kwargs: Any) -> Any:
                with lock:
                    counts["windows"] += int(features.shape[0])
                return attribute(features, *args, **kwargs)
            return encode

    def counted_load(model: Any, *args: Any, **kwargs: Any) -> None:
        load(model, *args, **kwargs)
        model.model = Counted(model.model)

    faster_whisper.WhisperModel.__init__ = counted_load
    return counts


def run_child(size: int, manifest: str) -> Dict[str, Any]:
    """One pipeline run with ``size`` clips per batch call (in this process)."""
    import logging

    from voicescrub.transforms.runtime import clip_stage

    logging.disable(logging.WARNING)
    clip_stage.DEFAULT_CLIPS_PER_BATCH = size  # before the stages bind it as their default
    counts = _count_encoder_windows()
    report = run_pipeline(manifest, [])
    report["encoder_windows"] = counts["windows"]
    report["clips_per_batch"] = size
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="48,96,128", help="clips per batch call, comma separated")
    parser.add_argument("--corpus", default=DEFAULT_CORPUS,
                        help="a folder with manifest.jsonl and its clips (default samples/eval)")
    parser.add_argument("--tag", default="", help="write clips_per_batch_TAG.json")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.manifest)))
        return 0
    manifest = build_corpus(tempfile.mkdtemp(prefix="vs_cpb_"), 1, os.path.abspath(args.corpus))
    clips = len(load_rows(manifest))
    result: Dict[str, Any] = provenance("clips_per_batch.py", list(sys.argv[1:] if argv is None else argv))
    result["corpus"] = corpus(os.path.join(os.path.abspath(args.corpus), "manifest.jsonl"), clips)
    runs: List[Dict[str, Any]] = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        done = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", str(size),
                               "--manifest", manifest], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"done {size}", file=sys.stderr, flush=True)
    first = runs[0]
    print(f"corpus: {shown(result['corpus']['path'])} ({clips} clips)\n")
    rows = []
    for run in runs:
        run["wall_over_first"] = round(run["wall_s"] / first["wall_s"], 3)
        run["cpu_over_first"] = round(run["cpu_s"] / first["cpu_s"], 3)
        routes = ", ".join(f"{k} {v}" for k, v in sorted(run["routes"].items()))
        rows.append([run["clips_per_batch"], f"{run['wall_s']:.1f}", f"{run['cpu_s']:.1f}",
                     f"{run['peak_rss_mb']:.0f}", run["encoder_windows"], routes,
                     f"{run['wall_over_first']:.3f}", f"{run['cpu_over_first']:.3f}"])
    print(table(["clips per batch", "wall s", "CPU s", "peak RSS MB", "encoder windows",
                 "first-pass routes", "wall / first size", "CPU / first size"], rows))
    result["runs"] = runs
    name = f"clips_per_batch{'_' + args.tag if args.tag else ''}.json"
    print(f"\nwritten: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
