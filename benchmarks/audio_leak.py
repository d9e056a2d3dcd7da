"""Audio leak benchmark: can PII still be heard in the scrubbed audio, and how much clean speech is lost?

Run from the repository root::

    python benchmarks/audio_leak.py [--manifest M --labels L] [--work-dir D] [--reuse-output] [--no-exact]
                                    [--pipeline-args=...] [--listener-model MODEL]

1. The pipeline runs in-process (DirectRunner, default settings, re-listen audit
   on) on ``samples/eval/manifest.jsonl`` into ``benchmarks/.cache/audio_leak/``
   (``--work-dir``; ``--reuse-output`` skips this when a previous run's output is there).
2. Every written row's ``audio_redacted`` is decoded and transcribed again by a
   fresh faster-whisper tiny.en (int8, CPU, beam 5; ``--listener-model`` for
   another model), independently of the pipeline's own model; every original
   clip is transcribed the same way, with word times. Both are cached by content in ``benchmarks/.cache/audio_leak.json``.

Only aggregates are printed, as markdown tables, and written to
``benchmarks/results/audio_leak[_TAG].json``: never a transcript or a value.

Definitions
-----------
*Recoverable* is the detection benchmark's definition (``benchmarks/detection.py``,
``evidence``): the spoken-form normaliser reads the text, and a numeric value is
recoverable when min(len, 4) of its digits appear contiguously, a date when its
year or day and month can be read, a text value when a distinctive piece of it can.

*Audible*: a labelled value recoverable from the original clip's transcript.
*Leaked*: an audible value of a written clip that is still recoverable from the
transcript of its scrubbed audio. Leak rate = leaked / audible (target 0). A
dead-lettered clip reaches no reviewer, so it cannot leak; it is counted apart.
A leaked value that is also recoverable from ``transcript_redacted`` was never
detected (the audio was not bleeped there, and the audit's detector, the same
one, misses it again): a detection recall miss, reported in its own column;
the rest are audio leaks proper (a bleep in the wrong place or too short).

*Non-PII speech time*: the union of the original transcript's word times,
less the words overlapping the evidence of an audible labelled value.
*Clean speech silenced* = time of that union covered by a redacted interval
(``pii_entities`` audio times, audit residues included) / non-PII speech time
(target at most 10 %). Word times come from Whisper and lag the sound
(``word_times.py``), so this is an estimate at that resolution.

Exact times (``--no-exact`` skips them): the corpora are espeak-ng speech whose
labels record text, voice and speed, so ``espeak_words`` re-synthesises each
clip with libespeak-ng (sample-identical to the command line) and takes every
word's sound from its WORD events, trimmed of silence. Then:

*Clean speech (exact)*: the sound of the words that overlap no labelled value
(audible or not). *Silenced (exact)* = time of it inside a redacted interval.
*Missed*: a still recoverable value that the redacted text still shows, or
with no redacted interval touching its words' sound (the pipeline's ASR
dropped the words, so the text cannot show it): a transcription or detection
miss. The other still recoverable values were detected and bleeped, too
little: audio leaks proper.
*PII sound left audible*: for each audible value that has some redaction on
it, the sound of its words outside every redacted interval; a value counts as
partly audible when more than 30 ms of it is outside (a direct view of bleep
placement, independent of whether Whisper recognises the remnant).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.join(ROOT, "benchmarks")):
    if path not in sys.path:
        sys.path.insert(0, path)

from detection import evidence, load_labels, table  # noqa: E402
from voicescrub.transforms.audit.relocation import SECOND_LISTEN  # noqa: E402
from voicescrub.transforms.runtime.errors import AudioDecodeError  # noqa: E402

from benchmarks.results_file import corpus, provenance, shown, write_result  # noqa: E402

CACHE_DIR = os.path.join(ROOT, "benchmarks", ".cache")
WORK_DIR = os.path.join(CACHE_DIR, "audio_leak")
TRANSCRIPT_CACHE = os.path.join(CACHE_DIR, "audio_leak.json")
MODEL = "bundled:tiny.en"

Interval = Tuple[float, float]


def run_pipeline(manifest: str, work_dir: str, extra_args: Sequence[str] = ()) -> float:
    """Run the whole pipeline on ``manifest`` into ``work_dir`` (``extra_args``: more
    pipeline flags); return its wall time."""
    from voicescrub.pipeline.run import run

    shutil.rmtree(work_dir, ignore_errors=True)
    started = time.monotonic()
    run(["--manifest", manifest, "--output", os.path.join(work_dir, "output"),
         "--keyring", os.path.join(work_dir, "keyring")] + list(extra_args))
    return time.monotonic() - started


def output_rows(work_dir: str, table: str) -> List[dict]:
    """Every row of one output table (``utterances``, ``dead_letter``, ``excluded``) of the
    pipeline run under ``work_dir``; none when the run wrote no such folder."""
    import pyarrow.dataset as ds

    folder = os.path.join(work_dir, "output", table)
    if not os.path.isdir(folder):
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive" if table == "utterances"
                      else None).to_table().to_pylist()


def read_output(work_dir: str) -> Tuple[List[dict], List[dict]]:
    """The written utterance rows and dead-letter rows."""
    return output_rows(work_dir, "utterances"), output_rows(work_dir, "dead_letter")


class Transcriber:
    """A fresh Whisper model (tiny.en unless told otherwise; beam 5) with a
    content-addressed cache of texts and word times."""

    def __init__(self, cache_path: str, model: str = MODEL) -> None:
        self._cache_path = cache_path
        self._model_name = model
        self._cache: Dict[str, dict] = {}
        if os.path.exists(cache_path):
            with open(cache_path, encoding="utf-8") as handle:
                self._cache = json.load(handle)
        self._model = None
        self._fresh = 0

    def transcript(self, audio_bytes: bytes) -> dict:
        """``{"text": ..., "words": [[start, end, char_start, char_end], ...]}``."""
        key = self._model_name + ":beam5:" + hashlib.sha256(audio_bytes).hexdigest()
        if key not in self._cache:
            from voicescrub.transforms.asr.whisper import load_whisper_model, transcribe
            from voicescrub.transforms.audio.codec import (
                decode_to_pcm16,
                pcm16_to_float,
            )

            if self._model is None:
                self._model = load_whisper_model(self._model_name, cpu_threads=2)
            pcm = decode_to_pcm16(audio_bytes, max_duration_s=600.0)
            result = transcribe(self._model, pcm16_to_float(pcm), beam_size=5)
            self._cache[key] = {
                "text": result.text,
                "words": [[w.start_s, w.end_s, w.char_start, w.char_end] for w in result.words],
            }
            self._fresh += 1
            if self._fresh % 25 == 0:
                self.save()
                print(f"transcribed {self._fresh} clips", file=sys.stderr)
        return self._cache[key]

    def save(self) -> None:
        os.makedirs(os.path.dirname(self._cache_path), exist_ok=True)
        with open(self._cache_path, "w", encoding="utf-8") as handle:
            json.dump(self._cache, handle)


def merged(intervals: Sequence[Interval]) -> List[Interval]:
    """Sorted union of intervals."""
    out: List[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def overlap_s(a: Sequence[Interval], b: Sequence[Interval]) -> float:
    """Seconds covered by both unions."""
    total = 0.0
    for s1, e1 in merged(a):
        for s2, e2 in merged(b):
            total += max(0.0, min(e1, e2) - max(s1, s2))
    return total


def non_pii_speech(original: dict, pii_evidence: Sequence[Tuple[int, int]]) -> List[Interval]:
    """Time of the original's words that overlap no audible labelled value."""
    return merged([
        (start, end) for start, end, c0, c1 in original["words"]
        if not any(c0 < e and s < c1 for s, e in pii_evidence)
    ])


