"""Throughput benchmark: the voicescrub pipeline against a naive clip-by-clip glue script.

Run from the repository root (outside CI; a few minutes on 2 cores)::

    python benchmarks/throughput.py                       # 1x corpus, naive + pipeline + quality
    python benchmarks/throughput.py --scales 1,2,4 --naive-scales 1   # linearity
    python benchmarks/throughput.py --pipeline-args="--no-audit"     # any pipeline flags (note the =)

The corpus is the committed evaluation clips (``samples/eval``, 205 clips, ~15.5 min of
speech), repeated ``scale`` times under new utterance IDs. In one invocation it runs,
each side in its own child process (so peak RSS is that side's own):

(a) *naive reference*: one process, faster-whisper with the same model at library
    defaults (beam 5, word timestamps, temperature fallback), then out-of-the-box
    Presidio analyze + anonymize, clip by clip;
(b) *pipeline*: ``voicescrub.pipeline.build.build_pipeline`` with its defaults on DirectRunner
    (extra flags with ``--pipeline-args``).

and prints wall times, their ratio, audio seconds per wall second, per-stage time
(Beam counters ``<stage>_ms``), peak RSS and model-load counts, and writes every
figure to ``benchmarks/results/throughput[_TAG].json``. Quality (at 1x,
unless ``--no-quality``) scores the transcripts: word error rate against the
corpus's known text and leak rate (``benchmarks/detection.py``'s ``evaluate``),
clip by clip (naive) vs the pipeline's transcription with its settings and with
``--no-asr-pack``. Only aggregates are printed, never a transcript or a value.

WER normalisation: both sides go through our spoken-form normaliser
(``voicescrub.transforms.pii.spoken_normaliser``: "fifty five" -> "55"), are lower-cased,
digit separators (``4,111``, ``10:30``) dropped, punctuation removed, and every
digit counts as one word (so "5521" vs "55 21" is no error, one wrong digit is one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import corpus, provenance, write_result  # noqa: E402

EVAL_DIR = os.path.join(ROOT, "samples", "eval")
STAGES = ("read_audio", "decode", "transcribe", "detect", "redact_text", "redact_audio", "audit",
          "pseudonymise")


# ------------------------------------------------------------------ corpus


def load_rows(path: str) -> List[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build_corpus(folder: str, scale: int, corpus_dir: str = EVAL_DIR) -> str:
    """Write a manifest of ``corpus_dir``'s clips (the eval clips by default) repeated
    ``scale`` times, audio paths absolute; returns its path."""
    entries = load_rows(os.path.join(corpus_dir, "manifest.jsonl"))
    path = os.path.join(folder, f"manifest_x{scale}.jsonl")
    with open(path, "w", encoding="utf-8") as handle:
        for copy in range(scale):
            for entry in entries:
                row = dict(entry)
                row["utterance_id"] = f"{entry['utterance_id']}_{copy}"
                row["audio_uri"] = os.path.join(corpus_dir, entry["audio_uri"])
                handle.write(json.dumps(row) + "\n")
    return path


def cpu_s() -> float:
    """CPU seconds (user + system) this process has used so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, MB (Linux KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


# ------------------------------------------------------------------- sides


def run_naive(manifest: str, transcripts_out: Optional[str]) -> Dict[str, Any]:
    """The glue script: Whisper at library defaults, then Presidio, one clip at a time."""
    from faster_whisper import WhisperModel, decode_audio
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine
    from voicescrub.transforms.asr.whisper import (
        BUNDLED_MODEL,
        build_transcript,
        resolve_model_path,
    )
    from voicescrub.transforms.pii.config import load_pii_config

    entries = load_rows(manifest)
    started, cpu_at_start = time.perf_counter(), cpu_s()
    model = WhisperModel(resolve_model_path(BUNDLED_MODEL), device="cpu", compute_type="int8",
                         local_files_only=True)
    spacy_model = load_pii_config(None).spacy_model
    engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": spacy_model}]}).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    loaded = time.perf_counter()
    asr_s = presidio_s = audio_s = 0.0
    texts: Dict[str, str] = {}
    for entry in entries:
        t0 = time.perf_counter()
        audio = decode_audio(entry["audio_uri"], sampling_rate=16000)
        audio_s += len(audio) / 16000
        segments, _ = model.transcribe(audio, beam_size=5, word_timestamps=True)
        # Assembled as the pipeline assembles a clip's text, so only decoding differs.
        text = build_transcript(list(segments), "en").text
        t1 = time.perf_counter()
        results = analyzer.analyze(text=text, language="en")
        anonymizer.anonymize(text=text, analyzer_results=results)
        presidio_s += time.perf_counter() - t1
        asr_s += t1 - t0
        texts[entry["utterance_id"]] = text
    wall = time.perf_counter() - started
    if transcripts_out:
        with open(transcripts_out, "w", encoding="utf-8") as handle:
            json.dump(texts, handle)
    return {"wall_s": wall, "load_s": loaded - started, "audio_s": audio_s,
            "stages_ms": {"decode+transcribe": asr_s * 1000, "presidio": presidio_s * 1000},
            "model_loads": 1, "peak_rss_mb": peak_rss_mb(), "cpu_s": cpu_s() - cpu_at_start, "clips": len(entries)}


def _time_stages() -> None:
    """Benchmark-only instrumentation: a ``<stage>_ms`` counter around every clip stage.

    Counts only where stages run in this process (DirectRunner's default mode).
    """
    from apache_beam.metrics import Metrics
    from voicescrub.transforms.runtime.clip_stage import METRICS_NAMESPACE, ClipStageFn

    original = ClipStageFn.process

    def timed(self, clip, *side_inputs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        outputs = list(original(self, clip, *side_inputs))
        Metrics.counter(METRICS_NAMESPACE, f"{self.stage}_ms").inc(
            int((time.perf_counter() - started) * 1000))
        return outputs

    ClipStageFn.process = timed


def run_pipeline(manifest: str, extra_args: Sequence[str]) -> Dict[str, Any]:
    """The pipeline with its defaults on DirectRunner; counters from Beam metrics."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions
    from voicescrub.pipeline.build import build_pipeline
    from voicescrub.pipeline.options import parse_job_args, run_tag_for
    from voicescrub.pipeline.summary import summarise

    _time_stages()
    out = tempfile.mkdtemp(prefix="vs_bench_out_")
    argv = ["--manifest", manifest, "--output", os.path.join(out, "out"),
            "--keyring", os.path.join(out, "keys")] + list(extra_args)
    config, beam_args = parse_job_args(argv)
    options = PipelineOptions(beam_args)
    options.view_as(SetupOptions).save_main_session = False
    started, cpu_at_start = time.perf_counter(), cpu_s()
    p = beam.Pipeline(options=options)
    build_pipeline(p, config, run_tag_for([manifest]))
    result = p.run()
    result.wait_until_finish()
    wall = time.perf_counter() - started
    counters = {r.key.metric.name: r.committed for r in result.metrics().query()["counters"]}
    summary = summarise(config.output, run_tag_for([manifest]), [manifest], wall)
    return {"wall_s": wall, "audio_s": counters.get("audio_ms_decoded", 0) / 1000.0,
            "stages_ms": {s: counters[f"{s}_ms"] for s in STAGES if f"{s}_ms" in counters},
            "model_loads": {k: v for k, v in counters.items() if "load" in k},
            "routes": {k[len("transcribe_route_"):]: v for k, v in counters.items()
                       if k.startswith("transcribe_route_")},
            "audit_routes": {k[len("audit_route_"):]: v for k, v in counters.items()
                             if k.startswith("audit_route_")},
            "accounted": bool(summary.all_accounted_for), "peak_rss_mb": peak_rss_mb(),
            "cpu_s": cpu_s() - cpu_at_start,
            "asr": {"beam_size": config.asr.beam_size, "cpu_threads": config.asr.cpu_threads,
                    "pack": config.asr.pack, "window_batch_size": config.asr.window_batch_size}}


def child(side: str, manifest: str, extra: Sequence[str], transcripts_out: Optional[str]) -> Dict[str, Any]:
    """Run one side in a fresh Python process; returns its JSON report."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", side, "--manifest", manifest]
    if transcripts_out:
        cmd += ["--transcripts-out", transcripts_out]
    if extra:
        cmd += ["--pipeline-args=" + " ".join(extra)]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------- quality


def wer_tokens(text: str) -> List[str]:
    """Normalised words for WER (see the module docstring)."""
    from voicescrub.transforms.pii.spoken_normaliser import normalise

    from benchmarks.detection import READER_FORMS

    lowered = normalise(text, READER_FORMS).text.lower()
    lowered = re.sub(r"(?<=\d)[,:.](?=\d)", "", lowered)
    return [t.strip("'") for t in re.findall(r"[a-z']+|\d", lowered) if t.strip("'")]


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        diagonal, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            above = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, diagonal + (ref[i - 1] != hyp[j - 1]))
            diagonal = above
    return row[-1]


