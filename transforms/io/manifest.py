"""Parse and validate manifest lines (JSON Lines), one utterance per line.

Plain Python; ``transforms/stages/read_manifest.py`` wraps it. Error messages name
the field that is wrong, never its value: a malformed line may still carry an
account ID.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Optional

from voicescrub.schemas.records import ManifestEntry
from voicescrub.transforms.language.packs import is_locale
from voicescrub.transforms.privacy.pseudonyms import parse_recorded_at
from voicescrub.transforms.runtime.errors import ManifestError

REQUIRED_FIELDS = ("utterance_id", "account_id", "device_id", "recorded_at", "audio_uri", "locale")
MAX_LINE_CHARS = 64 * 1024
MAX_ID_CHARS = 256
# Utterance IDs are written to both outputs, so they must be safe to show:
# printable, no path separators or control characters.
_UTTERANCE_ID = re.compile(r"^[A-Za-z0-9._:@+=-]{1,256}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_blank(raw_line: bytes) -> bool:
    """Whether a manifest line holds nothing but ASCII whitespace (a blank line is no
    utterance). The reader and the summary's line count both use this one rule."""
    return not raw_line.strip()


def decode_line(raw_line: bytes, line_number: int) -> str:
    """A manifest line's text. Manifests are UTF-8: a line that is not is refused, never
    repaired (two IDs whose bad bytes were each replaced by U+FFFD would read as one).

    :raises ManifestError: for a line that is not valid UTF-8.
    """
    try:
        text = raw_line.decode("utf-8")
    except UnicodeDecodeError:
        raise ManifestError("manifest line is not valid UTF-8") from None
    return text.lstrip("\ufeff") if line_number == 1 else text


def local_path_of(uri: str) -> str:
    """A ``file://`` URI as the local path it names (Beam's local filesystem takes plain
    paths); any other URI or path unchanged."""
    if not uri.startswith("file://"):
        return uri
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(uri).path) or "/"


def resolve_audio_uri(audio_uri: str, manifest_path: str) -> str:
    """Resolve a relative ``audio_uri`` against the manifest's own folder.

    Works for local paths and for any Beam filesystem (``gs://``, ``s3://``). A
    ``file://`` URI is a local path (Beam's local filesystem takes plain paths).
    """
    audio_uri = local_path_of(audio_uri)
    if _SCHEME.match(audio_uri) or audio_uri.startswith("/"):
        return audio_uri
    if _SCHEME.match(manifest_path):
        folder = manifest_path.rsplit("/", 1)[0]
        return folder + "/" + audio_uri
    import os.path

    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(manifest_path)), audio_uri))


def utterance_id_of(line: str) -> Optional[str]:
    """The line's utterance ID if it can be read and is safe to show, else None."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if isinstance(record, dict):
        value = record.get("utterance_id")
        if isinstance(value, str) and _UTTERANCE_ID.match(value):
            return value
    return None


def parse_manifest_line(line: str, manifest: str, line_number: int) -> ManifestEntry:
    """Validate one manifest line.

    :param line: the raw text of the line.
    :param manifest: the manifest's path, used to resolve relative audio URIs.
    :param line_number: 1-based line number, kept for the dead letter.
    :raises ManifestError: naming the first problem found (field names only).
    """
    if len(line) > MAX_LINE_CHARS:
        raise ManifestError("manifest line is longer than the maximum")
    try:
        record: Any = json.loads(line)
    except (ValueError, RecursionError):
        raise ManifestError("manifest line is not valid JSON") from None
    if not isinstance(record, dict):
        raise ManifestError("manifest line is not a JSON object")
    fields: Dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ManifestError(f"missing field: {name}")
        if not isinstance(value, str):
            raise ManifestError(f"field is not a string: {name}")
        if len(value) > (MAX_LINE_CHARS if name == "audio_uri" else MAX_ID_CHARS):
            raise ManifestError(f"field is too long: {name}")
        try:
            # JSON escapes can spell a lone surrogate, which no UTF-8 text holds: every
            # later hash or write of the field would fail on it.
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ManifestError(f"invalid field: {name}") from None
        fields[name] = value.strip()
    if not _UTTERANCE_ID.match(fields["utterance_id"]):
        raise ManifestError("invalid field: utterance_id")
    if not is_locale(fields["locale"]):
        raise ManifestError("invalid field: locale")
    try:
        recorded_at_us = parse_recorded_at(fields["recorded_at"])
    except ValueError:
        raise ManifestError("invalid field: recorded_at") from None
    return ManifestEntry(
        utterance_id=fields["utterance_id"],
        account_id=fields["account_id"],
        device_id=fields["device_id"],
        recorded_at_us=recorded_at_us,
        audio_uri=resolve_audio_uri(fields["audio_uri"], manifest),
        locale=fields["locale"],
        manifest=manifest,
        line=line_number,
    )