def bleeped_at_all(words, value: dict, redacted: Sequence[Interval]) -> bool:
    """Whether any redacted interval touches the sound of the value's words."""
    from espeak_words import words_overlapping

    spoken = [(w.start_s, w.end_s) for w in words_overlapping(words, [(value["start"], value["end"])])]
    return overlap_s(spoken, redacted) > 0.0


def silenced_causes(causes: Counter, words, labelled, entities: Sequence[dict]) -> None:
    """Add to ``causes`` the seconds of each clean word under each redacted entity, keyed
    ``"TYPE / where / how much"``: where is the word right before a labelled value, right
    after one, another word of a clip with PII, or a word of a PII-free clip (a false alarm);
    how much is "whole word" when the entity covers at least 80 % of it (a word taken into
    the span), else "part of a word" (a pad, or an edge placed off). ``words``: espeak's, in
    order."""
    for index, word in enumerate(words):
        if word in labelled:
            continue
        if not labelled:
            where = "PII-free clip"
        elif index + 1 < len(words) and words[index + 1] in labelled:
            where = "word before a value"
        elif index > 0 and words[index - 1] in labelled:
            where = "word after a value"
        else:
            where = "other word"
        # The word's silenced time counts once, for the entity that covers most of it.
        seconds = overlap_s([(word.start_s, word.end_s)], [(e["audio_start_s"], e["audio_end_s"]) for e in entities])
        if seconds <= 0.0:
            continue
        widest = max(entities, key=lambda e: min(word.end_s, e["audio_end_s"]) - max(word.start_s, e["audio_start_s"]))
        whole = seconds >= 0.8 * (word.end_s - word.start_s)
        causes[f"{widest['entity_type']} / {where} / {'whole word' if whole else 'part of a word'}"] += seconds


