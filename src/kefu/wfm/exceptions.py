"""Errors of workforce management, each a 4xx with a stable code."""

from __future__ import annotations

from kefu.core.errors import ValidationFailed


class StaffingInputInvalid(ValidationFailed):
    """A staffing input is out of its range (the code names which)."""


class StaffingUnreachable(ValidationFailed):
    """No number of agents up to the cap meets the targets."""

    code = "unstaffable"
