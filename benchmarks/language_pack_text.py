"""A language pack's detection on written transcripts: values redacted, harmless requests flagged.

    python benchmarks/language_pack_text.py --pack fr --set dev
    python benchmarks/language_pack_text.py --pack fr --set heldout

Reads ``samples/<pack>_text/pii_<set>.jsonl`` (transcripts written the way Whisper writes
the language, each with its PII values) and ``harmless_<set>.jsonl`` (requests with numbers
and no PII), runs the pack's detector (``--language-pack``'s, as the pipeline builds it) on
each, and counts

* a value as redacted when every letter and digit of it lies inside a detected span (of any
  type: a reviewer hears none of it either way), per entity type;
* a harmless request as a false alarm when anything at all is detected in it, and as a
  number false alarm when something other than a name is (a timer, a sum or a year taken
  for a code).

Writes ``benchmarks/results/language_pack_<pack>_<set>.json``; prints counts, never a value.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from voicescrub.transforms.language.packs import load_pack  # noqa: E402
from voicescrub.transforms.pii.config import load_pii_config  # noqa: E402
from voicescrub.transforms.pii.detector import PiiDetector  # noqa: E402

from benchmarks.results_file import provenance, shown, write_result  # noqa: E402


def read_rows(path: str) -> List[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def covered(text: str, spans: Sequence[Tuple[int, int]], start: int, end: int) -> bool:
    """Whether every letter and digit of ``text[start:end]`` lies inside one of ``spans``."""
    return all(any(s <= k < e for s, e in spans) for k in range(start, end) if text[k].isalnum())


def measure(detector: PiiDetector, pii_rows: Sequence[dict], harmless_rows: Sequence[dict]) -> Dict[str, object]:
    """Counts of values redacted (per type) and of harmless requests flagged."""
    found: Counter = Counter()
    total: Counter = Counter()
    missed: List[str] = []
    for line, row in enumerate(pii_rows, 1):
        text = row["text"]
        spans = [(s.char_start, s.char_end) for s in detector.detect(text)]
        for value in row["pii"]:
            start = text.index(value["value"])
            total[value["type"]] += 1
            if covered(text, spans, start, start + len(value["value"])):
                found[value["type"]] += 1
            else:
                missed.append(f"line {line}: {value['type']}")
    flagged: List[str] = []
    number_alarms: List[str] = []
    for line, row in enumerate(harmless_rows, 1):
        types = {span.entity_type for span in detector.detect(row["text"])}
        if types:
            flagged.append(f"line {line}")
        if types - {"PERSON"}:
            number_alarms.append(f"line {line}")
    values = sum(total.values())
    return {
        "transcripts": len(pii_rows),
        "values": values,
        "values_redacted": sum(found.values()),
        "redacted_share": round(sum(found.values()) / values, 4) if values else None,
        "by_type": {t: {"values": total[t], "redacted": found[t]} for t in sorted(total)},
        # Line numbers and types only: which value of a set was missed, never the value or
        # the row's id (a set made from real requests would carry real utterance ids).
        "missed": missed,
        "harmless_requests": len(harmless_rows),
        "harmless_flagged": len(flagged),
        "harmless_flagged_lines": flagged,
        "harmless_number_alarms": len(number_alarms),
        "harmless_number_alarm_lines": number_alarms,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pack", default="fr", help="a shipped pack's code or a pack folder")
    parser.add_argument("--set", default="dev", help="which pii_<set>.jsonl / harmless_<set>.jsonl to read")
    parser.add_argument("--corpus", default=None, help="the folder of the sets (default samples/<pack>_text)")
    args = parser.parse_args(argv)
    pack = load_pack(args.pack)
    folder = args.corpus or os.path.join(ROOT, "samples", f"{os.path.basename(args.pack.rstrip('/'))}_text")
    pii_path = os.path.join(folder, f"pii_{args.set}.jsonl")
    harmless_path = os.path.join(folder, f"harmless_{args.set}.jsonl")
    detector = PiiDetector(load_pii_config(pack=pack))
    result = measure(detector, read_rows(pii_path), read_rows(harmless_path))
    result.update(provenance("language_pack_text.py", argv if argv is not None else sys.argv[1:]))
    result.update({"pack": pack.name, "pii_set": shown(pii_path), "harmless_set": shown(harmless_path)})
    path = write_result(f"language_pack_{os.path.basename(args.pack.rstrip('/'))}_{args.set}.json", result)
    print(f"{pack.name} {args.set}: {result['values_redacted']}/{result['values']} values redacted "
          f"({result['redacted_share']}); {result['harmless_flagged']}/{result['harmless_requests']} "
          f"harmless requests flagged, {result['harmless_number_alarms']} of them for a number "
          f"-> {shown(path)}")
    for entity, counts in result["by_type"].items():
        print(f"  {entity}: {counts['redacted']}/{counts['values']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
