"""Fail closed on speech the models cannot hear: measure the locale and understanding gates.

Two measurements, each on English corpora (``samples/eval`` and corpora made by
``samples/generate.py --seed N --only eval --out DIR``) and foreign-language
corpora (``benchmarks/foreign_corpus.py --out DIR``: speech in nine languages,
some clips labelled ``en-US`` although they are not English)::

    # 1. the signals: how the decoder's own evidence spreads on English and on
    #    foreign speech, and what the shipped gate refuses of each (no pipeline run)
    python benchmarks/language_gate.py signals --english samples/eval --foreign F

    # 2. the release rule end to end: the pipeline with its defaults on one manifest
    #    mixing every corpus; counts what reached utterances/ and what was dead-lettered
    python benchmarks/language_gate.py release --english samples/eval --english E1 \\
        --english E2 --foreign F

``signals`` transcribes as the pipeline's first pass does (packed windows, the
run's default settings), so the evidence is what ``CheckSpeech`` sees. With
``--second-listen`` it hears every clip once more as the audit's second listen
does (alone) and reports how far the two listens agree, on all clips and on
those the gate refuses: whether agreement could tell English the gate refuses
from foreign speech. A corpus without ``labels.jsonl`` (the harmless-request
sets' work folders) counts as English. Both
write a JSON file to ``benchmarks/results/`` (machine, commit, command, corpus
and every figure) and print a table. Only counts, identifiers and numbers are
written: no transcript.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import provenance, write_result  # noqa: E402

SIGNALS = ("mean_probability", "lexical_probability", "lexical_words", "s_per_syllable",
           "speech_s")


def read_jsonl(path: str) -> List[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus_rows(folder: str, kind: str, prefix: str) -> List[dict]:
    """The corpus's manifest rows, audio made absolute, each tagged with its corpus and
    kind (``english`` or ``foreign``) and, for foreign clips, its true language; each
    utterance ID gets ``prefix``, so that corpora made by one generator can share a run."""
    labels_path = os.path.join(folder, "labels.jsonl")  # absent for corpora without PII labels
    labels = ({row["utterance_id"]: row for row in read_jsonl(labels_path)}
              if os.path.exists(labels_path) else {})
    rows = []
    for row in read_jsonl(os.path.join(folder, "manifest.jsonl")):
        label = labels.get(row["utterance_id"], {})
        rows.append(dict(row, utterance_id=prefix + row["utterance_id"], audio_uri=os.path.abspath(os.path.join(folder, row["audio_uri"])),
                         _corpus=os.path.relpath(os.path.abspath(folder), ROOT)
                         if os.path.abspath(folder).startswith(ROOT) else os.path.abspath(folder),
                         _kind=kind, _language=label.get("language", "en"),
                         _mislabelled=bool(label.get("mislabelled", False))))
    return rows


def quantiles(values: Sequence[float]) -> Dict[str, float]:
    import numpy as np

    if not values:
        return {}
    points = np.quantile(np.asarray(values, dtype=float), [0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0])
    return {k: round(float(v), 3) for k, v in zip(("min", "p01", "p05", "p50", "p95", "p99", "max"), points)}


# --- signals -------------------------------------------------------------------------


def measure_signals(rows: Sequence[dict], second_listen: bool = False) -> List[dict]:
    """Transcribe every clip as the first pass does; each clip's evidence and verdicts. With
    ``second_listen``, hear every clip once more as the audit's second listen does (alone, the
    first pass's decoding) and record how far the two listens agree (``listen_agreement``)
    and whether the gate refuses the second listen too (``refused_second``)."""
    from voicescrub.transforms.asr.whisper import (
        AsrSettings,
        garbled,
        load_model_for,
        transcribe_batch,
    )
    from voicescrub.transforms.audio.codec import decode_to_pcm16
    from voicescrub.transforms.audit.policy import second_listen_settings
    from voicescrub.transforms.language.understanding import (
        DEFAULT_GATE,
        listen_agreement,
        speech_evidence,
    )
    from voicescrub.transforms.runtime.clip_stage import DEFAULT_CLIPS_PER_BATCH

    settings = AsrSettings()
    model = load_model_for(settings)
    measured = []
    for start in range(0, len(rows), DEFAULT_CLIPS_PER_BATCH):
        batch = rows[start:start + DEFAULT_CLIPS_PER_BATCH]
        pcms = []
        for row in batch:
            with open(row["audio_uri"], "rb") as handle:
                pcms.append(decode_to_pcm16(handle.read(), max_duration_s=600.0))
        outcomes = transcribe_batch(model, pcms, settings)
        second_outcomes = (transcribe_batch(model, pcms, second_listen_settings(settings))
                           if second_listen else [None] * len(pcms))
        for row, pcm, outcome, again in zip(batch, pcms, outcomes, second_outcomes):
            record = {"utterance_id": row["utterance_id"], "corpus": row["_corpus"],
                      "kind": row["_kind"], "language": row["_language"], "route": outcome.route}
            if outcome.transcript is None:
                record.update(failed=type(outcome.error).__name__)
            else:
                evidence = speech_evidence(outcome.transcript, pcm)
                record.update({name: round(getattr(evidence, name), 4) for name in SIGNALS})
                record.update(words=evidence.words, garbled=garbled(outcome.transcript),
                              has_digits=evidence.has_digits, hallucination=evidence.hallucination,
                              refused=DEFAULT_GATE.refuses(evidence))
                if again is not None and again.transcript is not None:
                    record.update(
                        listen_agreement=round(listen_agreement(outcome.transcript.text,
                                                                again.transcript.text), 4),
                        refused_second=DEFAULT_GATE.refuses(speech_evidence(again.transcript, pcm)))
            measured.append(record)
        print(f"signals: {min(start + len(batch), len(rows))}/{len(rows)} clips", flush=True)
    return measured


def signals_report(measured: Sequence[dict]) -> Dict[str, object]:
    by_kind: Dict[str, List[dict]] = defaultdict(list)
    for record in measured:
        by_kind[record["kind"]].append(record)
    report: Dict[str, object] = {}
    for kind, records in sorted(by_kind.items()):
        heard = [r for r in records if "failed" not in r]
        refused = Counter(r["refused"] for r in heard if r["refused"])
        report[kind] = {
            "clips": len(records),
            "failed_in_transcription": len(records) - len(heard),
            "refused_by_gate": sum(refused.values()),
            "refused_by_reason": dict(refused),
            "garbled": sum(1 for r in heard if r["garbled"]),
            "signals": {name: quantiles([r[name] for r in heard]) for name in SIGNALS},
        }
        agreeing = [r for r in heard if "listen_agreement" in r]
        if agreeing:
            report[kind]["second_listen"] = agreement_figures(agreeing)
    by_corpus: Dict[str, Counter] = defaultdict(Counter)
    for record in measured:
        tally = by_corpus[record["corpus"]]
        tally["clips"] += 1
        tally["refused"] += bool(record.get("refused")) or "failed" in record
    report["by_corpus"] = {k: dict(v) for k, v in sorted(by_corpus.items())}
    return report


#: Agreements at which the second-listen figures count the refused clips two listens agree on.
AGREEMENT_LEVELS = (0.5, 0.8, 1.0)


def agreement_figures(records: Sequence[dict]) -> Dict[str, object]:
    """How two listens of each clip agree, over every clip and over the clips the gate
    refuses (by reason); for each level of :data:`AGREEMENT_LEVELS`, how many refused clips
    agree at least that well, so what a gate that spared agreeing clips would let through."""
    refused = [r for r in records if r["refused"]]
    by_reason: Dict[str, List[float]] = defaultdict(list)
    for record in refused:
        by_reason[record["refused"]].append(record["listen_agreement"])
    return {
        "clips": len(records),
        "agreement": quantiles([r["listen_agreement"] for r in records]),
        "refused_agreement_by_reason": {reason: quantiles(values) for reason, values in sorted(by_reason.items())},
        "refused_at_least": {str(level): sum(1 for r in refused if r["listen_agreement"] >= level)
                             for level in AGREEMENT_LEVELS},
        "refused_clips": len(refused),
        "refused_also_on_second_listen": sum(1 for r in refused if r.get("refused_second")),
    }


def print_signals(report: Dict[str, object]) -> None:
    for kind in ("english", "foreign"):
        part = report.get(kind)
        if not part:
            continue
        print(f"\n{kind}: {part['clips']} clips, refused by the gate {part['refused_by_gate']}, "
              f"failed in transcription {part['failed_in_transcription']}, garbled {part['garbled']}")
        print(f"  {'signal':<18}" + "".join(f"{q:>8}" for q in ("min", "p01", "p05", "p50", "p95", "p99", "max")))
        for name, q in part["signals"].items():
            print(f"  {name:<18}" + "".join(f"{v:>8.3f}" for v in q.values()))
        second = part.get("second_listen")
        if second:
            print(f"  {'listen_agreement':<18}" + "".join(f"{v:>8.3f}" for v in second["agreement"].values()))
            at_least = ", ".join(f">= {level}: {n}" for level, n in second["refused_at_least"].items())
            print(f"  refused clips whose two listens agree ({second['refused_clips']} refused): {at_least}; "
                  f"refused on the second listen too: {second['refused_also_on_second_listen']}")
    print("\nrefused (or failed) by corpus:")
    for corpus, tally in report["by_corpus"].items():
        print(f"  {corpus}: {tally.get('refused', 0)}/{tally['clips']}")


# --- release -------------------------------------------------------------------------


def run_release(rows: Sequence[dict], pipeline_args: Sequence[str]) -> Dict[str, object]:
    """Run the pipeline with its defaults on all rows; count each clip's outcome."""
    import pyarrow.dataset as ds
    from voicescrub.pipeline.run import run

    by_id = {row["utterance_id"]: row for row in rows}
    if len(by_id) != len(rows):
        raise SystemExit("utterance IDs repeat across corpora: give each corpus its own prefix")
    with tempfile.TemporaryDirectory(prefix="voicescrub-language-gate-") as work:
        manifest = os.path.join(work, "manifest.jsonl")
        with open(manifest, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps({k: v for k, v in row.items() if not k.startswith("_")}) + "\n")
        started = time.monotonic()
        run(["--manifest", manifest, "--output", os.path.join(work, "out"),
             "--keyring", os.path.join(work, "keyring"), *pipeline_args])
        wall_s = time.monotonic() - started

        def table(folder: str, hive: bool) -> List[dict]:
            path = os.path.join(work, "out", folder)
            if not os.path.isdir(path):
                return []
            return ds.dataset(path, format="parquet", partitioning="hive" if hive else None
                              ).to_table(columns=["utterance_id"] + (
                                  [] if hive else ["stage", "error_type", "error_message"])
                                         ).to_pylist()

        released = {r["utterance_id"] for r in table("utterances", True)}
        dead_rows = table("dead_letter", False)
        dead = {r["utterance_id"]: (r["stage"], r["error_type"]) for r in dead_rows}
        messages = {r["utterance_id"]: r["error_message"] for r in dead_rows}
    groups: Dict[str, Counter] = defaultdict(Counter)
    for uid, row in by_id.items():
        group = f"{row['_kind']}:{row['_corpus']}" + (":mislabelled" if row["_mislabelled"] else "")
        tally = groups[group]
        tally["clips"] += 1
        if uid in released:
            tally["released"] += 1
        elif uid in dead:
            tally[f"dead:{dead[uid][0]}:{dead[uid][1]}"] += 1
        else:
            tally["lost"] += 1
    # Which rule refused what: dead-letter messages are fixed text, never a transcript.
    why: Dict[str, Counter] = defaultdict(Counter)
    for uid, row in by_id.items():
        if is_gate(dead.get(uid)):
            why[row["_kind"] + (":claiming English" if row["_mislabelled"] else "")][messages[uid]] += 1
    foreign_released = Counter()
    for uid in released:
        if by_id[uid]["_kind"] == "foreign":
            foreign_released[by_id[uid]["_language"]] += 1
    english = [r for r in rows if r["_kind"] == "english"]
    gated = [r["utterance_id"] for r in english if is_gate(dead.get(r["utterance_id"]))]
    english_gated = len(gated)
    return {
        "wall_s": round(wall_s, 1),
        "groups": {k: dict(v) for k, v in sorted(groups.items())},
        "foreign_clips": sum(1 for r in rows if r["_kind"] == "foreign"),
        "foreign_languages": sorted({r["_language"] for r in rows if r["_kind"] == "foreign"}),
        "foreign_released": sum(foreign_released.values()),
        "foreign_released_by_language": dict(foreign_released),
        "foreign_released_ids": sorted(uid for uid in released if by_id[uid]["_kind"] == "foreign"),
        "refused_by_rule": {k: dict(v) for k, v in sorted(why.items())},
        "english_clips": len(english),
        "english_dead_lettered_by_gates": english_gated,
        "english_gated_by_corpus": {
            corpus: f"{sum(1 for r in english if r['_corpus'] == corpus and r['utterance_id'] in gated)}"
                    f"/{sum(1 for r in english if r['_corpus'] == corpus)}"
            for corpus in sorted({r["_corpus"] for r in english})},
        # Dead-letter messages are fixed text (never a transcript): why each was refused.
        "english_gated": {uid: "/".join(dead[uid]) + ": " + messages[uid] for uid in gated},
    }


