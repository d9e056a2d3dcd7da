"""A time bound on one clip's work in one stage.

Plain Python. A stage that can block (reading a file from a filesystem that stops
answering) or run long (a decoder, a Whisper call, or detection whose work grows
faster than its transcript: ``benchmarks/hostile_text.py``) does that work through
:func:`within`, or :func:`each_within` for work done on a batch of clips at once:
past the bound the clip fails with :class:`ClipTimeout` and is dead-lettered, and
the job goes on with the next.

Python cannot stop a thread, so the late call is left to finish (or not) on a
daemon thread of its own; its result, if it ever comes, is dropped. The bound is
for the job, not for the CPU: a clip that hits it is an exception to look into.
"""

from __future__ import annotations

import threading
from typing import Callable, List, Sequence, TypeVar, Union

from voicescrub.transforms.runtime.errors import ScrubError

_T = TypeVar("_T")
_Item = TypeVar("_Item")

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


def each_within(seconds: float, items: Sequence[_Item],
                work: Callable[[Sequence[_Item]], List[_T]]) -> List[Union[_T, ClipTimeout]]:
    """``work(items)``, one result per item, with ``seconds`` allowed per item.

    Batched work (clips packed into shared Whisper windows) is bounded as a whole,
    at ``seconds`` times the number of items. A late batch cannot say which item
    held it up, so each item is then worked again alone under its own bound, and
    only an item late on its own comes back as a :class:`ClipTimeout` in its place.
    An exception ``work`` raises is raised here, unchanged.
    """
    if not items:
        return []
    try:
        return within(seconds * len(items), lambda: work(items))
    except ClipTimeout as late:
        if len(items) == 1:
            return [late]
    results: List[Union[_T, ClipTimeout]] = []
    for item in items:
        try:
            (result,) = within(seconds, lambda one=item: work([one]))  # type: ignore[misc]
        except ClipTimeout as late_alone:
            result = late_alone
        results.append(result)
    return results
