import pytest

from pipeline.options import parse_job_args, run_tag_for
from run_local import SAMPLE_MANIFEST, with_defaults


def test_job_flags_are_ours_and_the_rest_goes_to_beam():
    config, beam_args = parse_job_args([
        "--manifest", "m/*.jsonl", "--output", "out/", "--runner", "DirectRunner",
        "--direct_num_workers", "2", "--asr-beam-size", "1", "--audio-redaction", "silence",
        "--pad-before-ms", "200", "--beep-level", "-18"])
    assert beam_args == ["--runner", "DirectRunner", "--direct_num_workers", "2"]
    assert config.output == "out"
    assert config.asr.beam_size == 1
    assert config.audio_redaction == "silence"
    assert config.pad_before_s == pytest.approx(0.2)
    assert config.tone_level == -18.0
    assert config.asr.temperature_fallback is False
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--asr-temperature-fallback"])
    assert config.asr.temperature_fallback is True
    assert config.asr.pack is True
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--no-asr-pack",
                                "--asr-window-batch-size", "1"])
    assert (config.asr.pack, config.asr.window_batch_size) == (False, 1)


def test_asr_threads_default_to_one_single_thread_replica_per_core_and_the_audit_to_greedy():
    import os

    from transforms.audit import relisten_settings

    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    assert (config.asr.workers, config.asr.cpu_threads) == (0, 1)
    assert config.asr.replicas == len(os.sched_getaffinity(0))
    relisten = relisten_settings(config.asr, config.audit_beam_size)
    assert (relisten.beam_size, relisten.timestamp_tokens, config.asr.beam_size) == (1, True, 5)
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--asr-workers", "3",
                                "--asr-cpu-threads", "2", "--audit-beam-size", "5"])
    assert (config.asr.replicas, config.asr.cpu_threads, config.audit_beam_size) == (3, 2, 5)


@pytest.mark.parametrize("bad", [
    ["--output-shards", "0"], ["--asr-beam-size", "0"], ["--asr-window-batch-size", "0"],
    ["--asr-workers", "-1"], ["--asr-cpu-threads", "-1"], ["--audit-beam-size", "0"], ["--beep-level", "loud"],
    ["--beep-level", "3"], ["--pad-after-ms", "-1"], ["--audio-format", "mp3"],
    ["--pseudonym-period", "year"],
])
def test_invalid_job_flags_stop_before_the_pipeline_starts(bad):
    with pytest.raises(SystemExit):
        parse_job_args(["--manifest", "m", "--output", "o"] + bad)


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
    from pipeline.build import audio_redaction_settings
    from transforms.pii import load_pii_config

    pii_config = load_pii_config()
    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    fitted = audio_redaction_settings(config, pii_config)
    assert fitted.start_at_dip is not None and fitted.end_at_pause is not None
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--fixed-pads", "--pad-before-ms", "250"])
    fixed = audio_redaction_settings(config, pii_config)
    assert (fixed.start_at_dip, fixed.end_at_pause, fixed.pad_before_s) == (None, None, pytest.approx(0.25))


def test_locales_narrow_the_english_pack_and_the_gate_is_a_setting():
    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    assert config.locales.accepted == ("en-*",) and config.asr.language == "en"
    config, _ = parse_job_args(["--manifest", "m", "--output", "o", "--locales", "en-US,en_gb",
                                "--min-word-probability", "0.6",
                                "--min-word-probability-with-digits", "0.2"])
    assert config.locales.accepts("en-GB") and not config.locales.accepts("en-AU")
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