def pipeline_transcripts(rows: Sequence[dict], extra: Sequence[str]) -> Dict[str, Any]:
    """Transcribe the corpus the way the pipeline's Transcribe stage does (same settings,
    same batches of ``DEFAULT_CLIPS_PER_BATCH`` clips in manifest order).

    ``foreign_words``: words (4+ letters) not in a clip's true text but in another
    clip's of the same batch, the signature of a word split into the wrong clip."""
    from voicescrub.pipeline.options import parse_job_args
    from voicescrub.transforms.asr.whisper import load_model_for, transcribe_batch
    from voicescrub.transforms.audio.codec import decode_to_pcm16
    from voicescrub.transforms.runtime.clip_stage import DEFAULT_CLIPS_PER_BATCH

    config = parse_job_args(["--manifest", "x", "--output", "y", "--keyring", "z"] + list(extra))[0]
    model = load_model_for(config.asr)
    pcms = []
    for row in rows:
        with open(os.path.join(EVAL_DIR, row["audio"]), "rb") as handle:
            pcms.append(decode_to_pcm16(handle.read(), max_duration_s=600.0))
    texts: Dict[str, str] = {}
    foreign = 0
    routes: Dict[str, int] = {}
    for first in range(0, len(rows), DEFAULT_CLIPS_PER_BATCH):
        batch_rows = rows[first:first + DEFAULT_CLIPS_PER_BATCH]
        outcomes = transcribe_batch(model, pcms[first:first + DEFAULT_CLIPS_PER_BATCH], config.asr)
        batch_words = [set(wer_tokens(r["text"])) for r in batch_rows]
        for index, (row, outcome) in enumerate(zip(batch_rows, outcomes)):
            routes[outcome.route] = routes.get(outcome.route, 0) + 1
            text = outcome.transcript.text if outcome.transcript is not None else ""
            texts[row["utterance_id"]] = text
            # A word (4+ letters) that is not in this clip's true text but is in
            # another clip's of the same batch: the signature of a misattributed word.
            others = set().union(*(w for k, w in enumerate(batch_words) if k != index))
            foreign += sum(1 for t in wer_tokens(text)
                           if len(t) >= 4 and t not in batch_words[index] and t in others)
    return {"texts": texts, "foreign_words": foreign, "routes": routes}


