"""HTTP API of data protection: customer export and erasure, retention settings and a run now."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from kefu.accounts.dependencies import require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.privacy import service
from kefu.privacy.schemas import (
    CustomerExport,
    ErasureIn,
    ErasureOut,
    PrivacySettingsOut,
    PrivacySettingsUpdate,
    RetentionRunOut,
)

router = APIRouter(prefix="/privacy", tags=["privacy"], route_class=UnitOfWorkRoute)

AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]
CustomerDataPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]


@router.get("/settings", response_model=PrivacySettingsOut)
def read_settings(principal: AdminPrincipal, session: DbSession) -> PrivacySettingsOut:
    """The workspace's retention policy."""
    return service.get_privacy_settings(session, workspace_id=principal.workspace_id)


@router.patch("/settings", response_model=PrivacySettingsOut)
def update_settings(
    data: PrivacySettingsUpdate, principal: AdminPrincipal, session: DbSession
) -> PrivacySettingsOut:
    """Change the retention policy (`retention_days`, `retention_action`)."""
    return service.update_privacy_settings(
        session, workspace_id=principal.workspace_id, data=data, actor_agent_id=principal.agent_id
    )


@router.post("/retention/run", response_model=RetentionRunOut)
def run_retention(principal: AdminPrincipal, session: DbSession) -> RetentionRunOut:
    """Apply the retention policy now to one batch (the hourly job does the same for every workspace)."""
    return service.apply_retention(
        session, workspace_id=principal.workspace_id, actor_agent_id=principal.agent_id
    )


@router.get("/customers/{customer_id}/export", response_model=CustomerExport)
def export_customer(
    customer_id: uuid.UUID, principal: CustomerDataPrincipal, session: DbSession
) -> CustomerExport:
    """Everything stored about one customer as JSON (a data subject's access request)."""
    return service.export_customer(
        session,
        workspace_id=principal.workspace_id,
        customer_id=customer_id,
        actor_agent_id=principal.agent_id,
    )


@router.post("/customers/{customer_id}/erase", response_model=ErasureOut)
def erase_customer(
    customer_id: uuid.UUID,
    principal: CustomerDataPrincipal,
    session: DbSession,
    data: ErasureIn | None = None,
) -> ErasureOut:
    """Remove the customer's personal data (identities, name, message texts); counts stay."""
    return service.erase_customer(
        session,
        workspace_id=principal.workspace_id,
        customer_id=customer_id,
        data=data or ErasureIn(),
        actor_agent_id=principal.agent_id,
    )
