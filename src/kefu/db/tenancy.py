"""Tenancy guard: a session bound to a workspace only loads rows of that workspace."""

from __future__ import annotations

import uuid

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from kefu.db.base import WorkspaceScoped

WORKSPACE_KEY = "workspace_id"


def bind_workspace(session: Session, workspace_id: uuid.UUID) -> None:
    """Restrict every ORM query of this session to one workspace."""
    session.info[WORKSPACE_KEY] = workspace_id


def bound_workspace(session: Session) -> uuid.UUID | None:
    """The workspace a session is bound to, if any."""
    return session.info.get(WORKSPACE_KEY)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_workspace(state: ORMExecuteState) -> None:
    workspace_id = state.session.info.get(WORKSPACE_KEY)
    if workspace_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            WorkspaceScoped,
            lambda cls: cls.workspace_id == workspace_id,
            include_aliases=True,
        )
    )
