"""Harmless requests as written: what the detector finds in PII-free text no speech model heard.

    python benchmarks/harmless_text.py                 # every harmless_requests*.jsonl
    python benchmarks/harmless_text.py --tag base      # writes harmless_text_base.json

``harmless_requests.py`` speaks each request and runs the whole pipeline, so a touched clip
may be the rules' doing or the speech model's: tiny.en mishears numbers and names into
shapes no rule can tell from a code. This benchmark reads the requests' own text through the
detector, as the pipeline builds it from the default language pack, as though the model had
heard every word right. What it finds is what the rules themselves touch; the rest of
``harmless_requests.py``'s figure is mishearing.

Writes ``benchmarks/results/harmless_text.json`` (``harmless_text_<tag>.json`` with
``--tag``): per requests file and overall, the requests read, those with anything found
(share), the entity types found, and each such request with what was found in it. The
requests hold no PII by construction, so their text may be listed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from collections import Counter
from typing import Dict, List, Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import provenance, write_result  # noqa: E402

REQUEST_FILES = os.path.join(ROOT, "benchmarks", "harmless_requests*.jsonl")


def read_requests(path: str) -> List[Dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def summarise(found: Sequence[Sequence[str]]) -> Dict[str, object]:
    """Counts over requests: ``found`` holds, per request, the entity types found in it."""
    touched = sum(1 for types in found if types)
    return {"requests": len(found), "requests_touched": touched,
            "requests_touched_share": round(touched / len(found), 4) if found else 0.0,
            "entity_types": dict(sorted(Counter(t for types in found for t in set(types)).items()))}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="", help="write results/harmless_text_TAG.json instead")
    args = parser.parse_args(argv)

    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.pii.detector import PiiDetector

    detector = PiiDetector(load_pii_config())
    per_file: Dict[str, Dict[str, object]] = {}
    every: List[List[str]] = []
    for path in sorted(glob.glob(REQUEST_FILES)):
        found: List[List[str]] = []
        listed: List[Dict[str, object]] = []
        for request in read_requests(path):
            text = request["text"]
            spans = detector.detect(text)
            found.append([span.entity_type for span in spans])
            if spans:
                listed.append({"id": request["id"], "text": text,
                               "found": [[span.entity_type, text[span.char_start:span.char_end], span.recognizer]
                                         for span in spans]})
        per_file[os.path.basename(path)] = {**summarise(found), "touched": listed}
        every.extend(found)
    result = {**provenance("harmless_text.py", argv if argv is not None else sys.argv[1:]),
              "overall": summarise(every), "per_file": per_file}
    name = f"harmless_text_{args.tag}.json" if args.tag else "harmless_text.json"
    overall = result["overall"]
    print(f"requests with anything found: {overall['requests_touched']}/{overall['requests']} "
          f"({100 * overall['requests_touched_share']:.1f} %)")
    print("written:", os.path.relpath(write_result(name, result), ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
