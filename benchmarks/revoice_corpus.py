"""Re-voice a labelled corpus with another synthesiser, keeping its texts and labels.

The corpora come from one generator and one synthesiser (espeak-ng); rules tuned on
them can fit espeak-ng's voice rather than speech. This writes a copy of a corpus
(``manifest.jsonl``, ``labels.jsonl``, ``clips/``) whose every clip is the same text
spoken by another synthesiser, so a benchmark can be run on a voice nothing was tuned on::

    apt-get install flite sox
    python samples/generate.py --only eval --seed N --out /tmp/en_a
    python benchmarks/revoice_corpus.py --source /tmp/en_a/eval --out /tmp/en_a_flite

``--voices`` (comma-separated, see ``benchmarks/voices.py``) are used in turn; the default
is flite's ``kal``, ``slt``, ``rms`` and ``awb``. Festival is a synthesiser no rule was
tuned on: ``--voices festival:kal_diphone,festival:ked_diphone,festival:cmu_us_slt_arctic_hts``.
Labels keep their character offsets (the text is unchanged); ``voice`` and ``duration_s`` are rewritten.
``corpus.json`` in the copy records the re-voicing and, when the source has one, the
source's own record; the benchmarks copy it into their results files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.voices import engine_of, missing_tools, speak  # noqa: E402
from samples.generate import encode  # noqa: E402

VOICES = ("flite:kal", "flite:slt", "flite:rms", "flite:awb")


def read_jsonl(path: Path) -> List[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, rows: Sequence[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a corpus folder")
    parser.add_argument("--out", type=Path, required=True, help="the re-voiced copy")
    parser.add_argument("--voices", default=",".join(VOICES),
                        help=f"voices used in turn, comma-separated (default {','.join(VOICES)})")
    args = parser.parse_args(argv)
    voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    try:
        missing = missing_tools(voices)
    except ValueError as err:
        parser.error(str(err))
    if not voices:
        parser.error("no voice given")
    if missing:
        print(f"synthesiser not found: apt-get install {' '.join(missing)}", file=sys.stderr)
        return 2
    labels = {row["utterance_id"]: row for row in read_jsonl(args.source / "labels.jsonl")}
    manifest = read_jsonl(args.source / "manifest.jsonl")
    (args.out / "clips").mkdir(parents=True, exist_ok=True)
    new_labels = []
    with tempfile.TemporaryDirectory(prefix="voicescrub-revoice-") as tmp:
        for index, row in enumerate(manifest):
            label = labels[row["utterance_id"]]
            voice = voices[index % len(voices)]
            wav = Path(tmp) / "clip.wav"
            duration = speak(label["text"], voice, str(wav))
            rel = f"clips/{row['utterance_id']}.opus"
            encode(wav, args.out / rel, "opus16k")
            row["audio_uri"] = rel
            new_labels.append(dict(label, audio=rel, voice=voice,
                                   duration_s=round(duration, 3)))
            if (index + 1) % 50 == 0:
                print(f"revoice: {index + 1}/{len(manifest)}", flush=True)
    write_jsonl(args.out / "manifest.jsonl", manifest)
    write_jsonl(args.out / "labels.jsonl", new_labels)
    record = {"revoiced_by": "benchmarks/revoice_corpus.py",
              "synthesiser": ",".join(sorted({engine_of(v) for v in voices})), "voices": voices,
              "source": os.fspath(args.source.resolve())}
    if (args.source / "corpus.json").exists():
        record["source_corpus"] = json.loads((args.source / "corpus.json").read_text(encoding="utf-8"))
    (args.out / "corpus.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"revoice: {len(manifest)} clips -> {os.fspath(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
