"""A large opt-out list: peak memory and time of a run that honours 10^6 opted-out accounts.

    python benchmarks/opt_out_scale.py                   # 10^6 accounts
    python benchmarks/opt_out_scale.py --accounts 100000

Runs the bundled sample three times, each in its own process (the in-process
DirectRunner, defaults otherwise): without a list, with a list of N random accounts
that names none of the sample's, and with the same list plus one of the sample's
accounts. Peak RSS comes from ``os.wait4`` (the child's own ru_maxrss), wall time from
the clock. Prints the ratios against the run without a list and writes
``benchmarks/results/opt_out_scale.json``; the memory target is the pipeline's
(1.5 GB, 1430 MiB, peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile

import pyarrow.dataset as ds

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from benchmarks.long_clip import run_job  # noqa: E402
from benchmarks.results_file import provenance, write_result  # noqa: E402

SAMPLE_MANIFEST = os.path.join(REPO, "samples", "manifest.jsonl")
PEAK_RSS_TARGET_MIB = 1430  # 1.5 GB (1.5 x 10^9 bytes), the pipeline's memory target


def write_accounts(path: str, count: int, extra: tuple = ()) -> None:
    """``count`` random account IDs shaped like the sample's, one per line, then ``extra``."""
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(count):
            digits = secrets.randbelow(10 ** 8)
            handle.write(f"acct-{digits // 10 ** 4:04d}-{digits % 10 ** 4:04d}-x\n")
        for account in extra:
            handle.write(account + "\n")


def counts(output: str) -> dict:
    def rows(name, **kwargs):
        folder = os.path.join(output, name)
        return ds.dataset(folder, format="parquet", **kwargs).to_table() if os.path.isdir(folder) else None
    written, dead, excluded = rows("utterances", partitioning="hive"), rows("dead_letter"), rows("excluded")
    return {"written": written.num_rows, "dead_lettered": dead.num_rows,
            "excluded": 0 if excluded is None else excluded.num_rows}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with open(SAMPLE_MANIFEST, encoding="utf-8") as handle:
        sample = [json.loads(line) for line in handle if line.strip()]
    one_account = sample[0]["account_id"]
    one_account_lines = sum(1 for row in sample if row["account_id"] == one_account)

    work = tempfile.mkdtemp(prefix="opt_out_scale_")
    try:
        none_named, one_named = os.path.join(work, "none.txt"), os.path.join(work, "one.txt")
        write_accounts(none_named, args.accounts)
        shutil.copyfile(none_named, one_named)
        with open(one_named, "a", encoding="utf-8") as handle:
            handle.write(one_account + "\n")
        runs = []
        for label, flags in (("no list", []), (f"{args.accounts} accounts, none in the sample",
                                               ["--opt-out", none_named]),
                             (f"{args.accounts + 1} accounts, one in the sample",
                              ["--opt-out", one_named])):
            output = os.path.join(work, f"out{len(runs)}")
            code, rss, wall = run_job(["--manifest", SAMPLE_MANIFEST, "--output", output,
                                       "--keyring", os.path.join(work, "keyring"), *flags],
                                      os.path.join(work, f"log{len(runs)}.txt"))
            row = {"run": label, "exit": code, "peak_rss_mib": round(rss), "wall_s": round(wall, 1),
                   **(counts(output) if code == 0 else {})}
            runs.append(row)
            print(f"{label:<36} exit {code}  peak RSS {rss:6.0f} MiB  wall {wall:5.1f} s  "
                  + "  ".join(f"{k} {row[k]}" for k in ("written", "dead_lettered", "excluded") if k in row))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = runs[0]
    for row in runs[1:]:
        row["peak_rss_ratio"] = round(row["peak_rss_mib"] / base["peak_rss_mib"], 3)
        row["wall_ratio"] = round(row["wall_s"] / base["wall_s"], 3)
        print(f"{row['run']:<36} peak RSS {row['peak_rss_ratio']:.2f}x, wall {row['wall_ratio']:.2f}x "
              f"the run without a list")
    result = {
        **provenance("opt_out_scale.py", argv if argv is not None else sys.argv[1:]),
        "accounts": args.accounts, "sample_lines": len(sample),
        "opted_out_sample_lines": one_account_lines,
        "peak_rss_target_mib": PEAK_RSS_TARGET_MIB,
        "runs": runs,
        "within_memory_target": all(row["peak_rss_mib"] <= PEAK_RSS_TARGET_MIB for row in runs),
        "opted_out_lines_excluded": runs[2].get("excluded") == one_account_lines,
    }
    print(f"every run within {PEAK_RSS_TARGET_MIB} MiB: {result['within_memory_target']}; "
          f"the opted-out account's {one_account_lines} lines excluded: "
          f"{result['opted_out_lines_excluded']}")
    print("wrote", write_result("opt_out_scale.json", result))
    return 0 if all(row["exit"] == 0 for row in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
