"""Large inputs: peak memory and time for a 10-minute clip and a 100k-line manifest.

    python benchmarks/long_clip.py                      # both checks
    python benchmarks/long_clip.py --only clip          # the 10-minute clip only
    python benchmarks/long_clip.py --only clip --lengths 60,300,598   # peak RSS by length
    python benchmarks/long_clip.py --only manifest --lines 100000

Each run also writes ``benchmarks/results/long_clip.json`` (machine, commit, command
and every figure).

* Long clip: the evaluation corpus's clips end to end (distinct sentences), 16 kHz
  mono, cut to just under 10 minutes (598 s; ``--max-duration-s`` defaults to
  600), as a one-line manifest. Whisper decodes it window by window (30 s
  windows, faster-whisper's seek loop), so the transcript should cover all of it,
  not only the first 30 s. A run on one short clip gives the baseline.
* Big manifest: N lines whose audio files do not exist, so every line is
  dead-lettered at read_audio: this measures the manifest, fan-out, dead-letter
  and Parquet paths at scale without the cost of ASR.

Each run is a separate process (the in-process DirectRunner, defaults
otherwise); its peak RSS comes from ``os.wait4`` (the child's own ru_maxrss,
which includes nothing of this script), its wall time from the clock.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from benchmarks.results_file import provenance, write_result  # noqa: E402

SAMPLES = os.path.join(REPO, "samples")
EVAL = os.path.join(SAMPLES, "eval")
TARGET_S = 598.0  # the default long clip: just under --max-duration-s's default of 600
RUNNER = "import sys; from voicescrub.pipeline.run import main; sys.exit(main(sys.argv[1:]))"


def run_job(args, log_path):
    """Run the pipeline in a child process; return (exit code, peak RSS MiB, wall s)."""
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen([sys.executable, "-c", RUNNER, *args], cwd=REPO,
                                 stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_maxrss / 1024.0, time.monotonic() - started


def manifest_line(uid, audio_uri, recorded_at="2026-11-04T07:48:13Z"):
    return json.dumps({"utterance_id": uid, "account_id": "acct-0000-0001", "device_id": "dev-SN-BENCH1",
                       "recorded_at": recorded_at, "audio_uri": audio_uri, "locale": "en-US"})


def make_long_clip(folder, target_s, source):
    """The clips of the corpus in ``source`` end to end, 16 kHz mono, cut at ``target_s``;
    returns (path, seconds of distinct speech available, ids of the clips wholly inside).
    Distinct sentences, not one passage repeated: a transcript that repeats itself is
    refused as a decoding loop."""
    import wave

    import numpy as np
    from voicescrub.transforms.audio.codec import decode_to_pcm16

    with open(os.path.join(source, "manifest.jsonl"), encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle if line.strip()]
    pieces, total, inside = [], 0, []
    for line in lines:
        with open(os.path.join(source, line["audio_uri"]), "rb") as clip:
            pieces.append(decode_to_pcm16(clip.read(), max_duration_s=60.0))
        total += len(pieces[-1])
        if total <= target_s * 16000:
            inside.append(line["utterance_id"])
    available_s = total / 16000
    if target_s > available_s:
        raise SystemExit(f"the evaluation corpus holds {available_s:.0f} s of speech: "
                         f"a clip of {target_s:.0f} s would repeat it")
    pcm = np.concatenate(pieces)[:int(target_s * 16000)]
    long_path = os.path.join(folder, f"long-{target_s:.0f}.wav")
    with wave.open(long_path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm.astype("<i2").tobytes())
    return long_path, available_s, inside


def values_readable(output, labels, inside):
    """(labelled PII values of the clips wholly inside the long clip, how many of them a reader
    can recover from the written transcript). An upper bound: in a transcript of minutes, a
    value's digits may also match other numbers said near each other."""
    from benchmarks.detection import evidence

    texts = []
    for root, _, files in os.walk(os.path.join(output, "utterances")):
        texts += [text for name in files if name.startswith("part-")
                  for text in pq.read_table(os.path.join(root, name),
                                            columns=["transcript_redacted"]).column(0).to_pylist()]
    values = [(pii["entity_type"], pii["value"]) for uid in inside for pii in labels[uid]]
    readable = sum(any(evidence(kind, value, text) is not None for text in texts)
                   for kind, value in values)
    return len(values), readable


