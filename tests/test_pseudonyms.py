"""Tests for transforms/privacy/pseudonyms.py: epochs, pseudonyms, coarse timestamps.

Keys and account IDs are never put in an assertion message: comparisons are
on booleans, lengths or digests, so a failure cannot print them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timezone

import pytest
from voicescrub.transforms.privacy.pseudonyms import (
    PERIODS,
    coarsen_timestamp_us,
    epoch_bounds,
    epoch_for,
    epoch_period,
    epoch_sort_key,
    is_valid_epoch,
    parse_recorded_at,
    speaker_pseudonym,
)


def _us(iso: str) -> int:
    """Test helper: ISO-8601 with Z → UTC microseconds, computed independently."""
    parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(round(parsed.timestamp() * 1_000_000))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-02T09:14:00Z", "2026-11-02T09:14:00Z"),
        ("2026-11-02T10:14:00+01:00", "2026-11-02T09:14:00Z"),
        ("2026-11-02T04:14:00-05:00", "2026-11-02T09:14:00Z"),
        ("2026-11-02T09:14:00.123456Z", "2026-11-02T09:14:00.123456Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
    ],
)
def test_parse_recorded_at_converts_to_utc_microseconds(value: str, expected: str) -> None:
    assert parse_recorded_at(value) == _us(expected)


@pytest.mark.parametrize(
    "value",
    ["2026-11-02T09:14:00", "2026-11-02", "yesterday", "", "2026-13-02T09:14:00Z", None, 12],
)
def test_parse_recorded_at_rejects_naive_and_malformed_with_fixed_message(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_recorded_at(value)  # type: ignore[arg-type]
    assert str(caught.value) in {
        "recorded_at must be an ISO-8601 string",
        "recorded_at is not an ISO-8601 timestamp",
        "recorded_at must carry Z or a UTC offset",
    }
    # the original error (which quotes the value) must not be chained
    assert caught.value.__context__ is None or caught.value.__suppress_context__


@pytest.mark.parametrize(
    "iso, period, expected",
    [
        ("2026-11-02T09:14:00Z", "week", "2026-W45"),
        ("2026-11-02T09:14:00Z", "day", "2026-11-02"),
        ("2026-11-02T09:14:00Z", "month", "2026-11"),
        ("2026-11-01T23:59:59.999999Z", "week", "2026-W44"),  # Sunday ends W44
        ("2027-01-01T00:00:00Z", "week", "2026-W53"),  # ISO year differs
        ("2025-12-29T00:00:00Z", "week", "2026-W01"),
        ("2026-12-31T23:59:59Z", "month", "2026-12"),
        ("2026-11-02T00:30:00+01:00", "day", "2026-11-01"),  # epochs are UTC
    ],
)
def test_epoch_for_names_utc_periods(iso: str, period: str, expected: str) -> None:
    assert epoch_for(parse_recorded_at(iso), period) == expected


def test_epoch_for_defaults_to_iso_week() -> None:
    assert epoch_for(_us("2026-11-02T09:14:00Z")) == "2026-W45"


@pytest.mark.parametrize("period", ["year", "", "Week"])
def test_epoch_for_rejects_unknown_period(period: str) -> None:
    with pytest.raises(ValueError, match="unknown pseudonym period"):
        epoch_for(0, period)


@pytest.mark.parametrize(
    "epoch, start, end, period",
    [
        ("2026-W45", "2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z", "week"),
        ("2026-W53", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", "week"),
        ("2026-11-02", "2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z", "day"),
        ("2026-11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "month"),
        ("2026-12", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", "month"),
    ],
)
def test_epoch_bounds_are_utc_half_open(epoch: str, start: str, end: str, period: str) -> None:
    bounds = epoch_bounds(epoch)
    assert bounds == (
        datetime.fromisoformat(start.replace("Z", "+00:00")),
        datetime.fromisoformat(end.replace("Z", "+00:00")),
    )
    assert bounds[0].tzinfo == timezone.utc
    assert epoch_period(epoch) == period


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize(
    "iso", ["2026-01-01T00:00:00Z", "2026-11-02T09:14:00Z", "2027-01-03T23:59:59.999999Z"]
)
def test_epoch_bounds_contain_the_recording(iso: str, period: str) -> None:
    recorded_at_us = _us(iso)
    start, end = epoch_bounds(epoch_for(recorded_at_us, period))
    recorded_at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    assert start <= recorded_at < end


@pytest.mark.parametrize(
    "epoch",
    ["../etc", "2026-W54", "2025-W53", "2026-W00", "2026-13", "2026-02-30", "2026-W4",
     "2026-11-02/x", "2026-11 ", "", "2026-W45.key", "２０２６-11"],
)
def test_invalid_epoch_names_are_refused(epoch: str) -> None:
    assert not is_valid_epoch(epoch)
    with pytest.raises(ValueError, match="^invalid epoch name$"):
        epoch_bounds(epoch)


@pytest.mark.parametrize("period", PERIODS)
def test_epoch_names_sort_chronologically(period: str) -> None:
    day_us = 86_400 * 1_000_000
    start = _us("2025-06-01T00:00:00Z")
    names = [epoch_for(start + i * day_us, period) for i in range(0, 800, 3)]
    assert names == sorted(names)
    assert names == sorted(names, key=epoch_sort_key)


def test_pseudonym_is_hmac_sha256_base32_lower_130_bits() -> None:
    key = bytes(range(32))
    pseudonym = speaker_pseudonym(key, "account-1")
    digest = hmac.new(key, b"account-1", hashlib.sha256).digest()
    expected = base64.b32encode(digest).decode().lower().rstrip("=")[:26]
    assert pseudonym == expected
    assert re.fullmatch(r"[a-z2-7]{26}", pseudonym)


def test_same_key_same_account_same_pseudonym() -> None:
    key = secrets.token_bytes(32)
    assert speaker_pseudonym(key, "acct") == speaker_pseudonym(bytes(key), "acct")


def test_different_epoch_keys_give_unrelated_pseudonyms() -> None:
    keys = [secrets.token_bytes(32) for _ in range(20)]
    pseudonyms = {speaker_pseudonym(k, "acct") for k in keys}
    assert len(pseudonyms) == len(keys)


def test_no_collisions_on_100k_synthetic_accounts() -> None:
    key = secrets.token_bytes(32)
    pseudonyms = {speaker_pseudonym(key, f"acct-{i:06d}") for i in range(100_000)}
    assert len(pseudonyms) == 100_000


@pytest.mark.parametrize(
    "key, account_id, message",
    [
        (b"short", "acct", "epoch key must be 32 bytes"),
        (b"x" * 33, "acct", "epoch key must be 32 bytes"),
        ("k" * 32, "acct", "epoch key must be 32 bytes"),
        (b"k" * 32, "", "account_id must be a non-empty string"),
        (b"k" * 32, None, "account_id must be a non-empty string"),
    ],
)
def test_pseudonym_refuses_bad_inputs_with_fixed_message(
    key: object, account_id: object, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        speaker_pseudonym(key, account_id)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "granularity, expected",
    [
        ("none", "2026-11-02T09:14:37.123456Z"),
        ("minute", "2026-11-02T09:14:00Z"),
        ("hour", "2026-11-02T09:00:00Z"),
        ("day", "2026-11-02T00:00:00Z"),
    ],
)
def test_coarsen_timestamp_floors_in_utc(granularity: str, expected: str) -> None:
    recorded_at_us = parse_recorded_at("2026-11-02T09:14:37.123456Z")
    assert coarsen_timestamp_us(recorded_at_us, granularity) == parse_recorded_at(expected)


def test_coarsen_timestamp_defaults_to_hour_and_floors_before_1970() -> None:
    assert coarsen_timestamp_us(parse_recorded_at("2026-11-02T09:14:37Z")) == parse_recorded_at(
        "2026-11-02T09:00:00Z"
    )
    assert coarsen_timestamp_us(-1, "day") == parse_recorded_at("1969-12-31T00:00:00Z")


@pytest.mark.parametrize("granularity, value", [("second", 0), ("hour", 1.5), ("hour", True)])
def test_coarsen_timestamp_rejects_bad_inputs(granularity: str, value: object) -> None:
    with pytest.raises(ValueError):
        coarsen_timestamp_us(value, granularity)  # type: ignore[arg-type]