def quality(rows: Sequence[dict], naive_texts: Dict[str, str],
            variants: Sequence[Tuple[str, Dict[str, Any]]]) -> Tuple[List[List[str]], List[Dict[str, Any]]]:
    """WER and leak rows: clip by clip (naive) and each of the pipeline's transcription
    variants; the table's rows and the same figures as numbers."""
    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.pii.detector import PiiDetector

    from benchmarks.detection import evaluate

    config = load_pii_config(None)
    detector = PiiDetector(config)
    table_rows, figures = [], []
    words = sum(len(wer_tokens(r["text"])) for r in rows)
    for name, texts, foreign in [("clip by clip, faster-whisper defaults (naive)", naive_texts, "-")] + [
            (label, v["texts"], str(v["foreign_words"])) for label, v in variants]:
        errors = sum(edit_distance(wer_tokens(r["text"]), wer_tokens(texts[r["utterance_id"]])) for r in rows)
        totals, _, _ = evaluate(detector, rows, texts, config.critical_entities)
        table_rows.append([
            name, f"{errors / words:.4f} ({errors}/{words})",
            f"{totals.leaked / max(totals.audible, 1):.4f} ({totals.leaked}/{totals.audible})",
            f"{totals.critical_leaked}/{totals.critical_audible}", foreign,
        ])
        figures.append({"transcripts": name, "wer": round(errors / words, 4), "word_errors": errors,
                        "words": words, "leak_rate": round(totals.leaked / max(totals.audible, 1), 4),
                        "leaked": totals.leaked, "audible": totals.audible,
                        "critical_leaked": totals.critical_leaked,
                        "critical_audible": totals.critical_audible,
                        "foreign_words": None if foreign == "-" else int(foreign)})
    return table_rows, figures


# ------------------------------------------------------------------ report


def machine() -> str:
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        mem_gb = int(handle.readline().split()[1]) / 1024 / 1024
    load = os.getloadavg()[0]
    return (f"nproc {os.cpu_count()}, {model}, {mem_gb:.0f} GB RAM, Python {platform.python_version()}, "
            f"load average at start {load:.1f}")


