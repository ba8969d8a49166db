"""Background jobs as typed messages (cosmicpython's ``domain/commands.py``).

A use case that wants work done later enqueues a message, ``await queue.enqueue(ProcessRecording(tid))``:
a job that does not exist, or wrong arguments, fail at type-check time instead of as a dead letter.
Each message is a small frozen class in the use-case module that runs it; its fields are the job's
arguments (JSON values: they travel through the broker) and ``name`` is the broker's actor name,
which must never change while messages of that name may be queued. The worker registry
(``reflector_app/workers/jobs.py``) maps every message type to the use case that runs it; the actors
and the periodic schedule are built from that one table.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
from attrs import frozen


@frozen
class Job:
    name: ClassVar[str]

    def arguments(self) -> dict[str, Any]:
        """The fields as the broker's keyword arguments; ``type(job)(**job.arguments())`` is ``job`` again."""
        return attrs.asdict(self)
