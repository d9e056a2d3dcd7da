"""The README's reader snippets run as written: pyarrow, pandas and DuckDB, on an output
with dead letters, one without, and one a killed run left temp files in."""

from __future__ import annotations

import contextlib
import io
import os
import re
from typing import Dict, List

import pytest
from production_support import job_args, write_subset_manifest
from voicescrub.pipeline.run import run

from tests.conftest import REPO


def readme_snippets() -> Dict[str, List[str]]:
    """The code blocks of the README's "Inspecting the output", by language."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    section = text.split("### Inspecting the output", 1)[1].split("\n## ", 1)[0]
    blocks: Dict[str, List[str]] = {"python": [], "sql": []}
    for language, body in re.findall(r"```(python|sql)\n(.*?)```", section, flags=re.S):
        blocks[language].append(body)
    return blocks


def read_with_every_reader(folder) -> str:
    """Run every snippet from ``folder`` (which holds ``output/``); what they printed."""
    import duckdb

    printed = io.StringIO()
    here = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(printed):
            for snippet in readme_snippets()["python"]:
                exec(compile(snippet, "README.md", "exec"), {})
            for snippet in readme_snippets()["sql"]:
                for statement in filter(str.strip, snippet.split(";")):
                    statement = "\n".join(l for l in statement.splitlines() if not l.startswith("--"))
                    if statement.strip():
                        print(duckdb.sql(statement).fetchall())
    finally:
        os.chdir(here)
    return printed.getvalue()


def counts(folder) -> Dict[str, int]:
    """Rows as pandas, pyarrow and DuckDB count them."""
    import duckdb
    import pandas as pd
    import pyarrow.dataset as ds

    out = os.path.join(folder, "output")
    return {
        "pandas_utterances": len(pd.read_parquet(os.path.join(out, "utterances"))),
        "arrow_utterances": ds.dataset(os.path.join(out, "utterances"), partitioning="hive").count_rows(),
        "duckdb_utterances": duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{out}/utterances/*/*.parquet', hive_partitioning = true)"
        ).fetchall()[0][0],
        "pandas_dead": len(pd.read_parquet(os.path.join(out, "dead_letter"))),
        "arrow_dead": ds.dataset(os.path.join(out, "dead_letter")).count_rows(),
        "duckdb_dead": duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/dead_letter/*.parquet')").fetchall()[0][0],
    }


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    made = {}
    for name, ids in (("with_dead_letters", ("s03", "s13", "s15", "s16")), ("clean", ("s03", "s13"))):
        folder = tmp_path_factory.mktemp(name)
        manifest = write_subset_manifest(str(folder / "in"), ids)
        run(job_args(manifest, str(folder / "output"), str(folder / "keyring")))
        made[name] = folder
    return made


def test_the_snippets_run_on_an_output_with_dead_letters(outputs):
    printed = read_with_every_reader(outputs["with_dead_letters"])
    assert "AudioDecodeError" in printed and "AudioReadError" in printed
    assert counts(outputs["with_dead_letters"]) == {
        "pandas_utterances": 2, "arrow_utterances": 2, "duckdb_utterances": 2,
        "pandas_dead": 2, "arrow_dead": 2, "duckdb_dead": 2}


def test_a_run_with_no_dead_letter_still_has_a_dead_letter_folder_read_as_zero_rows(outputs):
    read_with_every_reader(outputs["clean"])
    assert counts(outputs["clean"]) == {
        "pandas_utterances": 2, "arrow_utterances": 2, "duckdb_utterances": 2,
        "pandas_dead": 0, "arrow_dead": 0, "duckdb_dead": 0}


def test_a_killed_runs_temp_files_are_invisible_to_every_reader(outputs):
    from voicescrub.transforms.io.parquet_files import part_name, temp_path_for

    folder = outputs["clean"]
    partition = next((folder / "output" / "utterances").glob("pseudonym_epoch=*"))
    # What a run killed mid-write leaves: temp files cut short, named as the writer
    # names them, in a partition and in the dead-letter folder.
    for where in (partition, folder / "output" / "dead_letter"):
        with open(temp_path_for(f"{where}/{part_name('feedface', 0, 1)}"), "wb") as handle:
            handle.write(b"PAR1\x00")
    read_with_every_reader(folder)
    assert counts(folder) == {
        "pandas_utterances": 2, "arrow_utterances": 2, "duckdb_utterances": 2,
        "pandas_dead": 0, "arrow_dead": 0, "duckdb_dead": 0}


def test_the_partition_column_comes_back_from_the_folder_name(outputs):
    import pandas as pd

    table = pd.read_parquet(os.path.join(outputs["clean"], "output", "utterances"))
    assert table["pseudonym_epoch"].astype(str).str.fullmatch(r"\d{4}-W\d{2}").all()


@pytest.mark.spark
def test_spark_reads_every_output_with_its_default_call(outputs):
    from pyspark.sql import SparkSession
    from voicescrub.transforms.io.parquet_files import part_name, temp_path_for

    clean = outputs["clean"]
    for where in (next((clean / "output" / "utterances").glob("pseudonym_epoch=*")),
                  clean / "output" / "dead_letter"):
        with open(temp_path_for(f"{where}/{part_name('feedface', 0, 1)}"), "wb") as handle:
            handle.write(b"PAR1\x00")  # what a killed run leaves
    spark = (SparkSession.builder.master("local[1]").appName("voicescrub-readers")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        read = {name: (spark.read.parquet(str(folder / "output" / "utterances")),
                       spark.read.parquet(str(folder / "output" / "dead_letter")))
                for name, folder in outputs.items()}
        assert {name: (utt.count(), dead.count()) for name, (utt, dead) in read.items()} == {
            "with_dead_letters": (2, 2), "clean": (2, 0)}
        epochs = [row["pseudonym_epoch"] for row in read["clean"][0].select("pseudonym_epoch").collect()]
        assert all(re.fullmatch(r"\d{4}-W\d{2}", epoch) for epoch in epochs)
    finally:
        spark.stop()
