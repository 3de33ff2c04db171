"""Speed-dating scheduler: JSON-able instance in, JSON-able solution out.

Public API (used by the web app; no Flask or database import here):

- :func:`load_instance` -- parse and fully validate an instance dict (raises
  :class:`InstanceError` listing every ``(path, message)``);
- :func:`solve` -- solve and return a ``speed-dating-solution/1`` dict;
- :func:`check_solution` -- every hard-rule violation of a solution, in words;
- :func:`solution_findings` -- the same violations as structured :class:`Reason` objects
  (a stable ``code`` and its parameters), for callers that translate them;
- :func:`read_diagnosis` -- the structured reasons behind a solution's ``diagnosis``;
- :func:`unlucky_findings` -- why each participant with wishes got none of them;
- :func:`evaluate` -- objective and metrics of a set of assignments;
- :func:`first_come_first_served` -- the self-service baseline, for comparisons.
"""

from .baseline import first_come_first_served
from .checker import check_solution, evaluate, solution_findings, unlucky_findings
from .diagnosis import read_diagnosis
from .instance import (
    DEFAULT_OPTIONS,
    INSTANCE_FORMAT,
    SOLUTION_FORMAT,
    Instance,
    InstanceError,
    load_instance,
)
from .reasons import Reason
from .solver import solve

__all__ = [
    "DEFAULT_OPTIONS",
    "INSTANCE_FORMAT",
    "SOLUTION_FORMAT",
    "Instance",
    "InstanceError",
    "Reason",
    "check_solution",
    "evaluate",
    "first_come_first_served",
    "load_instance",
    "read_diagnosis",
    "solution_findings",
    "solve",
    "unlucky_findings",
]
