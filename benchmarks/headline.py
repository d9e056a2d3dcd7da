"""The README's "What to expect" table, made from the files the benchmarks wrote.

    python benchmarks/headline.py          # prints the table (Markdown)

Every figure comes from a file in ``benchmarks/results/``; a test checks that the
README holds this table as printed, so the README's figures are always the last ones
a benchmark wrote. Detection and audio runs tagged ``new1207_espeak`` (a corpus the
generator made after the rules) and ``new1207_flite`` (that corpus in another
synthesiser's voices) are shown beside the committed corpus when present, and the
harmless-request runs on the hand-written set and the sets written apart from the rules
(``unseen`` to ``unseen15``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Dict, List, Optional

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
    clean = f", {100.0 * silenced:.1f} % of clean speech in clips with PII silenced" if silenced is not None else ""
    return (f"{split['leaked']}/{split['audible']}{clean}, "
            f"{split['dead_lettered']}/{split['clips'] + split['dead_lettered']} dead-lettered")


def harmless(result: dict) -> str:
    overall = result["overall"]
    return (f"{overall['clips_touched']}/{overall['clips']} "
            f"({100.0 * overall['clips_touched_share']:.1f} %), {overall['dead_lettered']}")


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
CORPORA = (("", "committed"), ("_new1207_espeak", "new corpus"),
           ("_new1207_flite", "the same in flite's voices"), ("_sample", "bundled sample"))
#: The harmless-request sets, as the table names them.
HARMLESS_SETS = (("", "hand-written set"), ("_unseen", "sets written apart"), ("_unseen2", ""),
                 ("_unseen3", ""), ("_unseen4", ""), ("_unseen5", ""), ("_unseen6", ""),
                 ("_unseen7", ""), ("_unseen8", ""), ("_unseen9", ""), ("_unseen10", ""),
                 ("_unseen11", ""), ("_unseen12", ""), ("_unseen13", ""), ("_unseen14", ""),
                 ("_unseen15", ""))


def rows() -> List[List[str]]:
    table: List[List[str]] = []
    for name, label, figure in (("detection", "Audible PII values readable in the redacted text", text_leak),
                                ("audio_leak", "Audible PII values still heard in the scrubbed audio", audio_leak)):
        runs = [(f"{name}{tag}.json", corpus, load(f"{name}{tag}.json")) for tag, corpus in CORPORA]
        runs = [(file, corpus, result) for file, corpus, result in runs if result is not None]
        if not runs:
            continue
        table.append([label, "; ".join(f"{corpus}: {figure(result)}" for _, corpus, result in runs),
                      f"`python benchmarks/{name}.py` (`--tag`)",
                      ", ".join(f"`{file}`" for file, _, _ in runs)])
    runs = [(f"harmless_requests{tag}.json", name, load(f"harmless_requests{tag}.json"))
            for tag, name in HARMLESS_SETS]
    runs = [(file, name, result) for file, name, result in runs if result is not None]
    if runs:
        tags = [f"`{file[len('harmless_requests'):-len('.json')]}`" for file, _, _ in runs[1:]]
        table.append(["PII-free requests with numbers: clips with anything redacted, clips dead-lettered",
                      "; ".join(f"{name} {harmless(result)}" if name else harmless(result)
                                for _, name, result in runs),
                      "`python benchmarks/harmless_requests.py` (`--tag`)",
                      # The sets in the order of HARMLESS_SETS: a long list is named by its ends.
                      "`harmless_requests.json`, " + (f"{tags[0]} to {tags[-1]}" if len(tags) > 2 else ", ".join(tags))])
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
