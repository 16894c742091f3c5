"""Public surface of workforce management: staffing, queueing figures and shift scheduling."""

from __future__ import annotations

from kefu.wfm.erlang import (
    agents_for_concurrency as agents_for_concurrency,
)
from kefu.wfm.erlang import (
    email_workload as email_workload,
)
from kefu.wfm.erlang import (
    erlang_c_required as erlang_c_required,
)
from kefu.wfm.erlang import (
    traffic_erlangs as traffic_erlangs,
)
from kefu.wfm.scheduling import (
    AgentSpec as AgentSpec,
)
from kefu.wfm.scheduling import (
    Problem as Problem,
)
from kefu.wfm.scheduling import (
    ShiftTemplate as ShiftTemplate,
)
from kefu.wfm.scheduling import (
    greedy_roster as greedy_roster,
)
from kefu.wfm.scheduling import (
    solve_schedule as solve_schedule,
)
from kefu.wfm.scheduling import (
    understaffed_by as understaffed_by,
)
from kefu.wfm.staffing import compute_staffing as compute_staffing