def exact_figures(t: Counter, words, label: dict, audible: Sequence[dict],
                  redacted: Sequence[Interval], causes: Optional[Counter] = None,
                  entities: Sequence[dict] = ()) -> None:
    """Add one clip's exact clean-speech and PII-coverage figures to ``t`` (``words``: espeak's),
    and with ``causes``, what silenced its clean words (:func:`silenced_causes`)."""
    from espeak_words import words_overlapping

    labelled = words_overlapping(words, [(p["start"], p["end"]) for p in label["pii"]])
    clean = merged([(w.start_s, w.end_s) for w in words if w not in labelled])
    t["exact_clean_s"] += sum(e - s for s, e in clean)
    t["exact_silenced_s"] += overlap_s(clean, redacted)
    if label["pii"]:
        t["exact_clean_s_pii_clips"] += sum(e - s for s, e in clean)
        t["exact_silenced_s_pii_clips"] += overlap_s(clean, redacted)
    if causes is not None:
        silenced_causes(causes, words, labelled, entities)
    for p in audible:
        spoken = merged([(w.start_s, w.end_s)
                         for w in words_overlapping(words, [(p["start"], p["end"])])])
        covered = overlap_s(spoken, redacted)
        if covered <= 0.0:
            continue  # never bleeped: a detection miss, counted by the leak columns
        left = sum(e - s for s, e in spoken) - covered
        t["exact_bleeped"] += 1
        t["exact_pii_audible_s"] += left
        if left > 0.03:
            t["exact_partly_audible"] += 1


def percent(a: float, b: float) -> str:
    return f"{100.0 * a / b:.1f} %" if b else "n/a"


#: Every count and time a split reports (a Counter leaves out what stayed zero).
SPLIT_FIELDS = ("clips", "dead_lettered", "unreadable", "audible", "audible_in_dead_lettered", "leaked",
                "leaked_undetected", "leaked_unbleeped", "non_pii_speech_s", "silenced_s", "redacted_s",
                "exact_clean_s", "exact_silenced_s", "exact_clean_s_pii_clips",
                "exact_silenced_s_pii_clips", "exact_bleeped", "exact_partly_audible",
                "exact_pii_audible_s")


