"""How the speech model writes people's names: written out (capitalised or not) or garbled away.

    python benchmarks/name_case.py                                  # the committed corpus
    python benchmarks/name_case.py --labels A/labels.jsonl --labels B/labels.jsonl --tag new

The name recognizers read a name from its capital letters or from the words around it (the
name slot between a call or a new contact and its phone number takes whatever words stand
there). This benchmark measures why both are needed: each clip with a labelled PERSON value is
transcribed (the listener of ``audio_leak.py``, tiny.en beam 5, with its cache), and every word
of three or more letters of each labelled name counts as written out when the transcript holds
it as a whole word in any case (capitalised or not, by its first letter there), else as not
written: the model made other words of it ("Rows are outside" for "Rosa Osei").

Writes ``benchmarks/results/name_case.json`` (``name_case_<tag>.json`` with ``--tag``): per
labels file and overall, the name words labelled, written capitalised, written lower-case and
not written. Nothing here prints a name or a transcript: counts only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from typing import Dict, List, Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.join(ROOT, "benchmarks")):
    if path not in sys.path:
        sys.path.insert(0, path)

from audio_leak import MODEL, TRANSCRIPT_CACHE, Transcriber  # noqa: E402
from detection import load_labels  # noqa: E402

from benchmarks.results_file import corpus, provenance, shown, write_result  # noqa: E402

#: Shorter name words ("Li", "Al") are too often inside other words to count.
MIN_LETTERS = 3


def count_name_words(text: str, names: Sequence[str]) -> Counter:
    """For each word of each name: ``capitalised`` or ``lowercase`` as ``text`` first holds it
    as a whole word (any case), else ``not_written``."""
    counts: Counter = Counter()
    for name in names:
        for word in name.split():
            word = word.strip(".,'’-")
            if len(word) < MIN_LETTERS:
                continue
            match = re.search(r"\b" + re.escape(word) + r"\b", text, re.IGNORECASE)
            if match is None:
                counts["not_written"] += 1
            else:
                counts["capitalised" if match.group()[0].isupper() else "lowercase"] += 1
    return counts


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", action="append",
                        help="a corpus's labels.jsonl (repeatable; default: the committed corpus)")
    parser.add_argument("--listener-model", default=MODEL)
    parser.add_argument("--tag", default="", help="write results/name_case_TAG.json")
    args = parser.parse_args(argv)
    result: Dict[str, object] = provenance("name_case.py", list(sys.argv[1:] if argv is None else argv))
    labels_files: List[str] = args.labels or [os.path.join(ROOT, "samples", "eval", "labels.jsonl")]
    transcriber = Transcriber(TRANSCRIPT_CACHE, args.listener_model)
    per_corpus: Dict[str, Dict[str, object]] = {}
    overall: Counter = Counter()
    for labels_path in labels_files:
        folder = os.path.dirname(os.path.abspath(labels_path))
        rows = load_labels(labels_path)
        counts: Counter = Counter()
        for row in rows:
            names = [p["value"] for p in row["pii"] if p["entity_type"] == "PERSON"]
            if not names:
                continue
            try:
                with open(os.path.join(folder, row["audio"]), "rb") as handle:
                    text = transcriber.transcript(handle.read())["text"]
            except OSError:
                counts["unreadable_clips"] += 1
                continue
            counts["clips"] += 1
            counts.update(count_name_words(text, names))
        overall.update(counts)
        per_corpus[shown(labels_path)] = dict(corpus(labels_path, len(rows)), **dict(sorted(counts.items())))
    transcriber.save()
    for name, figures in [*per_corpus.items(), ("overall", dict(overall))]:
        written = figures.get("capitalised", 0) + figures.get("lowercase", 0)
        print(f"{name}: {figures.get('clips', 0)} clips with names, "
              f"{written + figures.get('not_written', 0)} name words, {written} written out "
              f"({figures.get('lowercase', 0)} without a capital), "
              f"{figures.get('not_written', 0)} not written")
    result.update(listener_model=args.listener_model, per_corpus=per_corpus,
                  overall=dict(sorted(overall.items())))
    name = f"name_case{'_' + args.tag if args.tag else ''}.json"
    print(f"written: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
