"""Errors of the complaints domain, each with a stable code."""

from __future__ import annotations

from kefu.core.errors import Conflict, NotFound


class ComplaintNotFound(NotFound):
    """No such complaint in this workspace."""

    code = "not_found"


class StepOutOfOrder(Conflict):
    """Handling steps are taken in order (listen, apologise, solve, follow up), each once."""

    code = "step_out_of_order"