def is_gate(dead_letter: Optional[Tuple[str, str]]) -> bool:
    """Whether a dead letter comes from the gates on speech not understood: the locale
    and understanding stages, and a transcript refused as garbled (``AsrError`` in
    transcription)."""
    return dead_letter is not None and (dead_letter[0] in ("language", "understanding")
                                        or dead_letter == ("transcribe", "AsrError"))


def print_release(result: Dict[str, object]) -> None:
    print(f"\npipeline wall time {result['wall_s']} s")
    for group, tally in result["groups"].items():
        rest = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()) if k not in ("clips", "released"))
        print(f"  {group}: {tally['clips']} clips, released {tally.get('released', 0)}"
              + (f"; {rest}" if rest else ""))
    print(f"foreign clips released: {result['foreign_released']}/{result['foreign_clips']} "
          f"({len(result['foreign_languages'])} languages)")
    print(f"English clips dead-lettered by the gates: {result['english_dead_lettered_by_gates']}/"
          f"{result['english_clips']}  by corpus: {result['english_gated_by_corpus']}")
    for kind, reasons in result["refused_by_rule"].items():
        print(f"refused, {kind}:")
        for message, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            print(f"  {count:>4}  {message}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("signals", "release"))
    parser.add_argument("--english", action="append", default=[], help="an English corpus folder")
    parser.add_argument("--foreign", action="append", default=[], help="a foreign corpus folder")
    parser.add_argument("--pipeline-args", default="", help="more pipeline flags (release)")
    parser.add_argument("--tag", default="", help="suffix for the result file's name")
    parser.add_argument("--second-listen", action="store_true",
                        help="signals: hear every clip once more as the audit's second listen does "
                             "and report how the two listens agree")
    args = parser.parse_args(argv)
    rows: List[dict] = []
    for index, folder in enumerate(args.english):
        rows += corpus_rows(folder, "english", f"en{index}-")
    for index, folder in enumerate(args.foreign):
        foreign = corpus_rows(folder, "foreign", f"xx{index}-")
        rows += foreign
        if args.mode == "release":
            # Every foreign clip once more, its manifest claiming English: the
            # understanding gate, not the locale check, must refuse it.
            rows += [dict(row, utterance_id=f"as-en-{row['utterance_id']}", locale="en-US",
                          _mislabelled=True) for row in foreign if not row["_mislabelled"]]
    if not rows:
        parser.error("name at least one corpus")
    result: Dict[str, object] = provenance("language_gate.py", argv)
    result["corpora"] = {"english": args.english, "foreign": args.foreign}
    if args.mode == "signals":
        measured = measure_signals(rows, args.second_listen)
        report = signals_report(measured)
        print_signals(report)
        result.update(report)
        result["clips"] = measured  # identifiers and numbers only
    else:
        release = run_release(rows, args.pipeline_args.split())
        print_release(release)
        result.update(release)
    name = f"language_gate_{args.mode}{'_' + args.tag if args.tag else ''}.json"
    print(f"\nwritten: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
