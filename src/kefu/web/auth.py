"""Who is looking at a console page: the session cookie as agent, workspace, CSRF token and UI locale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from kefu.accounts.dependencies import SESSION_COOKIE
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentOut, Principal, WorkspaceOut
from kefu.db.tenancy import bind_workspace
from kefu.web import operations as ops
from kefu.web.i18n import choose_locale

WRITER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT})


@dataclass(frozen=True)
class Viewer:
    """The agent of a console request."""

    principal: Principal
    agent: AgentOut
    workspace: WorkspaceOut
    csrf_token: str
    locale: str

    @property
    def can_write(self) -> bool:
        """Whether the agent's role may change conversations (QA inspectors only read)."""
        return self.principal.role in WRITER_ROLES


@contextmanager
def unit_of_work(request: Request) -> Iterator[Session]:
    """The page request's session: committed when the page is built, rolled back on an error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def page_viewer(
    session: Session, request: Request, *, csrf_token: str | None = None, needs_csrf: bool = False
) -> Viewer | None:
    """The agent of the session cookie (bound as the session's workspace), or None when not logged in.

    Form posts pass the form's CSRF token and `needs_csrf`; a wrong token is a 403 `csrf_failed`.
    """
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    principal = ops.authenticate_session(session, secret=cookie, csrf_token=csrf_token, needs_csrf=needs_csrf)
    if principal is None or principal.restricted:  # a session restricted to 2FA enrolment shows no page
        return None
    bind_workspace(session, principal.workspace_id)
    described = ops.describe_session(session, principal=principal)
    locale = choose_locale(described.agent.languages, described.workspace.default_language)
    return Viewer(principal, described.agent, described.workspace, described.csrf_token or "", locale)
