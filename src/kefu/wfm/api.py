"""HTTP API of workforce management: staffing, forecasts and their events, schedules."""

from __future__ import annotations

from fastapi import APIRouter

from kefu.accounts.dependencies import CurrentPrincipal
from kefu.db.session import UnitOfWorkRoute
from kefu.wfm import staffing
from kefu.wfm.schemas import StaffingIn, StaffingOut

router = APIRouter(prefix="/wfm", tags=["wfm"], route_class=UnitOfWorkRoute)


@router.post("/staffing", response_model=StaffingOut)
def compute_staffing(data: StaffingIn, _principal: CurrentPrincipal) -> object:
    """The fewest agents for one interval (Erlang C, or Erlang A with patience), and what they achieve."""
    return staffing.compute_staffing(data)
