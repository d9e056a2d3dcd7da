#!/usr/bin/env python3
"""Check what ``generate.py`` wrote: decoding, durations, labels, checksums, sizes.

    python samples/check.py                      # structural checks (needs faster-whisper's
                                                 # decode_audio, i.e. PyAV)
    python samples/check.py --asr MODEL --n 30   # also transcribe 30 clips with a local
                                                 # faster-whisper model folder (e.g. tiny.en)

Prints counts and ratios only (never transcripts or values); exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import aba_valid, iban_valid, luhn_valid  # noqa: E402

HERE = Path(__file__).resolve().parent
MANIFEST_KEYS = ["utterance_id", "account_id", "device_id", "recorded_at", "audio_uri", "locale"]
ENTITIES = {"CREDIT_CARD", "CARD_LAST4", "CARD_CVV", "CARD_EXPIRY", "PIN", "US_BANK_NUMBER",
            "ABA_ROUTING_NUMBER", "UK_SORT_CODE", "UK_BANK_ACCOUNT", "IBAN_CODE", "US_SSN",
            "PHONE_NUMBER", "EMAIL_ADDRESS", "PERSON", "STREET_ADDRESS", "DATE_OF_BIRTH",
            "PASSWORD", "USERNAME"}
BANKING_GOV = {"CREDIT_CARD", "CARD_LAST4", "CARD_CVV", "CARD_EXPIRY", "PIN", "US_BANK_NUMBER",
               "ABA_ROUTING_NUMBER", "UK_SORT_CODE", "UK_BANK_ACCOUNT", "IBAN_CODE", "US_SSN"}
MAX_BYTES = 15 * 1024 * 1024

failures: List[str] = []


def fail(msg: str) -> None:
    failures.append(msg)


def read_jsonl(path: Path) -> List[Dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def check_value(uid: str, e: Dict) -> None:
    t, v = e["entity_type"], e["value"]
    digits_len = {"CARD_LAST4": (4, 4), "CARD_CVV": (3, 4), "PIN": (4, 6),
                  "US_BANK_NUMBER": (8, 17), "ABA_ROUTING_NUMBER": (9, 9), "UK_SORT_CODE": (6, 6),
                  "UK_BANK_ACCOUNT": (8, 8), "US_SSN": (9, 9), "CREDIT_CARD": (15, 16),
                  "PHONE_NUMBER": (10, 11)}
    if t in digits_len:
        lo, hi = digits_len[t]
        if not (v.isdigit() and lo <= len(v) <= hi):
            fail(f"{uid}: {t} value is not {lo}-{hi} digits")
    if t == "CREDIT_CARD" and not luhn_valid(v):
        fail(f"{uid}: CREDIT_CARD fails Luhn")
    if t == "ABA_ROUTING_NUMBER" and not aba_valid(v):
        fail(f"{uid}: ABA checksum fails")
    if t == "IBAN_CODE" and not (re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", v) and iban_valid(v)):
        fail(f"{uid}: IBAN checksum fails")
    if t == "US_SSN" and (v[:3] in ("000", "666") or v[0] == "9" or v[3:5] == "00" or v[5:] == "0000"):
        fail(f"{uid}: SSN out of the issued ranges")
    if t == "EMAIL_ADDRESS" and (v != v.lower() or v.count("@") != 1):
        fail(f"{uid}: email not canonical")
    if t == "CARD_EXPIRY" and not re.fullmatch(r"(0[1-9]|1[0-2])/\d\d", v):
        fail(f"{uid}: expiry not MM/YY")
    if t == "DATE_OF_BIRTH":
        datetime.strptime(v, "%Y-%m-%d")


def check_labels(rows: List[Dict], root: Path, decode) -> Dict[str, float]:
    durations = {}
    for row in rows:
        uid = row["utterance_id"]
        path = root / row["audio"]
        expect = row.get("expect", "ok")
        if expect == "missing_file":
            if path.exists():
                fail(f"{uid}: should be missing")
            continue
        if expect == "decode_error":
            try:
                audio = decode(str(path), sampling_rate=16000)
                if len(audio) > 0:
                    fail(f"{uid}: corrupt file decoded to {len(audio)} samples")
            except Exception:  # noqa: BLE001 -- any decode failure is what we want
                pass
            continue
        try:
            audio = decode(str(path), sampling_rate=16000)
        except Exception as exc:  # noqa: BLE001
            fail(f"{uid}: does not decode ({type(exc).__name__})")
            continue
        dur = len(audio) / 16000.0
        durations[uid] = dur
        if not 2.0 <= dur <= 8.0:
            fail(f"{uid}: duration {dur:.2f}s out of 2-8 s")
        text = row["text"]
        if row["pii_free"] != (not row["pii"]):
            fail(f"{uid}: pii_free disagrees with pii")
        if not 130 <= int(row["speed"]) <= 190:
            fail(f"{uid}: speed out of 130-190")
        for e in row["pii"]:
            if e["entity_type"] not in ENTITIES:
                fail(f"{uid}: unknown entity {e['entity_type']}")
            if e["spoken"] not in text:
                fail(f"{uid}: spoken not in text")
            if text[e["start"]:e["end"]] != e["spoken"]:
                fail(f"{uid}: start/end do not frame spoken")
            check_value(uid, e)
    return durations


def check_manifest(path: Path, labels: List[Dict]) -> None:
    rows = read_jsonl(path)
    if [r["utterance_id"] for r in rows] != [r["utterance_id"] for r in labels]:
        fail(f"{path.name}: utterance ids differ from labels")
    weeks = set()
    for r in rows:
        if list(r) != MANIFEST_KEYS:
            fail(f"{r.get('utterance_id')}: manifest keys {list(r)}")
        if len(r["account_id"]) < 8 or len(r["device_id"]) < 8:
            fail(f"{r['utterance_id']}: IDs shorter than 8")
        if Path(r["audio_uri"]).is_absolute():
            fail(f"{r['utterance_id']}: absolute audio_uri")
        when = datetime.strptime(r["recorded_at"], "%Y-%m-%dT%H:%M:%SZ")
        weeks.add(when.isocalendar()[:2])
    accounts = Counter(r["account_id"] for r in rows)
    print(f"{path.relative_to(HERE.parent)}: {len(rows)} lines, {len(accounts)} accounts "
          f"(max {max(accounts.values())} clips each), {len(weeks)} ISO weeks")
    if len(weeks) < 2:
        fail(f"{path.name}: recorded_at spans fewer than 2 ISO weeks")


def words_to_digits(s: str) -> str:
    """Crude normaliser for comparing transcripts: lower-case, number words to digits."""
    table = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3",
             "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
    out = []
    toks = re.findall(r"[a-z0-9]+", s.lower())
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("double", "triple") and i + 1 < len(toks) and toks[i + 1] in table:
            out.append(table[toks[i + 1]] * (2 if t == "double" else 3))
            i += 2
            continue
        out.append(table.get(t, t))
        i += 1
    return " ".join(out)


def asr_check(model_dir: str, rows: List[Dict], root: Path, n: int, decode) -> None:
    from faster_whisper import WhisperModel  # noqa: PLC0415

    model = WhisperModel(model_dir, device="cpu", compute_type="int8")
    ok = [r for r in rows if r.get("expect", "ok") == "ok"]
    pick = random.Random(0).sample(ok, min(n, len(ok)))
    ratios, hits, total = [], 0, 0
    for row in pick:
        audio = decode(str(root / row["audio"]), sampling_rate=16000)
        segs, _ = model.transcribe(audio, language="en", beam_size=1)
        hyp = " ".join(s.text for s in segs)
        ratios.append(difflib.SequenceMatcher(None, words_to_digits(row["text"]),
                                              words_to_digits(hyp), autojunk=False).ratio())
        hyp_digits = re.sub(r"\D", "", words_to_digits(hyp))
        for e in row["pii"]:
            if e["value"].isdigit() and len(e["value"]) >= 3:
                total += 1
                hits += e["value"] in hyp_digits
    mean = sum(ratios) / len(ratios)
    print(f"asr: {len(pick)} clips, mean text similarity {mean:.2f}, "
          f"clips >= 0.6: {sum(r >= 0.6 for r in ratios)}/{len(ratios)}, "
          f"digit values recovered verbatim: {hits}/{total}")
    if mean < 0.5:
        fail(f"asr: mean similarity {mean:.2f} < 0.5 -- speech may be unintelligible")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--asr", help="faster-whisper model folder for an intelligibility check")
    ap.add_argument("--n", type=int, default=20, help="clips per part to transcribe")
    args = ap.parse_args()
    from faster_whisper import decode_audio  # noqa: PLC0415

    parts = [("bundled", HERE, HERE / "labels.jsonl", HERE / "manifest.jsonl"),
             ("eval", HERE / "eval", HERE / "eval" / "labels.jsonl",
              HERE / "eval" / "manifest.jsonl")]
    for name, root, labels_path, manifest_path in parts:
        if not labels_path.exists():
            print(f"{name}: not generated, skipped")
            continue
        rows = read_jsonl(labels_path)
        durations = check_labels(rows, root, decode_audio)
        check_manifest(manifest_path, rows)
        d = sorted(durations.values())
        print(f"{name}: {len(d)} decodable clips, duration {d[0]:.2f}-{d[-1]:.2f}s "
              f"(mean {sum(d) / len(d):.2f}s)")
        if name == "eval":
            check_eval_counts(rows)
        if args.asr:
            asr_check(args.asr, rows, root, args.n, decode_audio)
    size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file()
               and "__pycache__" not in p.parts)
    print(f"samples/: {size / 1e6:.2f} MB")
    if size > MAX_BYTES:
        fail("samples/ is over 15 MB")
    for f in failures:
        print("FAIL", f)
    print("OK" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


def check_eval_counts(rows: List[Dict]) -> None:
    pii_rows = [r for r in rows if r["pii"]]
    free = [r for r in rows if r["pii_free"]]
    per = Counter(e["entity_type"] for r in rows for e in r["pii"])
    held = Counter(e["entity_type"] for r in rows if r["split"] == "heldout" for e in r["pii"])
    n_held = sum(r["split"] == "heldout" for r in rows)
    print(f"eval: {len(pii_rows)} PII clips, {len(free)} PII-free, "
          f"{n_held} heldout ({n_held / len(rows):.0%}), voices "
          f"{dict(Counter(r['voice'] for r in rows))}")
    for t in sorted(ENTITIES):
        print(f"  {t:20s} {per[t]:3d} labels, {held[t]:2d} heldout")
        need = 8 if t in BANKING_GOV else 4
        if per[t] < need:
            fail(f"eval: only {per[t]} {t} labels")
        if held[t] < 1:
            fail(f"eval: no heldout {t}")
    if len(pii_rows) < 150 or len(free) < 40:
        fail("eval: fewer than 150 PII or 40 PII-free clips")
    if any(r["split"] not in ("dev", "heldout") for r in rows):
        fail("eval: bad split")


if __name__ == "__main__":
    sys.exit(main())
