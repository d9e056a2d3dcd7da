"""The README's "What to expect" table, made from the files the benchmarks wrote.

    python benchmarks/headline.py          # prints the table (Markdown)

Every figure comes from a file in ``benchmarks/results/``; a test checks that the
README holds this table as printed, so the README's figures are always the last ones
a benchmark wrote. Detection and audio runs tagged ``new1229_espeak`` (a corpus the
generator made after the rules), ``new1229_flite`` and ``new1229_festival`` (that corpus
in two other synthesisers' voices), ``templates1241_espeak``, ``templates1241_flite`` and
``templates1241_festival`` (the Presidio team's sentence templates, ``template_corpus.py``,
in the three synthesisers) are shown beside the committed corpus when present, and
the harmless-request runs on the hand-written set and the sets written apart from the rules
(``unseen`` to ``unseen24``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Dict, List, Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def load(name: str) -> Optional[dict]:
    path = os.path.join(RESULTS, name)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "n/a"


def text_leak(result: dict) -> str:
    ours, vanilla = result["summary"]["voicescrub"]["all"], result["summary"]["vanilla Presidio"]["all"]
    return (f"{ours['leaked']}/{ours['audible']} ({ours['critical_leaked']}/{ours['critical_audible']} "
            f"critical; default Presidio {vanilla['leaked']}/{vanilla['audible']})")


def audio_leak(result: dict) -> str:
    split = result["splits"]["all"]
    silenced = split.get("exact_silenced_fraction_pii_clips")
    clean = f", {100.0 * silenced:.1f} % clean speech silenced in PII clips" if silenced is not None else ""
    return (f"{split['leaked']}/{split['audible']}{clean}, "
            f"{split['dead_lettered']}/{split['clips'] + split['dead_lettered']} dead-lettered")


def harmless(results: Sequence[dict]) -> str:
    """Clips touched and dead-lettered, summed over a group of sets; a group of several
    also gives the range of the share touched per set."""
    overall = [result["overall"] for result in results]
    touched, clips = sum(o["clips_touched"] for o in overall), sum(o["clips"] for o in overall)
    shares = sorted(100.0 * o["clips_touched_share"] for o in overall)
    spread = f"; {shares[0]:.1f}–{shares[-1]:.1f} % per set" if len(shares) > 1 else ""
    return (f"{touched}/{clips} ({100.0 * touched / clips:.1f} %{spread}), "
            f"{sum(o['dead_lettered'] for o in overall)}")


def clip_memory(result: dict) -> str:
    """Peak RSS by clip length, and where each long clip ended (written or refused)."""
    source = "read-aloud prose" if result.get("long_clip_source", "").startswith("prose") \
        else "requests end to end"
    clips = [clip for clip in result["clips"] if clip["clip"].startswith("long")]
    return f"{source}: " + ", ".join(
        f"{clip['clip'][len('long ('):-1]} {clip['peak_rss_mib']:.0f} MiB "
        f"({clip['dead_letters'][0].split(':')[0] + ' dead letter' if clip['dead_letters'] else 'written'})"
        for clip in clips)


#: The corpora a detection or audio run can be tagged with, as the table names them.
CORPORA = (("", "committed"), ("_new1229_espeak", "new corpus"),
           ("_new1229_flite", "in flite's voices"),
           ("_new1229_festival", "in Festival's voices"),
           ("_templates1241_espeak", "Presidio's templates"),
           ("_templates1241_flite", "read by flite"),
           ("_templates1241_festival", "by Festival"),
           ("_templates1234_espeak_variants", "in other espeak-ng voices"), ("_sample", "bundled sample"))
#: The harmless-request sets, in groups the table sums: the hand-written set, the sets
#: written apart in espeak-ng's and flite's voices, those in Festival's, and those in
#: Festival's beside the others'.
HARMLESS_SETS = (("hand-written set", ("",)),
                 ("sets written apart", tuple(f"_unseen{n}" for n in ("", *range(2, 16)))),
                 ("in Festival's voices", ("_unseen16", "_unseen17")),
                 ("in Festival's and others'", ("_unseen18", "_unseen19", "_unseen20", "_unseen21",
                                                "_unseen22", "_unseen23", "_unseen24")))


def rows() -> List[List[str]]:
    table: List[List[str]] = []
    for name, label, figure in (("detection", "Audible PII values readable in the redacted text", text_leak),
                                ("audio_leak", "Audible PII values still heard in the scrubbed audio", audio_leak)):
        runs = [(f"{name}{tag}.json", corpus, load(f"{name}{tag}.json")) for tag, corpus in CORPORA]
        runs = [(file, corpus, result) for file, corpus, result in runs if result is not None]
        if not runs:
            continue
        tags = [file[len(name):-len(".json")] for file, _, _ in runs]
        table.append([label, "; ".join(f"{corpus}: {figure(result)}" for _, corpus, result in runs),
                      f"`python benchmarks/{name}.py` (`--tag`)",
                      # The files as a shell names them: `audio_leak{,_sample}.json`.
                      f"`{name}{{{','.join(tags)}}}.json`" if len(tags) > 1 else f"`{runs[0][0]}`"])
    groups = []  # (name, [(file, result)]) of each group with a result file
    for name, tags in HARMLESS_SETS:
        runs = [(f"harmless_requests{tag}.json", load(f"harmless_requests{tag}.json")) for tag in tags]
        runs = [(file, result) for file, result in runs if result is not None]
        if runs:
            groups.append((name, runs))
    if groups:
        files = [file for _, runs in groups for file, _ in runs]
        tags = [f"`{file[len('harmless_requests'):-len('.json')]}`" for file in files[1:]]
        table.append(["PII-free requests with numbers: clips with anything redacted, clips dead-lettered",
                      "; ".join(f"{name} {harmless([result for _, result in runs])}"
                                for name, runs in groups),
                      "`python benchmarks/harmless_requests.py` (`--tag`)",
                      # A long list of files is named by its ends.
                      f"`{files[0]}`, " + (f"{tags[0]} to {tags[-1]}" if len(tags) > 2 else ", ".join(tags))])
    throughput = load("throughput.json")
    if throughput is not None:
        run = throughput["runs"][0]
        pipeline, naive = run["pipeline"], run["naive"]
        table.append([
            "Speed against a naive faster-whisper + Presidio script (every default on)",
            f"{pipeline['wall_s']:.0f} s against {naive['wall_s']:.0f} s wall "
            f"(**{run['pipeline_wall_over_naive']:.2f}x**), {pipeline['cpu_s']:.0f} against "
            f"{naive['cpu_s']:.0f} CPU s, for {pipeline['audio_s']:.0f} s of audio; "
            f"peak RSS {pipeline['peak_rss_mb']:.0f} MB",
            f"`{throughput['command']}`", "`throughput.json`"])
    memory = [(file, result) for file, result in
              ((file, load(file)) for file in ("long_clip_prose.json", "long_clip.json")) if result]
    if memory:
        table.append(["Peak memory of one process by clip length",
                      "; ".join(clip_memory(result) for _, result in memory),
                      "`python benchmarks/long_clip.py` (`--prose`)",
                      ", ".join(f"`{file}`" for file, _ in memory)])
    gates = load("language_gate_release_agreement.json")
    if gates is not None:
        groups: Dict[str, Dict[str, int]] = gates["groups"]
        own = [g for key, g in groups.items() if key.startswith("foreign:") and not key.endswith(":mislabelled")]
        claimed = [g for key, g in groups.items() if key.startswith("foreign:") and key.endswith(":mislabelled")]
        refused_own = sum(g.get("dead:language:UnsupportedLocale", 0) for g in own)
        table.append([
            "Speech the models cannot hear",
            f"foreign clips with a foreign locale refused unread {refused_own}/{sum(g['clips'] for g in own)}; "
            f"foreign clips labelled English released {sum(g.get('released', 0) for g in claimed)}/"
            f"{sum(g['clips'] for g in claimed)}; English clips refused by the gates "
            f"{gates['english_dead_lettered_by_gates']}/{gates['english_clips']}",
            "`python benchmarks/language_gate.py release …`", "`language_gate_release_agreement.json`"])
    return table


def headline_table() -> str:
    lines = ["| what | figure | reproduce with | file in `benchmarks/results/` |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(headline_table())
