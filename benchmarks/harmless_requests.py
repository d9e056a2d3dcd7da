"""Harmless requests: how much the pipeline touches PII-free speech that holds numbers.

Run from the repository root::

    python benchmarks/harmless_requests.py [--work-dir D] [--reuse-output] [--voices LIST]
                                           [--voices-per-request N] [--tag NAME]

1. ``benchmarks/harmless_requests.jsonl`` holds PII-free requests written by hand (clock
   times, scores, years, timers, temperatures, recipes, track and page numbers, sums,
   flights and buses, routes and distances, prices, counts): no names, addresses,
   account, card or phone numbers, e-mails or dates of birth. About half write their
   numbers as words, half as digits; the synthesiser reads them as written.
2. Every request is spoken in ``--voices-per-request`` voices (default 2), taken in turn
   from ``--voices`` (espeak-ng and flite alternately, so each request is heard by both
   synthesisers), 16 kHz mono WAV under ``--work-dir`` (default
   ``/tmp/voicescrub-harmless``) with a manifest made by ``samples/generate.py``'s
   ``manifest_row``.
3. The pipeline runs once over the manifest in a child process with its defaults
   (DirectRunner); ``--reuse-output`` reads a previous run's output instead.
4. Per category and overall: clips written and dead-lettered, clips with anything
   redacted (any entity in ``pii_entities``, ``AUDIT_RESIDUE`` included), requests
   with anything redacted in any voice, the share of the written clips' audio inside a
   redacted interval, the entity types that fired, and which listen found them (the first
   transcript, the audit's second listen of a clip with nothing found, or its re-listen of the
   scrubbed audio).

Targets (the issue's): at most 5 % of PII-free clips with anything redacted, and no
PII-free clip dead-lettered. The corpus holds no PII by construction, so the results
file lists each touched or dead-lettered clip with its sentence and redacted transcript.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.audio_leak import merged, output_rows  # noqa: E402
from benchmarks.results_file import corpus, provenance, shown, write_result  # noqa: E402
from benchmarks.voices import missing_tools, speak  # noqa: E402
from samples.generate import make_accounts, manifest_row, write_jsonl  # noqa: E402

REQUESTS = os.path.join(ROOT, "benchmarks", "harmless_requests.jsonl")
WORK_DIR = os.path.join(tempfile.gettempdir(), "voicescrub-harmless")
RUNNER = "import sys; from voicescrub.pipeline.run import main; sys.exit(main(sys.argv[1:]))"
#: espeak-ng and flite alternately: with two voices per request, each request is heard once
#: from each synthesiser.
VOICES = ("espeak:en-us", "flite:kal", "espeak:en-gb", "flite:slt",
          "espeak:en-us+f2", "flite:awb", "espeak:en-gb+m3", "flite:rms")
ESPEAK_SPEEDS = (150, 160, 170, 180)
SEED = 20261117
TARGET_TOUCHED_SHARE = 0.05
TARGET_DEAD_LETTERED = 0

Interval = Tuple[float, float]


def read_jsonl(path: str) -> List[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def make_corpus(requests: Sequence[dict], voices: Sequence[str], per_request: int,
                work_dir: str) -> List[dict]:
    """Speak every request in ``per_request`` voices taken in turn; write ``clips/``,
    ``manifest.jsonl``, ``clips.jsonl`` (what each clip says, in which voice) and
    ``corpus.json`` under ``work_dir``. Returns the clips."""
    rng = random.Random(SEED)
    accounts = make_accounts(rng, 24)
    os.makedirs(os.path.join(work_dir, "clips"), exist_ok=True)
    clips, manifest = [], []
    for index, request in enumerate(requests):
        for turn in range(per_request):
            voice = voices[(index * per_request + turn) % len(voices)]
            speed = rng.choice(ESPEAK_SPEEDS) if voice.startswith("espeak:") else 0
            uid = f"{request['id']}-v{turn + 1}"
            rel = f"clips/{uid}.wav"
            duration = speak(request["text"], voice, os.path.join(work_dir, rel), speed)
            clips.append({"utterance_id": uid, "id": request["id"], "category": request["category"],
                          "text": request["text"], "voice": voice, "speed": speed or None,
                          "duration_s": round(duration, 3)})
            manifest.append(manifest_row(rng, accounts, uid, rel, "en-US"))
        if (index + 1) % 25 == 0:
            print(f"synthesised {index + 1}/{len(requests)} requests", file=sys.stderr, flush=True)
    write_jsonl(Path(work_dir, "manifest.jsonl"), manifest)
    write_jsonl(Path(work_dir, "clips.jsonl"), clips)
    record = {"generator": "benchmarks/harmless_requests.py", "requests": shown(REQUESTS),
              "synthesisers": sorted({v.split(":", 1)[0] for v in voices}), "voices": list(voices),
              "voices_per_request": per_request, "espeak_speeds": list(ESPEAK_SPEEDS), "seed": SEED}
    with open(os.path.join(work_dir, "corpus.json"), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1)
        handle.write("\n")
    return clips


def run_job(work_dir: str) -> Tuple[int, float]:
    """Run the pipeline with its defaults on the work folder's manifest in a child
    process; return (exit code, wall s). Its log goes to ``pipeline.log``."""
    output = os.path.join(work_dir, "output")
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(os.path.join(work_dir, "keyring"), ignore_errors=True)
    started = time.monotonic()
    with open(os.path.join(work_dir, "pipeline.log"), "w", encoding="utf-8") as log:
        child = subprocess.run(
            [sys.executable, "-c", RUNNER, "--manifest", os.path.join(work_dir, "manifest.jsonl"),
             "--output", output, "--keyring", os.path.join(work_dir, "keyring")],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return child.returncode, time.monotonic() - started


def read_output(work_dir: str) -> Tuple[List[dict], List[dict], List[dict]]:
    """The written utterance rows, the dead letters and the excluded lines."""
    return tuple(output_rows(work_dir, table) for table in ("utterances", "dead_letter", "excluded"))


def redacted_s(row: dict) -> float:
    """Seconds of the clip inside a redacted interval (merged, clamped to the clip)."""
    duration = row["duration_s"]
    spans = [(max(0.0, e["audio_start_s"]), min(duration, e["audio_end_s"])) for e in row["pii_entities"]]
    return sum(end - start for start, end in merged(spans))


def percent(a: float, b: float) -> str:
    return f"{100.0 * a / b:.1f} %" if b else "n/a"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


#: What a recognizer's name says of the listen that found an entity (``second_listen:<name>``,
#: ``audit:<name>``); no prefix: the first transcript.
LISTENS = {"second_listen": "second listen", "audit": "audit re-listen"}


def listens_that_found(entities: Sequence[dict]) -> str:
    """Which listens found a clip's entities: "first transcript", "second listen", "audit
    re-listen", joined with " + " when several did."""
    return " + ".join(sorted({LISTENS.get(e["recognizer"].split(":", 1)[0], "first transcript")
                              if ":" in e["recognizer"] else "first transcript" for e in entities}))


