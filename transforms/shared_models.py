"""Load heavy models once per worker process, shared by every DoFn instance in it.

``apache_beam.utils.shared.Shared`` keeps one object per process and tag; a DoFn
holds only the handle and the settings (both picklable) and acquires the model
in ``setup``. A counter records each real load, so a run can prove it loaded
each model once per process.
"""

from __future__ import annotations

from typing import Any, Callable

from apache_beam.metrics import Metrics
from apache_beam.utils.shared import Shared

from transforms.stage import METRICS_NAMESPACE


class ModelHolder:
    """What ``Shared`` keeps: it needs a weak-referenceable object, and some models
    (C++ wrappers) are not. ``Shared`` only holds it weakly, so the DoFn must keep
    the holder itself, not just ``holder.value``, or the model is reloaded."""

    def __init__(self, value: Any) -> None:
        self.value = value


def acquire_shared(handle: Shared, tag: str, counter_name: str,
                   load: Callable[[], Any]) -> ModelHolder:
    """The process-wide holder for ``tag``, loading it with ``load`` the first time."""
    counter = Metrics.counter(METRICS_NAMESPACE, counter_name)

    def _load() -> ModelHolder:
        counter.inc()
        return ModelHolder(load())

    return handle.acquire(_load, tag=tag)
