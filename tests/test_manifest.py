import json

import pytest
from voicescrub.transforms.io.manifest import (
    parse_manifest_line,
    resolve_audio_uri,
    utterance_id_of,
)
from voicescrub.transforms.runtime.errors import ManifestError

GOOD = {"utterance_id": "u-1", "account_id": "acct-00112233", "device_id": "dev-SN-XY12",
        "recorded_at": "2026-11-02T09:14:00Z", "audio_uri": "audio/u1.flac", "locale": "en-US"}


def line(**changes):
    record = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            record.pop(key)
        else:
            record[key] = value
    return json.dumps(record)


def test_valid_line_is_parsed_and_resolved():
    entry = parse_manifest_line(line(), "/data/batch/m.jsonl", 7)
    assert entry.utterance_id == "u-1"
    assert entry.audio_uri == "/data/batch/audio/u1.flac"
    assert entry.recorded_at_us == 1793610840000000
    assert (entry.manifest, entry.line, entry.locale) == ("/data/batch/m.jsonl", 7, "en-US")


def test_offsets_are_normalised_to_utc():
    a = parse_manifest_line(line(recorded_at="2026-11-02T10:14:00+01:00"), "/m.jsonl", 1)
    b = parse_manifest_line(line(), "/m.jsonl", 1)
    assert a.recorded_at_us == b.recorded_at_us


def test_raw_ids_are_hidden_from_repr():
    text = repr(parse_manifest_line(line(), "/m.jsonl", 1))
    assert "acct-00112233" not in text and "dev-SN-XY12" not in text


@pytest.mark.parametrize("raw, reason", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    (line(account_id=...), "missing field: account_id"),
    (line(device_id=""), "missing field: device_id"),
    (line(audio_uri=...), "missing field: audio_uri"),
    (line(recorded_at="yesterday"), "invalid field: recorded_at"),
    (line(recorded_at="2026-11-02T09:14:00"), "invalid field: recorded_at"),
    (line(locale="english please"), "invalid field: locale"),
    (line(utterance_id="../etc/passwd"), "invalid field: utterance_id"),
    (line(account_id=12345678), "field is not a string: account_id"),
    # json.dumps writes the lone surrogate as the escape \ud800, which json.loads reads back.
    (line(account_id="acct-\ud800x"), "invalid field: account_id"),
    (line(device_id="\udfff"), "invalid field: device_id"),
    ("x" * 70000, "longer than the maximum"),
])
def test_bad_lines_name_the_problem_not_the_value(raw, reason):
    with pytest.raises(ManifestError) as caught:
        parse_manifest_line(raw, "/m.jsonl", 3)
    message = str(caught.value)
    assert reason in message
    assert "acct-00112233" not in message and "dev-SN-XY12" not in message


@pytest.mark.parametrize("uri, manifest, expected", [
    ("a/b.wav", "/data/m.jsonl", "/data/a/b.wav"),
    ("../b.wav", "/data/x/m.jsonl", "/data/b.wav"),
    ("/abs/b.wav", "/data/m.jsonl", "/abs/b.wav"),
    ("gs://bucket/b.wav", "/data/m.jsonl", "gs://bucket/b.wav"),
    ("audio/b.wav", "gs://bucket/in/m.jsonl", "gs://bucket/in/audio/b.wav"),
])
def test_audio_uri_resolves_against_the_manifest_folder(uri, manifest, expected):
    assert resolve_audio_uri(uri, manifest) == expected


@pytest.mark.parametrize("raw, expected", [
    (line(), "u-1"),
    (line(account_id=...), "u-1"),
    ("{broken", None),
    (json.dumps({"utterance_id": "has space"}), None),
    (json.dumps({"utterance_id": 5}), None),
])
def test_utterance_id_is_recovered_for_dead_letters_when_safe(raw, expected):
    assert utterance_id_of(raw) == expected


@pytest.mark.parametrize("recorded_at", [
    "9999-12-31T00:00:00Z",        # its ISO week ends past year 9999
    "9999-12-31T23:30:00-05:00",   # past year 9999 in UTC
    "0001-01-01T00:30:00+01:00",   # before year 1 in UTC
])
def test_a_time_whose_epoch_cannot_be_named_is_a_bad_line(recorded_at):
    with pytest.raises(ManifestError, match="recorded_at"):
        parse_manifest_line(line(recorded_at=recorded_at), "/m.jsonl", 1)


def test_a_time_late_in_year_9998_is_fine():
    assert parse_manifest_line(line(recorded_at="9998-06-01T00:00:00Z"), "/m.jsonl", 1)


@pytest.mark.parametrize("raw, number, expected", [
    (b'{"a": "caf\xc3\xa9"}\n', 1, '{"a": "café"}\n'),
    (b'\xef\xbb\xbf{"a": 1}\n', 1, '{"a": 1}\n'),    # a BOM opening the file
])
def test_lines_are_utf8(raw, number, expected):
    from voicescrub.transforms.io.manifest import decode_line

    assert decode_line(raw, number) == expected


@pytest.mark.parametrize("raw", [b'{"account_id": "acct-\xff\xfe"}', b"\xfa\xfb", b"\xc3"])
def test_a_line_that_is_not_utf8_is_refused_not_repaired(raw):
    from voicescrub.transforms.io.manifest import decode_line

    with pytest.raises(ManifestError, match="UTF-8"):
        decode_line(raw, 2)


def test_blank_means_ascii_whitespace_only():
    from voicescrub.transforms.io.manifest import is_blank

    assert is_blank(b"  \t\r\n") and not is_blank(b"\xc2\xa0\n") and not is_blank(b"{}")


def test_file_uris_are_local_paths():
    assert resolve_audio_uri("file:///data/a%20b/u1.flac", "/m/m.jsonl") == "/data/a b/u1.flac"
    assert parse_manifest_line(line(audio_uri="file:///data/u1.flac"), "/m.jsonl", 1).audio_uri \
        == "/data/u1.flac"
