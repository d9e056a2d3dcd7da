"""Rotating keyed speaker pseudonyms, their epochs, and coarse timestamps.

A speaker pseudonym is ``HMAC-SHA-256(epoch_key, account_id)``: stable for one
account inside one epoch (a day, an ISO week or a month of ``recorded_at``, in
UTC) and unlinkable across epochs, because every epoch has its own independent
random key (see ``transforms/privacy/keyring.py``). Shredding an epoch's key makes its
pseudonyms impossible to recompute.

Nothing here logs, and every error carries a fixed message: the inputs are
account IDs, keys and timestamps that must never reach a log or a traceback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Final

from voicescrub.schemas.settings import setting

PERIODS: Final = ("day", "week", "month")
GRANULARITIES: Final = ("none", "minute", "hour", "day")

EPOCH_KEY_BYTES: Final = 32
PSEUDONYM_CHARS: Final = 26  # 26 base32 characters = 130 bits of the HMAC

_UNIX_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US: Final = timedelta(microseconds=1)
_GRANULARITY_US: Final = {
    "minute": 60 * 1_000_000,
    "hour": 3600 * 1_000_000,
    "day": 86400 * 1_000_000,
}
# Strict shapes: anything else (path separators, "..", spaces) is not an epoch.
_EPOCH_PATTERNS: Final = {
    "week": re.compile(r"\A([0-9]{4})-W([0-9]{2})\Z"),
    "day": re.compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})\Z"),
    "month": re.compile(r"\A([0-9]{4})-([0-9]{2})\Z"),
}


@dataclass(frozen=True)
class PseudonymSettings:
    """How account IDs become pseudonyms and what of the time is kept.

    :param pipeline_version: written to every row (the package's version).
    """

    keyring_uri: str = setting("./keyring", "epoch keyring: a local folder or a registered scheme (see "
                          "Pseudonyms, keys and retention)", flag="--keyring")
    period: str = setting("week", "how long a pseudonym lives (week: ISO week)", choices=PERIODS,
                          flag="--pseudonym-period")
    create_keys: bool = setting(True, "create missing epoch keys; off, clips of epochs without a key "
                                "are dead-lettered (keys made ahead by voicescrub-keys)")
    timestamp_granularity: str = setting("hour", "recorded_at is rounded down to this",
                                         choices=GRANULARITIES)
    pipeline_version: str = ""

    def __repr__(self) -> str:
        # The keyring location is configuration, not a secret, but nothing
        # about keys belongs in display data or logs: keep the repr bare.
        return f"PseudonymSettings(period={self.period!r})"


def parse_recorded_at(value: str) -> int:
    """Parse an ISO-8601 timestamp with a UTC offset into UTC microseconds.

    ``2026-11-02T09:14:00Z`` and ``2026-11-02T10:14:00+01:00`` are accepted;
    a timestamp without ``Z`` or an offset is rejected, because guessing its
    zone could put a clip into the wrong epoch.

    :param value: the manifest's ``recorded_at`` string.
    :return: microseconds since the Unix epoch, UTC.
    :raises ValueError: with a fixed message (never the value) if it is not a
        zone-aware ISO-8601 timestamp.
    """
    if not isinstance(value, str):
        raise ValueError("recorded_at must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("recorded_at is not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("recorded_at must carry Z or a UTC offset")
    recorded_at_us = (parsed - _UNIX_EPOCH) // _ONE_US
    # Every epoch the clip could fall in, and its bounds, must be representable: a
    # time near year 9999 can lie past it in UTC, or in an ISO week or month that
    # ends past it, and would otherwise fail later, where one line can stop the job.
    try:
        for period in PERIODS:
            epoch_bounds(epoch_for(recorded_at_us, period))
    except (ValueError, OverflowError):
        raise ValueError("recorded_at is out of the supported range") from None
    return recorded_at_us


def _utc_datetime(recorded_at_us: int) -> datetime:
    """Turn UTC microseconds into an aware ``datetime``.

    :param recorded_at_us: microseconds since the Unix epoch, UTC.
    :raises ValueError: if it is not an int or out of ``datetime``'s range.
    """
    if isinstance(recorded_at_us, bool) or not isinstance(recorded_at_us, int):
        raise ValueError("recorded_at_us must be an integer")
    try:
        return _UNIX_EPOCH + timedelta(microseconds=recorded_at_us)
    except OverflowError:
        raise ValueError("recorded_at_us is out of range") from None


def epoch_for(recorded_at_us: int, period: str = "week") -> str:
    """Name the pseudonym epoch a recording falls in, in UTC.

    Names sort chronologically within a period and tell their period:
    ``2026-W45`` (ISO week, with its ISO year), ``2026-11-02`` (day),
    ``2026-11`` (month).

    :param recorded_at_us: microseconds since the Unix epoch, UTC.
    :param period: one of :data:`PERIODS`.
    :return: the epoch name.
    :raises ValueError: for an unknown period or a bad timestamp.
    """
    if period not in PERIODS:
        raise ValueError("unknown pseudonym period")
    recorded_at = _utc_datetime(recorded_at_us)
    if period == "day":
        return recorded_at.strftime("%Y-%m-%d")
    if period == "month":
        return recorded_at.strftime("%Y-%m")
    iso_year, iso_week, _ = recorded_at.isocalendar()
    return f"{iso_year:04d}-W{iso_week:02d}"


def epoch_period(epoch: str) -> str:
    """Tell which period an epoch name belongs to.

    :param epoch: an epoch name such as ``2026-W45``.
    :return: ``"day"``, ``"week"`` or ``"month"``.
    :raises ValueError: with a fixed message if it is not a valid epoch name.
    """
    epoch_bounds(epoch)
    return next(p for p, pattern in _EPOCH_PATTERNS.items() if pattern.match(epoch))


def epoch_bounds(epoch: str) -> tuple[datetime, datetime]:
    """Give the UTC interval ``[start, end)`` an epoch covers, for retention.

    :param epoch: an epoch name such as ``2026-W45``, ``2026-11-02`` or ``2026-11``.
    :return: aware UTC datetimes ``(start, end)``.
    :raises ValueError: with a fixed message if it is not a valid epoch name.
    """
    if not isinstance(epoch, str):
        raise ValueError("invalid epoch name")
    try:
        if match := _EPOCH_PATTERNS["week"].match(epoch):
            start_day = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            end_day = start_day + timedelta(days=7)
        elif match := _EPOCH_PATTERNS["day"].match(epoch):
            start_day = date(int(match[1]), int(match[2]), int(match[3]))
            end_day = start_day + timedelta(days=1)
        elif match := _EPOCH_PATTERNS["month"].match(epoch):
            year, month = int(match[1]), int(match[2])
            start_day = date(year, month, 1)
            end_day = date(year + month // 12, month % 12 + 1, 1)
        else:
            raise ValueError
    except (ValueError, OverflowError):
        raise ValueError("invalid epoch name") from None
    start = datetime(start_day.year, start_day.month, start_day.day, tzinfo=timezone.utc)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=timezone.utc)
    return start, end


def is_valid_epoch(epoch: str) -> bool:
    """Say whether a string is a well-formed epoch name (safe as a file name).

    :param epoch: the candidate name.
    """
    try:
        epoch_bounds(epoch)
    except ValueError:
        return False
    return True


def epoch_sort_key(epoch: str) -> tuple[datetime, datetime, str]:
    """Order epochs chronologically, even when periods are mixed.

    :param epoch: a valid epoch name.
    """
    start, end = epoch_bounds(epoch)
    return start, end, epoch


def speaker_pseudonym(epoch_key: bytes, account_id: str) -> str:
    """Compute an account's pseudonym for one epoch.

    ``HMAC-SHA-256(epoch_key, account_id)`` encoded as lower-case base32
    without padding, truncated to 26 characters (130 bits): short, URL-safe,
    and far from colliding at any realistic number of accounts.

    :param epoch_key: the epoch's 32-byte key from the keyring.
    :param account_id: the raw account ID (UTF-8 encoded before hashing).
    :return: the pseudonym.
    :raises ValueError: with a fixed message if the key or the ID is malformed.
    """
    if not isinstance(epoch_key, bytes) or len(epoch_key) != EPOCH_KEY_BYTES:
        raise ValueError("epoch key must be 32 bytes")
    if not isinstance(account_id, str) or not account_id:
        raise ValueError("account_id must be a non-empty string")
    digest = hmac.new(epoch_key, account_id.encode("utf-8"), hashlib.sha256).digest()
    encoded = base64.b32encode(digest).decode("ascii").rstrip("=").lower()
    return encoded[:PSEUDONYM_CHARS]


def coarsen_timestamp_us(recorded_at_us: int, granularity: str = "hour") -> int:
    """Round a timestamp down to a coarser UTC granularity.

    Exact recording times help re-identify a speaker; reviewers need only the
    hour, or less.

    :param recorded_at_us: microseconds since the Unix epoch, UTC.
    :param granularity: one of :data:`GRANULARITIES`; ``"none"`` keeps it as is.
    :return: the start of the minute, hour or UTC day, in microseconds.
    :raises ValueError: for an unknown granularity or a non-integer timestamp.
    """
    if granularity not in GRANULARITIES:
        raise ValueError("unknown timestamp granularity")
    if isinstance(recorded_at_us, bool) or not isinstance(recorded_at_us, int):
        raise ValueError("recorded_at_us must be an integer")
    if granularity == "none":
        return recorded_at_us
    step = _GRANULARITY_US[granularity]
    return recorded_at_us // step * step