def plain_text(markdown):
    """The sentences of a Markdown page, without code, tables, links or markup."""
    import re

    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(("|", "#", "    "))]
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", " ".join(lines))
    return " ".join(re.sub(r"[`*_<>|]", " ", text).split())


def make_prose_clip(folder, target_s, text_paths, start_s=0.0):
    """Long-form speech: the prose of ``text_paths`` read aloud by espeak-ng, ``target_s``
    of it from ``start_s``; returns (path, seconds of distinct speech available). A clip of
    dictated requests end to end often decodes as a loop somewhere and is dead-lettered
    at transcription; continuous prose lets a long clip go through every stage."""
    import wave

    from voicescrub.transforms.audio.codec import decode_to_pcm16

    if shutil.which("espeak-ng") is None:
        raise SystemExit("--prose needs espeak-ng: apt-get install espeak-ng")
    text = " ".join(plain_text(open(path, encoding="utf-8").read()) for path in text_paths)
    spoken = os.path.join(folder, "prose-22k.wav")
    if not os.path.exists(spoken):
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", spoken, text], check=True)
    with open(spoken, "rb") as handle:
        pcm = decode_to_pcm16(handle.read(), max_duration_s=1e6)
    available_s = len(pcm) / 16000 - start_s
    if target_s > available_s:
        raise SystemExit(f"the prose holds {available_s:.0f} s of speech after {start_s:.0f} s, "
                         f"less than {target_s:.0f} s")
    pcm = pcm[int(start_s * 16000):]
    long_path = os.path.join(folder, f"prose-{target_s:.0f}.wav")
    with wave.open(long_path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm[:int(target_s * 16000)].astype("<i2").tobytes())
    return long_path, available_s


def dead_letters(output):
    """(stage, error_type, error_message) of every dead-lettered line."""
    found = []
    folder = os.path.join(output, "dead_letter")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.startswith("part-"):
            table = pq.read_table(os.path.join(folder, name), columns=["stage", "error_type", "error_message"])
            found += [tuple(r.values()) for r in table.to_pylist()]
    return found


def transcript_chars(output):
    total, duration = 0, 0.0
    for root, _, files in os.walk(os.path.join(output, "utterances")):
        for name in files:
            if name.startswith("part-"):
                table = pq.read_table(os.path.join(root, name), columns=["transcript_redacted", "duration_s"])
                total += sum(len(t) for t in table.column("transcript_redacted").to_pylist())
                duration += sum(table.column("duration_s").to_pylist())
    return total, duration


def clip_check(work, lengths, prose=(), start_s=0.0, source=EVAL):
    """The pipeline on one short clip, then on one clip of each length; a row of figures each."""
    cases = [("short (s01)", os.path.join(SAMPLES, "audio", "s01.flac"), [])]
    one_pass = 0.0
    for target_s in lengths:
        long_path, one_pass, inside = (make_prose_clip(work, target_s, prose, start_s) + ([],)
                                       if prose else make_long_clip(work, target_s, source))
        cases.append(("long (%.0f s)" % target_s, long_path, inside))
    labels_path = os.path.join(source, "labels.jsonl")
    labels = {}
    if not prose and os.path.exists(labels_path):
        with open(labels_path, encoding="utf-8") as handle:
            labels = {row["utterance_id"]: row["pii"] for row in map(json.loads, handle) if row}
    rows = []
    for index, (label, audio, inside) in enumerate(cases):
        case = os.path.join(work, f"case{index}")
        os.makedirs(case)
        manifest = os.path.join(case, "manifest.jsonl")
        with open(manifest, "w", encoding="utf-8") as handle:
            handle.write(manifest_line("bench-" + os.path.basename(case), audio) + "\n")
        args = ["--manifest", manifest, "--output", os.path.join(case, "out"),
                "--keyring", os.path.join(work, "keyring"), "--max-duration-s",
                str(max(600.0, max(lengths) + 1))]
        code, rss, wall = run_job(args, os.path.join(case, "log.txt"))
        chars, duration = transcript_chars(os.path.join(case, "out"))
        dead = dead_letters(os.path.join(case, "out"))
        rows.append({"clip": label, "exit": code, "peak_rss_mib": round(rss), "wall_s": round(wall, 1),
                     "audio_s": round(duration, 1), "transcript_chars": chars,
                     "dead_letters": [f"{stage}: {error_type}" for stage, error_type, _ in dead]})
        print(f"{label:<22} exit {code}  peak RSS {rss:7.0f} MiB  wall {wall:6.1f} s  "
              f"audio {duration:6.1f} s  transcript {chars} chars", flush=True)
        for stage, error_type, message in dead:
            print(f"  DEAD-LETTERED at {stage}: {error_type}: {message}", flush=True)
        if labels and inside:
            values, readable = values_readable(os.path.join(case, "out"), labels, inside)
            rows[-1].update(pii_values=values, pii_values_readable_at_most=readable)
            print(f"  {values} labelled PII values said; at most {readable} readable in the transcript",
                  flush=True)
    print(f"the long clips are {'prose read by espeak-ng' if prose else source + ' clips'}, "
          f"{one_pass:.0f} s of speech, cut", flush=True)
    return rows


