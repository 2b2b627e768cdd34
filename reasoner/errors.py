"""Error types that the command line turns into clear messages and exit codes.

Exit codes are part of the user contract (docs/output-contract.md): 0 input read,
1 a patient graph violates a shape, 2 unreadable input or a usage error.
"""

from __future__ import annotations


class TrdError(Exception):
    """Base class for errors that are reported to the user as one line, never a traceback."""

    exit_code: int = 2


class InputError(TrdError):
    """An input could not be read safely (bad syntax, unsafe construct, too large, not FHIR)."""

    exit_code = 2


class RuleError(TrdError):
    """The rule set is unusable (a dependency cycle, a rule that does not parse)."""

    exit_code = 2


class PolicyError(TrdError):
    """A policy name or file is unknown or malformed."""

    exit_code = 2
