"""Fetching one workspace-scoped row by primary key, the same way in every domain."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.orm import Session

from kefu.core.errors import NotFound
from kefu.db.base import WorkspaceScoped

Row = TypeVar("Row", bound=WorkspaceScoped)


def get_scoped(
    session: Session, model: type[Row], row_id: uuid.UUID, *, workspace_id: uuid.UUID, what: str
) -> Row:
    """The row with this id in this workspace; NotFound (404) when missing or in another workspace."""
    row = session.get(model, row_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"{what} not found")
    return row