def split_figures(t: Counter, exact: bool) -> Dict[str, object]:
    """One split's counts and seconds, and the rates the tables print (without the exact
    figures, those that need them are null)."""
    figures: Dict[str, object] = {k: round(t[k], 2) if isinstance(t[k], float) else t[k] for k in SPLIT_FIELDS}
    figures.update(
        leak_rate=round(t["leaked"] / t["audible"], 4) if t["audible"] else None,
        silenced_fraction=round(t["silenced_s"] / t["non_pii_speech_s"], 4) if t["non_pii_speech_s"] else None,
        exact_silenced_fraction=round(t["exact_silenced_s"] / t["exact_clean_s"], 4) if t["exact_clean_s"] else None,
        exact_silenced_fraction_pii_clips=round(t["exact_silenced_s_pii_clips"] / t["exact_clean_s_pii_clips"], 4)
        if t["exact_clean_s_pii_clips"] else None,
        leaked_bleeped=t["leaked"] - t["leaked_unbleeped"],
        dead_lettered_share=round(t["dead_lettered"] / (t["clips"] + t["dead_lettered"]), 4)
        if t["clips"] + t["dead_lettered"] else None)
    if not exact:
        figures.update({k: None for k in figures if k.startswith("exact_") or k.startswith("leaked_") and k != "leaked_undetected"})
    return figures


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", default=os.path.join(ROOT, "samples", "eval", "labels.jsonl"))
    parser.add_argument("--manifest", default=os.path.join(ROOT, "samples", "eval", "manifest.jsonl"))
    parser.add_argument("--reuse-output", action="store_true",
                        help="use the pipeline output of a previous run when there is one")
    parser.add_argument("--no-exact", dest="exact", action="store_false",
                        help="skip the exact (espeak-ng word time) figures")
    parser.add_argument("--pipeline-args", default="",
                        help="extra pipeline flags, space separated (note the =: --pipeline-args=--pad-before-ms 250)")
    parser.add_argument("--work-dir", default=WORK_DIR,
                        help="where the pipeline writes its output (default: benchmarks/.cache/audio_leak)")
    parser.add_argument("--listener-model", default=MODEL,
                        help="the Whisper model that re-transcribes the original and scrubbed clips "
                             "(default: the bundled tiny.en; give the pipeline's own --asr-model "
                             "to listen with a larger one)")
    parser.add_argument("--tag", default="", help="write results/audio_leak_TAG.json instead of audio_leak.json")
    args = parser.parse_args(argv)
    result: Dict[str, object] = provenance("audio_leak.py", list(sys.argv[1:] if argv is None else argv))
    work_dir = args.work_dir

    pipeline_s: Optional[float] = None
    if not (args.reuse_output and os.path.isdir(os.path.join(work_dir, "output", "utterances"))):
        pipeline_s = run_pipeline(args.manifest, work_dir, args.pipeline_args.split())
    rows, dead = read_output(work_dir)
    timer = None
    if args.exact:
        from espeak_words import EspeakTimer
        timer = EspeakTimer()
    labels = {row["utterance_id"]: row for row in load_labels(args.labels)}
    corpus_dir = os.path.dirname(os.path.abspath(args.labels))
    written = {row["utterance_id"]: row for row in rows}
    audit_dead = {d["utterance_id"] for d in dead if d["stage"] == "audit"}
    transcriber = Transcriber(TRANSCRIPT_CACHE, args.listener_model)

    # Per split: audible, leaked, audible-in-dead-lettered, non-PII speech s, silenced s.
    totals: Dict[str, Counter] = {}
    leaked_types: Counter = Counter()
    audit = Counter()
    causes: Counter = Counter()  # clean speech silenced, by entity type and place (exact only)
    for uid, label in labels.items():
        split = label.get("split", "all")
        t = totals.setdefault(split, Counter())
        try:
            with open(os.path.join(corpus_dir, label["audio"]), "rb") as handle:
                original = transcriber.transcript(handle.read())
        except (OSError, AudioDecodeError):
            t["unreadable"] += 1  # missing or corrupt: the pipeline dead-letters it too
            continue
        audible = [(p, evidence(p["entity_type"], p["value"], original["text"])) for p in label["pii"]]
        audible = [(p, ev) for p, ev in audible if ev is not None]
        if uid not in written:
            t["dead_lettered"] += 1
            t["audible_in_dead_lettered"] += len(audible)
            continue
        row = written[uid]
        t["clips"] += 1
        widened = any(e["entity_type"] == "AUDIT_RESIDUE" for e in row["pii_entities"])
        second_listen = any(e["recognizer"].startswith(SECOND_LISTEN + ":") for e in row["pii_entities"])
        if second_listen:
            audit["second_listen_redacted"] += 1
            if label.get("pii_free"):
                audit["pii_free_second_listen_redacted"] += 1
        else:
            audit["widened" if widened else "clean"] += 1
        if label.get("pii_free") and widened:
            audit["pii_free_widened"] += 1
        if not row["pii_entities"] and row["audit_rounds"]:
            audit["second_listen_passed"] += 1
        scrubbed = transcriber.transcript(row["audio_redacted"])
        redacted = [(e["audio_start_s"], e["audio_end_s"]) for e in row["pii_entities"]]
        spoken = None
        if timer is not None and label.get("voice") and label.get("text"):
            spoken = timer.synth(label["text"], label["voice"], int(label["speed"]))[1]
        for p, _ in audible:
            t["audible"] += 1
            if evidence(p["entity_type"], p["value"], scrubbed["text"]) is not None:
                t["leaked"] += 1
                leaked_types[p["entity_type"]] += 1
                # Still readable in the redacted text too: detection missed it, so the
                # audio was never bleeped there (a recall miss, not an alignment one).
                in_text = evidence(p["entity_type"], p["value"], row["transcript_redacted"]) is not None
                if in_text:
                    t["leaked_undetected"] += 1
                if spoken is not None and (in_text or not bleeped_at_all(spoken, p, redacted)):
                    t["leaked_unbleeped"] += 1
        clean = non_pii_speech(original, [ev for _, ev in audible])
        t["non_pii_speech_s"] += sum(e - s for s, e in clean)
        t["silenced_s"] += overlap_s(clean, redacted)
        t["redacted_s"] += sum(e - s for s, e in merged(redacted))
        if spoken is not None:
            exact_figures(t, spoken, label, [p for p, _ in audible], redacted, causes,
                          row["pii_entities"])
    transcriber.save()
    if timer is not None:
        timer.close()

    splits = sorted(totals) + (["all"] if len(totals) > 1 else [])
    if "all" not in totals:
        totals["all"] = sum(totals.values(), Counter())
    print("## Audio leak: re-transcribing the scrubbed audio\n")
    print(table(
        ["split", "clips written", "dead-lettered", "audible PII values", "still recoverable",
         "leak rate (target 0)", "of them never detected (text shows it too)",
         "non-PII speech (s)", "of it silenced (target <= 10 %)"],
        [[s, str(totals[s]["clips"]), str(totals[s]["dead_lettered"]), str(totals[s]["audible"]),
          str(totals[s]["leaked"]), percent(totals[s]["leaked"], totals[s]["audible"]),
          str(totals[s]["leaked_undetected"]),
          f"{totals[s]['non_pii_speech_s']:.1f}",
          percent(totals[s]["silenced_s"], totals[s]["non_pii_speech_s"])] for s in splits]))
    if timer is not None:
        print()
        print("Exact, from espeak-ng's own word times:\n")
        print(table(
            ["split", "clean speech (s)", "of it silenced (target <= 10 %)",
             "still recoverable, missed (in the redacted text, or never bleeped)",
             "still recoverable values bleeped (audio leak proper)",
             "audible values bleeped", "of them > 30 ms of a word left audible",
             "PII sound left audible (s)"],
            [[s, f"{totals[s]['exact_clean_s']:.1f}",
              percent(totals[s]["exact_silenced_s"], totals[s]["exact_clean_s"]),
              str(totals[s]["leaked_unbleeped"]),
              str(totals[s]["leaked"] - totals[s]["leaked_unbleeped"]),
              str(totals[s]["exact_bleeped"]), str(totals[s]["exact_partly_audible"]),
              f"{totals[s]['exact_pii_audible_s']:.2f}"] for s in splits]))
    print()
    stages = Counter(d["stage"] for d in dead)
    print(table(["dead letters by stage", "clips"],
                [[stage, str(n)] for stage, n in sorted(stages.items())] or [["(none)", "0"]]))
    print()
    audit_figures = {
        "clean": audit["clean"], "widened": audit["widened"],
        "second_listen_passed": audit["second_listen_passed"],
        "second_listen_redacted": audit["second_listen_redacted"],
        "pii_free_second_listen_redacted": audit["pii_free_second_listen_redacted"],
        "pii_free_widened": audit["pii_free_widened"], "dead_lettered": len(audit_dead),
        "dead_lettered_missed_by_first_listen": sum(
            1 for d in dead if d["stage"] == "audit" and d["error_type"] == "MissedByFirstListen"),
        "pii_free_dead_lettered": sum(1 for u in audit_dead if labels.get(u, {}).get("pii_free")),
        "audible_in_dead_lettered": totals["all"]["audible_in_dead_lettered"]}
    print(table(["audit", "clips"],
                [["clean at first re-listen, or nothing to hear", str(audit["clean"])],
                 ["widened by the audit", str(audit["widened"])],
                 ["nothing found, heard again (second listen), passed", str(audit["second_listen_passed"])],
                 ["nothing found, second listen heard PII, redacted there",
                  str(audit["second_listen_redacted"])],
                 ["PII-free clips redacted by a second listen (false alarms)",
                  str(audit["pii_free_second_listen_redacted"])],
                 ["PII-free clips widened (false alarms)", str(audit["pii_free_widened"])],
                 ["dead-lettered by the audit", str(len(audit_dead))],
                 ["of them: second listen heard PII the first transcript missed",
                  str(sum(1 for d in dead if d["stage"] == "audit" and d["error_type"] == "MissedByFirstListen"))],
                 ["PII-free clips dead-lettered by the audit",
                  str(sum(1 for u in audit_dead if labels.get(u, {}).get("pii_free")))],
                 ["audible values in dead-lettered clips (never released)",
                  str(totals["all"]["audible_in_dead_lettered"])]]))
    clean_pii_s = totals["all"]["exact_clean_s_pii_clips"]
    cause_figures = {cause: {"seconds": round(seconds, 2),
                             "share_of_clean_speech_in_pii_clips": round(seconds / clean_pii_s, 4)
                             if clean_pii_s else None}
                     for cause, seconds in causes.most_common()}
    if causes:
        print()
        print(table(["clean speech silenced: entity / where", "seconds", "of clean speech in clips with PII"],
                    [[cause, f"{seconds:.1f}", percent(seconds, clean_pii_s)]
                     for cause, seconds in causes.most_common()]))
    if leaked_types:
        print()
        print(table(["leaked entity type", "values"],
                    [[k, str(v)] for k, v in sorted(leaked_types.items())]))
    print()
    if pipeline_s is not None:
        print(f"Pipeline wall time: {pipeline_s:.0f} s for {len(labels)} clips on this machine.")
    print(f"Listener: {args.listener_model} (beam 5), for the original and the scrubbed clips.")
    print("Command: `python benchmarks/audio_leak.py` (from the repository root; "
          "`--reuse-output` skips the pipeline run).")
    result.update(
        corpus=dict(corpus(args.labels, len(labels)), manifest=shown(args.manifest)),
        listener_model=args.listener_model, pipeline_args=args.pipeline_args, exact=timer is not None,
        pipeline_wall_s=None if pipeline_s is None else round(pipeline_s, 1),
        splits={s: split_figures(totals[s], timer is not None) for s in splits}, dead_letters_by_stage=dict(sorted(stages.items())),
        audit=audit_figures, leaked_entity_types=dict(sorted(leaked_types.items())),
        silenced_causes=cause_figures)
    name = f"audio_leak{'_' + args.tag if args.tag else ''}.json"
    print(f"\nwritten: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
