"""A time bound on one clip's work in one stage.

Plain Python. A stage that can block (reading a file from a filesystem that stops
answering) or run without end (a decoder or a pattern caught on hostile input)
does that work through :func:`within`: past the bound the clip fails with
:class:`ClipTimeout` and is dead-lettered, and the job goes on with the next.

Python cannot stop a thread, so the late call is left to finish (or not) on a
daemon thread of its own; its result, if it ever comes, is dropped. The bound is
for the job, not for the CPU: a clip that hits it is an exception to look into.
"""

from __future__ import annotations

import threading
from typing import Callable, List, TypeVar

from transforms.errors import ScrubError

_T = TypeVar("_T")

#: Default seconds one clip may spend in one bounded stage (``--clip-timeout-s``):
#: far above what a 10-minute clip needs anywhere (``benchmarks/long_clip.py``).
DEFAULT_CLIP_TIMEOUT_S = 300.0


class ClipTimeout(ScrubError):
    """The clip took longer than the per-clip time bound in a stage."""


def within(seconds: float, work: Callable[[], _T]) -> _T:
    """``work()``, or :class:`ClipTimeout` when it has not returned after ``seconds``.

    An exception ``work`` raises is raised here, unchanged.
    """
    outcome: List[object] = []
    failure: List[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
            failure.append(error)

    worker = threading.Thread(target=run, name="voicescrub-clip-work", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise ClipTimeout("the clip took longer than the per-clip time limit in this stage")
    if failure:
        raise failure[0]
    return outcome[0]  # type: ignore[return-value]