def manifest_check(work, lines):
    manifest = os.path.join(work, "big.jsonl")
    with open(manifest, "w", encoding="utf-8") as handle:
        for n in range(lines):
            handle.write(manifest_line(f"u{n:07d}", os.path.join(work, "missing", f"{n}.wav")) + "\n")
    output = os.path.join(work, "big-out")
    code, rss, wall = run_job(["--manifest", manifest, "--output", output,
                               "--keyring", os.path.join(work, "keyring")],
                              os.path.join(work, "big-log.txt"))
    with open(os.path.join(work, "big-log.txt"), encoding="utf-8") as log:
        summary = [l.rstrip() for l in log if l.startswith("  ") and ":" in l or "accounted" in l]
    print(f"{lines} manifest lines: exit {code}  peak RSS {rss:.0f} MiB  wall {wall:.1f} s  "
          f"({wall / lines * 10000:.1f} s per 10k lines)", flush=True)
    print("\n".join(summary[:6]), flush=True)
    return {"lines": lines, "exit": code, "peak_rss_mib": round(rss), "wall_s": round(wall, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("clip", "manifest"))
    parser.add_argument("--lines", type=int, default=100000)
    parser.add_argument("--lengths", default=str(TARGET_S),
                        help="comma-separated long clip lengths in seconds (default 598)")
    parser.add_argument("--prose", nargs="*", default=(), metavar="FILE",
                        help="make the long clips from these Markdown/text files read by espeak-ng "
                             "(continuous speech that transcribes through every stage)")
    parser.add_argument("--start-s", type=float, default=0.0,
                        help="with --prose: where in the read-aloud prose the long clips start")
    parser.add_argument("--source", default=EVAL,
                        help="the corpus folder (manifest.jsonl, with labels.jsonl to count the "
                             "PII values readable) whose clips end to end make the long clips")
    parser.add_argument("--tag", default="", help="write results/long_clip_TAG.json")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()
    lengths = [float(v) for v in args.lengths.split(",") if v.strip()]
    work = tempfile.mkdtemp(prefix="voicescrub-bench-")
    print(f"python benchmarks/long_clip.py {' '.join(sys.argv[1:])}   (work folder {work}, "
          f"{os.cpu_count()} CPUs)", flush=True)
    result = {}
    try:
        if args.only in (None, "clip"):
            result["clips"] = clip_check(work, lengths, args.prose, args.start_s, args.source)
            result["long_clip_source"] = ("prose read by espeak-ng: " + ", ".join(args.prose)
                                          if args.prose else
                                          os.path.relpath(args.source, REPO) + " clips end to end")
        if args.only in (None, "manifest"):
            result["manifest"] = manifest_check(work, args.lines)
        result.update(provenance("long_clip.py", sys.argv[1:]))
        write_result(f"long_clip_{args.tag}.json" if args.tag else "long_clip.json", result)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