def busy(side: Dict[str, Any]) -> str:
    """CPU seconds of a side and how many cores that kept busy on average."""
    return f"{side['cpu_s']:.0f} ({side['cpu_s'] / side['wall_s']:.2f})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1", help="corpus sizes, e.g. 1,2,4 (default 1)")
    parser.add_argument("--naive-scales", default="1", help="scales that also run the naive side")
    parser.add_argument("--no-quality", action="store_true", help="skip WER / leak scoring")
    parser.add_argument("--pipeline-args", default="", help="extra pipeline flags, space separated")
    parser.add_argument("--tag", default="", help="write results/throughput_TAG.json instead of throughput.json")
    parser.add_argument("--child", choices=("naive", "pipeline"), help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    parser.add_argument("--transcripts-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    extra = args.pipeline_args.split()
    if args.child == "naive":
        print(json.dumps(run_naive(args.manifest, args.transcripts_out)))
        return 0
    if args.child == "pipeline":
        import logging
        logging.disable(logging.WARNING)
        print(json.dumps(run_pipeline(args.manifest, extra)))
        return 0

    result: Dict[str, Any] = provenance("throughput.py", list(sys.argv[1:] if argv is None else argv))
    result["corpus"] = corpus(os.path.join(EVAL_DIR, "manifest.jsonl"),
                              len(load_rows(os.path.join(EVAL_DIR, "manifest.jsonl"))))
    result["runs"] = []
    print(f"machine: {machine()}\n")
    folder = tempfile.mkdtemp(prefix="vs_bench_")
    scales = [int(s) for s in args.scales.split(",")]
    naive_scales = {int(s) for s in args.naive_scales.split(",") if s}
    speed_rows, stage_rows = [], []
    naive_texts_path = os.path.join(folder, "naive_texts.json")
    for scale in scales:
        manifest = build_corpus(folder, scale)
        naive = None
        if scale in naive_scales:
            naive = child("naive", manifest, [], naive_texts_path if scale == 1 else None)
        pipe = child("pipeline", manifest, extra, None)
        audio = pipe["audio_s"]
        ratio = f"{pipe['wall_s'] / naive['wall_s']:.3f}" if naive else "-"
        result["runs"].append({"scale": scale, "naive": naive, "pipeline": pipe,
                               "pipeline_wall_over_naive": round(pipe["wall_s"] / naive["wall_s"], 3)
                               if naive else None})
        if naive:
            speed_rows.append([f"{scale}x", "naive", naive["clips"], f"{naive['audio_s']:.0f}",
                               f"{naive['wall_s']:.1f}", f"{naive['audio_s'] / naive['wall_s']:.1f}",
                               busy(naive), f"{naive['peak_rss_mb']:.0f}", "whisper 1, presidio 1", "1.000"])
            stage_rows.append([f"{scale}x naive"] + [f"{k} {v / 1000:.1f}s" for k, v in naive["stages_ms"].items()])
        loads = ", ".join(f"{k} {v}" for k, v in sorted(pipe["model_loads"].items()))
        speed_rows.append([f"{scale}x", "pipeline", 205 * scale, f"{audio:.0f}", f"{pipe['wall_s']:.1f}",
                           f"{audio / pipe['wall_s']:.1f}", busy(pipe), f"{pipe['peak_rss_mb']:.0f}", loads, ratio])
        total_ms = pipe["wall_s"] * 1000
        stage_rows.append([f"{scale}x pipeline"] + [f"{k} {v / 1000:.1f}s ({v / total_ms:.0%})"
                                                    for k, v in pipe["stages_ms"].items()]
                          + [f"routes {pipe['routes']}", f"audit routes {pipe['audit_routes']}",
                             f"asr {pipe['asr']}", f"accounted {pipe['accounted']}"])
        print(f"done {scale}x", file=sys.stderr, flush=True)
    print(table(["corpus", "side", "clips", "audio s", "wall s", "audio s / wall s", "CPU s (cores busy)",
                 "peak RSS MB", "model loads", "wall / naive"], speed_rows))
    print("\nPer-stage time (Beam counters `<stage>_ms`; stage time summed over clips, % of wall):\n")
    for row in stage_rows:
        print("- " + "; ".join(str(c) for c in row))
    if not args.no_quality and os.path.exists(naive_texts_path):
        import logging
        logging.disable(logging.WARNING)  # Presidio warns per call about unmapped entities
        rows = load_rows(os.path.join(EVAL_DIR, "labels.jsonl"))
        with open(naive_texts_path, encoding="utf-8") as handle:
            by_copy = json.load(handle)
        naive_texts = {r["utterance_id"]: by_copy[r["utterance_id"] + "_0"] for r in rows}
        variants = [("pipeline, its settings", pipeline_transcripts(rows, extra)),
                    ("pipeline, --no-asr-pack", pipeline_transcripts(rows, extra + ["--no-asr-pack"]))]
        print(f"\nQuality on samples/eval ({len(rows)} clips; routes: "
              + "; ".join(f"{label} {v['routes']}" for label, v in variants) + "):\n")
        quality_rows, figures = quality(rows, naive_texts, variants)
        print(table(["transcripts", "WER", "leak rate (leaked/audible)", "banking+gov leaked/audible",
                     "foreign words"], quality_rows))
        for (_, variant), row in zip(variants, figures[1:]):
            row["routes"] = variant["routes"]
        result["quality"] = figures
    name = f"throughput{'_' + args.tag if args.tag else ''}.json"
    print(f"\nwritten: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