def names_only_touched(entities: Sequence[dict]) -> bool:
    """Whether every entity of a touched clip is a name: in requests without PII these are
    public figures, brands, titles and places the name recognizer took for people, apart from
    the numbers the fail-safe judged."""
    return bool(entities) and all(e["entity_type"] == "PERSON" for e in entities)


def figures(clips: Sequence[dict], written: Dict[str, dict], dead: Dict[str, List[dict]]) -> Dict[str, object]:
    """One group's counts, shares and entity types."""
    requests = {c["id"] for c in clips}
    touched = [c for c in clips if c["utterance_id"] in written and written[c["utterance_id"]]["pii_entities"]]
    dead_clips = [c for c in clips if c["utterance_id"] in dead]
    seconds = sum(written[c["utterance_id"]]["duration_s"] for c in clips if c["utterance_id"] in written)
    silenced = sum(redacted_s(written[c["utterance_id"]]) for c in touched)
    types = Counter(e["entity_type"] for c in touched for e in written[c["utterance_id"]]["pii_entities"])
    reasons = Counter(f"{d['stage']}: {d['error_type']}" for c in dead_clips for d in dead[c["utterance_id"]])
    by_listen = Counter(listens_that_found(written[c["utterance_id"]]["pii_entities"]) for c in touched)
    names_only = [c for c in touched if names_only_touched(written[c["utterance_id"]]["pii_entities"])]
    return {
        "requests": len(requests), "clips": len(clips),
        "written": sum(1 for c in clips if c["utterance_id"] in written),
        "dead_lettered": len(dead_clips), "dead_letters": dict(sorted(reasons.items())),
        "clips_touched": len(touched),
        "clips_touched_share": round(len(touched) / len(clips), 4) if clips else None,
        "clips_touched_by_names_only": len(names_only),
        "clips_touched_share_but_names": round((len(touched) - len(names_only)) / len(clips), 4) if clips else None,
        "requests_touched": len({c["id"] for c in touched}),
        "requests_touched_share": round(len({c["id"] for c in touched}) / len(requests), 4) if requests else None,
        "requests_touched_or_dead_lettered": len({c["id"] for c in touched + dead_clips}),
        "written_s": round(seconds, 2), "silenced_s": round(silenced, 2),
        "silenced_share": round(silenced / seconds, 4) if seconds else None,
        "entity_types": dict(sorted(types.items())),
        "touched_by_listen": dict(sorted(by_listen.items())),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", default=REQUESTS, help="the PII-free requests (JSON Lines: id, category, text)")
    parser.add_argument("--work-dir", default=WORK_DIR, help=f"clips, manifest and pipeline output (default {WORK_DIR})")
    parser.add_argument("--voices", default=",".join(VOICES),
                        help="voices taken in turn, comma-separated espeak:NAME, flite:NAME or festival:NAME "
                             f"(default {','.join(VOICES)})")
    parser.add_argument("--voices-per-request", type=int, default=2, help="clips per request (default 2)")
    parser.add_argument("--reuse-output", action="store_true",
                        help="read the work folder's previous clips and pipeline output instead of making them")
    parser.add_argument("--tag", default="", help="write results/harmless_requests_TAG.json instead")
    args = parser.parse_args(argv)
    result: Dict[str, object] = provenance("harmless_requests.py", list(sys.argv[1:] if argv is None else argv))
    work_dir = os.path.abspath(args.work_dir)
    voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    requests = read_jsonl(args.requests)

    synth_s: Optional[float] = None
    pipeline_s: Optional[float] = None
    exit_code: Optional[int] = None
    reuse = args.reuse_output and os.path.isdir(os.path.join(work_dir, "output"))
    if reuse:
        clips = read_jsonl(os.path.join(work_dir, "clips.jsonl"))
    else:
        try:
            missing = missing_tools(voices)
        except ValueError as err:
            parser.error(str(err))
        if missing:
            print(f"synthesiser not found: apt-get install {' '.join(missing)}", file=sys.stderr)
            return 2
        shutil.rmtree(work_dir, ignore_errors=True)
        started = time.monotonic()
        clips = make_corpus(requests, voices, args.voices_per_request, work_dir)
        synth_s = time.monotonic() - started
        print(f"synthesised {len(clips)} clips in {synth_s:.0f} s; running the pipeline", file=sys.stderr, flush=True)
        exit_code, pipeline_s = run_job(work_dir)
        if exit_code != 0:
            print(f"pipeline exited {exit_code}: see {os.path.join(work_dir, 'pipeline.log')}", file=sys.stderr)
    rows, dead_rows, excluded = read_output(work_dir)
    written = {row["utterance_id"]: row for row in rows}
    dead: Dict[str, List[dict]] = defaultdict(list)
    for d in dead_rows:
        dead[d["utterance_id"]].append(d)

    categories = sorted({c["category"] for c in clips}, key=[r["category"] for r in requests].index)
    per_category = {cat: figures([c for c in clips if c["category"] == cat], written, dead) for cat in categories}
    overall = figures(clips, written, dead)
    per_voice = {v: figures([c for c in clips if c["voice"] == v], written, dead)
                 for v in sorted({c["voice"] for c in clips})}
    unaccounted = sum(1 for c in clips if c["utterance_id"] not in written and c["utterance_id"] not in dead)

    def line(name: str, f: Dict[str, object]) -> List[str]:
        return [name, str(f["requests"]), str(f["clips"]), str(f["written"]),
                str(f["dead_lettered"]) + (f" ({', '.join(f'{k} x{v}' for k, v in f['dead_letters'].items())})"
                                           if f["dead_letters"] else ""),
                f"{f['clips_touched']} ({percent(f['clips_touched'], f['clips'])})",
                f"{f['requests_touched']} ({percent(f['requests_touched'], f['requests'])})",
                percent(f["silenced_s"], f["written_s"]),
                ", ".join(f"{k} x{v}" for k, v in f["entity_types"].items()) or "-"]

    header = ["category", "requests", "clips", "written", "dead-lettered (target 0)",
              "clips touched (target <= 5 %)", "requests touched in any voice", "audio silenced",
              "entity types"]
    print("## Harmless requests: PII-free speech with numbers\n")
    print(table(header, [line(cat, per_category[cat]) for cat in categories] + [line("**all**", overall)]))
    print()
    keep = [0, 2, 3, 4, 5, 7, 8]  # a voice speaks each request once: no requests column
    print(table([(["voice"] + header[1:])[i] for i in keep],
                [[line(v, f)[i] for i in keep] for v, f in per_voice.items()]))

    listed = []
    for c in clips:
        row = written.get(c["utterance_id"])
        if c["utterance_id"] in dead:
            listed.append(dict(c, outcome="dead_lettered",
                               dead_letters=[f"{d['stage']}: {d['error_type']}" for d in dead[c["utterance_id"]]]))
        elif row is not None and row["pii_entities"]:
            listed.append(dict(c, outcome="touched",
                               entity_types=[e["entity_type"] for e in row["pii_entities"]],
                               recognizers=[e["recognizer"] for e in row["pii_entities"]],
                               redacted_s=round(redacted_s(row), 2),
                               transcript_redacted=row["transcript_redacted"]))
    if listed:
        print()
        print(table(["clip", "voice", "outcome", "what fired", "sentence", "redacted transcript"],
                    [[c["utterance_id"], c["voice"], c["outcome"],
                      ", ".join(c.get("entity_types") or c.get("dead_letters") or []),
                      c["text"], c.get("transcript_redacted", "")] for c in listed]))
    print()
    if pipeline_s is not None:
        print(f"Synthesis {synth_s:.0f} s, pipeline {pipeline_s:.0f} s (exit {exit_code}) "
              f"for {len(clips)} clips on this machine.")
    met = (overall["clips_touched_share"] is not None and overall["clips_touched_share"] <= TARGET_TOUCHED_SHARE
           and overall["dead_lettered"] <= TARGET_DEAD_LETTERED)
    print(f"Clips touched by names only: {overall['clips_touched_by_names_only']}; "
          f"clips touched by anything else: {percent(overall['clips_touched'] - overall['clips_touched_by_names_only'], overall['clips'])}.")
    print(f"Targets (clips touched <= {TARGET_TOUCHED_SHARE:.0%}, dead-lettered {TARGET_DEAD_LETTERED}): "
          f"{'met' if met else 'NOT met'}.")
    result.update(
        corpus=dict(corpus(os.path.join(work_dir, "manifest.jsonl"), len(clips)), requests_file=shown(args.requests)),
        voices=sorted({c["voice"] for c in clips}), voices_per_request=args.voices_per_request,
        pipeline_exit=exit_code, synthesis_wall_s=None if synth_s is None else round(synth_s, 1),
        pipeline_wall_s=None if pipeline_s is None else round(pipeline_s, 1),
        targets={"clips_touched_share_at_most": TARGET_TOUCHED_SHARE, "dead_lettered_at_most": TARGET_DEAD_LETTERED,
                 "met": met},
        overall=overall, per_category=per_category, per_voice=per_voice,
        excluded=len(excluded), unaccounted=unaccounted, clips_listed=listed)
    name = f"harmless_requests{'_' + args.tag if args.tag else ''}.json"
    print(f"\nwritten: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
