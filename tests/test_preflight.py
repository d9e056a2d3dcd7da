"""A configuration the run cannot honour fails before any audio is read, in one line."""

from __future__ import annotations

import pytest
from production_support import job_args, write_subset_manifest
from voicescrub.pipeline.run import main


@pytest.fixture
def manifest(tmp_path):
    return write_subset_manifest(str(tmp_path / "in"), ("s03",))


def fails_in_one_line(argv) -> str:
    with pytest.raises(SystemExit) as failure:
        main(argv)
    message = str(failure.value.code)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def test_an_output_that_is_a_file(tmp_path, manifest):
    (tmp_path / "out").write_text("not a folder")
    message = fails_in_one_line(job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr")))
    assert "--output" in message
    assert not (tmp_path / "kr").exists()  # nothing was created


def test_an_asr_model_that_is_not_here(tmp_path, manifest):
    argv = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"), "--asr-model",
                    "nonexistent")
    assert "--asr-model" in fails_in_one_line(argv)
    (tmp_path / "empty_model").mkdir()
    argv = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"), "--asr-model",
                    str(tmp_path / "empty_model"))
    assert "--asr-model" in fails_in_one_line(argv)


@pytest.mark.parametrize("text", ["entities: [unclosed", "- just\n- a list\n", "spacy_model: 3\n"])
def test_a_pii_config_that_does_not_load(tmp_path, manifest, text):
    config = tmp_path / "pii.yaml"
    config.write_text(text)
    argv = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"), "--pii-config",
                    str(config))
    assert "--pii-config" in fails_in_one_line(argv)


def test_no_create_keys_with_an_empty_keyring(tmp_path, manifest):
    argv = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"), "--no-create-keys")
    assert "--no-create-keys" in fails_in_one_line(argv)
    assert not (tmp_path / "out" / "utterances").exists()


@pytest.mark.parametrize("flag, value", [("--max-audio-mb", "inf"), ("--max-duration-s", "nan"),
                                         ("--pad-before-ms", "-inf"), ("--beep-level", "nan"),
                                         ("--beep-hz", "0")])
def test_numbers_must_be_finite_and_in_range(tmp_path, manifest, flag, value):
    argv = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"), f"{flag}={value}")
    assert flag in fails_in_one_line(argv)


@pytest.mark.parametrize("flag, value", [("--review-sample-rate", "0"),
                                         ("--review-sample-rate", "1.5"),
                                         ("--review-sample-rate", "nan"),
                                         ("--max-clips-per-speaker-epoch", "0"),
                                         ("--opt-out", " ")])
def test_review_selection_settings_must_be_in_range(tmp_path, manifest, flag, value):
    argv = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"), f"{flag}={value}")
    assert flag in fails_in_one_line(argv)


def test_an_opt_out_list_that_is_missing_or_not_utf8_stops_the_run(tmp_path, manifest):
    (tmp_path / "good.txt").write_bytes(b"acct-1\n")
    missing = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"),
                       "--opt-out", str(tmp_path / "good.txt"), "--opt-out", str(tmp_path / "no.txt"))
    assert "--opt-out" in fails_in_one_line(missing)
    unknown_scheme = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"),
                              "--opt-out", "nosuchscheme://bucket/list.txt")
    assert "--opt-out" in fails_in_one_line(unknown_scheme)
    (tmp_path / "bad.txt").write_bytes(b"acct-1\nacct-\xff\n")
    bad = job_args(manifest, str(tmp_path / "out"), str(tmp_path / "kr"),
                   "--opt-out", str(tmp_path / "bad.txt"))
    message = fails_in_one_line(bad)
    assert "UTF-8" in message and "acct" not in message
    assert not (tmp_path / "out" / "utterances").exists()
