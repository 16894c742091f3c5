"""Errors of the automation domain, each with a stable code."""

from __future__ import annotations

from kefu.core.errors import Conflict, Forbidden, NotFound


class RuleNotFound(NotFound):
    """No such rule in this workspace."""

    code = "not_found"


class MacroNotFound(NotFound):
    """No such macro in this workspace."""

    code = "not_found"


class TaskNotFound(NotFound):
    """No such task in this workspace."""

    code = "not_found"


class HandoffNotFound(NotFound):
    """No such hand-off in this workspace."""

    code = "not_found"


class DuplicateRuleKey(Conflict):
    """Another rule of the workspace has this key."""

    code = "duplicate_rule_key"


class NotADepartment(Conflict):
    """Hand-offs go to department teams only."""

    code = "not_a_department"


class HandoffClosed(Conflict):
    """The hand-off is already answered or cancelled."""

    code = "handoff_closed"


class NotInDepartment(Forbidden):
    """Only a member of the department (or a supervisor) answers its hand-offs."""

    code = "not_in_department"
