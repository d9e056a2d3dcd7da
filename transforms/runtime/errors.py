"""Errors that send a clip to the dead letter, and the safe text written for them.

Every error raised on purpose by voicescrub derives from :class:`ScrubError` and
carries a fixed, data-free message. Anything else (a library's exception) may
quote its input, so only its type name is kept and the message is replaced.
"""

from __future__ import annotations


class ScrubError(Exception):
    """A clip cannot be scrubbed safely. ``str(error)`` is fixed text with no data in it."""


class ManifestError(ScrubError):
    """A manifest line is malformed or misses a field."""


class AudioReadError(ScrubError):
    """The audio file is missing, empty, unreadable or too large."""


class AudioDecodeError(ScrubError):
    """The audio bytes are not decodable audio, or decode to nothing usable."""


class PseudonymError(ScrubError):
    """No epoch key is available for a clip."""


def stage_of(error: BaseException, stage: str) -> str:
    """The stage a dead letter names for ``error`` raised in ``stage``: our own error
    may name the stage its reason belongs to (a clip refused for its language is a
    ``language`` dead letter wherever the refusal was found)."""
    named = getattr(error, "stage", None) if isinstance(error, ScrubError) else None
    return named if isinstance(named, str) and named else stage


def safe_error_message(error: BaseException, stage: str) -> str:
    """The text written to ``dead_letter.error_message`` for ``error``.

    Only our own errors' messages are trusted; a foreign exception's message
    could hold a transcript, a path with an account number, or a key.
    """
    if isinstance(error, ScrubError):
        return str(error)
    return f"unexpected {type(error).__name__} in stage {stage}"
