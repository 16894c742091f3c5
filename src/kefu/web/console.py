"""Console pages: login, logout, settings, inbox, conversation (server-rendered, forms work without JS)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kefu.accounts.dependencies import SESSION_COOKIE
from kefu.accounts.exceptions import (
    InvalidCredentials,
    InvalidTwoFactorCode,
    TooManyAttempts,
    TwoFactorRequired,
    WeakPassword,
    WorkspaceRequired,
    WrongPassword,
)
from kefu.accounts.schemas import LoginIn, LoginLimits, PasswordChange, ProfileUpdate
from kefu.conversations.enums import ActorKind, ConversationStatus, Priority
from kefu.conversations.schemas import Actor, AssignIn
from kefu.core import clock
from kefu.core.errors import Forbidden, KefuError, NotFound
from kefu.realtime.gateway import latest_event_id
from kefu.web import conversation_page, inbox
from kefu.web import operations as ops
from kefu.web.auth import Viewer, page_viewer, unit_of_work
from kefu.web.i18n import DEFAULT_LOCALE, LOCALES, choose_locale, gettext, using_locale
from kefu.web.rendering import render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "kefu_login_csrf"
SNOOZE_HOURS = (1, 4, 24)
SearchText = Annotated[str, Query(max_length=200)]
ViewKey = Annotated[str, Query(max_length=80)]
StatusKey = Annotated[str, Query(max_length=16)]


# ---------------------------------------------------------------- login


@router.get("/")
def root() -> RedirectResponse:
    """The console starts at the inbox (which sends strangers to the login page)."""
    return RedirectResponse("/inbox", status_code=303)


def _request_locale(request: Request) -> str:
    """The UI locale for a page before login: the browser's Accept-Language."""
    wanted = [part.split(";")[0].strip() for part in request.headers.get("accept-language", "").split(",")]
    return choose_locale(wanted[:8], DEFAULT_LOCALE)


def _login_form(request: Request, *, error: str | None = None, status_code: int = 200,
                email: str = "", workspaces: list[str] | None = None, ask_code: bool = False) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render("login/login.html", locale=_request_locale(request), status_code=status_code,
                      error=error, email=email, workspaces=workspaces or [], csrf_token=token,
                      next=_safe_next(request.query_params.get("next")), ask_code=ask_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/login", httponly=True, samesite="strict",
                        secure=request.app.state.container.settings.secure_cookies(request.url.scheme))
    return response


def _safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/inbox"


@router.get("/login")
def login_page(request: Request) -> Response:
    """The login form (fields "Email" and "Password")."""
    return _login_form(request)


@router.post("/login")
async def log_in(request: Request) -> Response:
    """Check the password, open a console session (HttpOnly cookie) and go to the inbox."""
    form = await request.form()
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not secrets.compare_digest(cookie_token, str(form.get("csrf_token", ""))):
        return _login_form(request, error=_translated(request, "The form expired. Please try again."),
                           status_code=403)
    email = str(form.get("email", ""))[:320]
    code = "".join(str(form.get("two_factor_code") or "").split())[:20]
    try:
        data = LoginIn(email=email, password=str(form.get("password", "")),
                       workspace=str(form.get("workspace") or "") or None,
                       totp_code=code if code.isdigit() else None,
                       recovery_code=code if code and not code.isdigit() else None)
    except ValidationError:
        return _login_form(request, error=_translated(request, "Wrong email or password."),
                           status_code=401, email=email)
    settings = request.app.state.container.settings
    ip = request.client.host if request.client else "unknown"

    def attempt() -> Response:
        with unit_of_work(request) as session:
            try:
                issued = ops.log_in(session, email=str(data.email), password=data.password,
                                    workspace_slug=data.workspace, client_ip=ip,
                                    limits=LoginLimits.from_settings(settings),
                                    max_age_seconds=settings.session_max_age_seconds,
                                    box=request.app.state.container.secret_box,
                                    totp_code=data.totp_code, recovery_code=data.recovery_code)
            except InvalidCredentials:
                session.commit()  # the failed attempt counts although the login fails
                return _login_form(request, error=_translated(request, "Wrong email or password."),
                                   status_code=401, email=email)
            except TwoFactorRequired:
                return _login_form(request, status_code=401, email=email, ask_code=True, error=_translated(
                    request, "Enter the code of your authenticator app (or a recovery code)."))
            except InvalidTwoFactorCode:
                session.commit()  # counts as a failed attempt
                return _login_form(request, status_code=401, email=email, ask_code=True,
                                   error=_translated(request, "The two-factor code is not valid."))
            except TooManyAttempts as exc:
                response = _login_form(
                    request, status_code=429, email=email,
                    error=_translated(request, "Too many attempts. Please wait a minute and try again."))
                response.headers.update(exc.headers)
                return response
            except WorkspaceRequired as exc:
                details = exc.details if isinstance(exc.details, dict) else {}
                slugs = [str(slug) for slug in details.get("workspaces", [])]
                return _login_form(request, status_code=409, email=email, workspaces=slugs,
                                   error=_translated(request, "Choose the workspace to log in to."))
            if issued.session.two_factor_setup_required:
                session.rollback()  # no console session until two-factor authentication is set up
                return _login_form(request, status_code=403, email=email, error=_translated(
                    request, "Your workspace requires two-factor authentication: set it up at "
                    "/api/v1/me/two-factor, then log in again."))
        response = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
        response.set_cookie(SESSION_COOKIE, issued.secret, max_age=settings.session_max_age_seconds,
                            path="/", httponly=True, samesite="lax",
                            secure=settings.secure_cookies(request.url.scheme))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    return await run_in_threadpool(attempt)


def _password_rule() -> str:
    return gettext("The new password must have at least 10 characters, not only spaces, and may not be "
                   "your email, your name or a common password.")


def _translated(request: Request, message: str) -> str:
    with using_locale(_request_locale(request)):
        return gettext(message)


# ---------------------------------------------------------------- helpers


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def _error_page(viewer: Viewer | None, exc: KefuError) -> Response:
    return render("base/error.html", locale=viewer.locale if viewer else DEFAULT_LOCALE,
                  status_code=exc.status_code, viewer=viewer, code=exc.code, message=exc.message)


def _page(request: Request, build: Callable[[Session, Viewer], Response]) -> Response:
    """Run a page read as the logged-in agent, in their UI locale."""
    with unit_of_work(request) as session:
        viewer = page_viewer(session, request)
        if viewer is None:
            return _to_login(request)
        with using_locale(viewer.locale):
            try:
                return build(session, viewer)
            except KefuError as exc:
                return _error_page(viewer, exc)


Action = Callable[[Session, Viewer, FormData], Response]


async def _form_action(request: Request, act: Action, *, write: bool = True) -> Response:
    """Run a form post: session cookie plus the form's CSRF token; writers only when `write`."""
    form = await request.form()

    def run() -> Response:
        viewer: Viewer | None = None
        try:
            with unit_of_work(request) as session:
                viewer = page_viewer(session, request, csrf_token=str(form.get("csrf_token", "")),
                                     needs_csrf=True)
                if viewer is None:
                    return _to_login(request)
                if write and not viewer.can_write:
                    raise Forbidden("your role may not do this")
                with using_locale(viewer.locale):
                    return act(session, viewer, form)
        except KefuError as exc:
            return _error_page(viewer, exc)

    return await run_in_threadpool(run)


def _actor(viewer: Viewer) -> Actor:
    return Actor(kind=ActorKind.AGENT, id=viewer.agent.id, is_admin=viewer.principal.role.value == "admin")


def _uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(f"{what} not found") from exc


# ---------------------------------------------------------------- session and settings


@router.post("/logout")
async def log_out(request: Request) -> Response:
    """End the console session and clear its cookie."""

    def act(session: Session, viewer: Viewer, _form: FormData) -> Response:
        if viewer.principal.session_id is not None:
            ops.log_out(session, workspace_id=viewer.workspace.id, session_id=viewer.principal.session_id)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=request.app.state.container.settings.cookie_secure)
        return response

    return await _form_action(request, act, write=False)


@router.get("/settings")
def settings_page(request: Request) -> Response:
    """The agent's settings: UI language and password."""
    notice = request.query_params.get("saved")
    return _page(request, lambda session, viewer: _settings(viewer, notice=notice))


def _settings(viewer: Viewer, *, notice: str | None = None, error: str | None = None,
              status_code: int = 200) -> Response:
    return render("settings/settings.html", locale=viewer.locale, status_code=status_code, viewer=viewer,
                  rail=rail_for(viewer), notice=notice, error=error)


@router.post("/settings/language")
async def change_language(request: Request) -> Response:
    """Choose the UI language: it becomes the first of the agent's languages."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        locale = str(form.get("locale", ""))
        if locale not in LOCALES:
            raise NotFound("unknown language")
        code = locale.split("_")[0]
        languages = [code, *(lang for lang in viewer.agent.languages if lang != code)][:10]
        ops.update_profile(session, workspace_id=viewer.workspace.id, agent_id=viewer.agent.id,
                           data=ProfileUpdate(languages=languages))
        return RedirectResponse("/settings?saved=language", status_code=303)

    return await _form_action(request, act, write=False)


@router.post("/settings/password")
async def change_password(request: Request) -> Response:
    """Change one's password (the current one is required); other sessions end."""
    settings = request.app.state.container.settings
    ip = request.client.host if request.client else "unknown"

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        try:
            data = PasswordChange(current_password=str(form.get("current_password", "")),
                                  new_password=str(form.get("new_password", "")))
        except ValidationError:
            return _settings(viewer, status_code=422, error=_password_rule())
        if data.new_password != str(form.get("confirm_password", "")):
            return _settings(viewer, status_code=422, error=gettext("The new passwords do not match."))
        try:
            ops.change_password(session, workspace_id=viewer.workspace.id, agent_id=viewer.agent.id,
                                current_password=data.current_password, new_password=data.new_password,
                                client_ip=ip, limits=LoginLimits.from_settings(settings),
                                keep_session_id=viewer.principal.session_id)
        except WrongPassword:
            session.commit()  # counts as a failed attempt
            return _settings(viewer, status_code=422, error=gettext("The current password is wrong."))
        except WeakPassword:
            return _settings(viewer, status_code=422, error=_password_rule())
        return RedirectResponse("/settings?saved=password", status_code=303)

    return await _form_action(request, act, write=False)


def rail_for(viewer: Viewer) -> list[dict[str, str]]:
    """The left rail's sections the agent's role may use (only sections that exist yet)."""
    sections = [
        {"key": "inbox", "href": "/inbox", "label": gettext("Inbox"), "icon": "inbox",
         "roles": "admin supervisor agent qa_inspector"},
        {"key": "qa", "href": "/qa", "label": gettext("QA"), "icon": "qa",
         "roles": "admin supervisor agent qa_inspector"},
        {"key": "settings", "href": "/settings", "label": gettext("Settings"), "icon": "settings",
         "roles": "admin supervisor agent qa_inspector"},
    ]
    return [s for s in sections if viewer.principal.role.value in s["roles"].split()]


# ---------------------------------------------------------------- inbox


@router.get("/inbox")
def inbox_page(request: Request, view: ViewKey = "mine", status: StatusKey = "open",
               q: SearchText = "", cursor: Annotated[str | None, Query(max_length=512)] = None) -> Response:
    """The inbox: views with counts, the conversation list, an empty thread pane."""
    return _page(request, lambda session, viewer: conversation_page.render_page(
        session, viewer, rail=rail_for(viewer), view_key=view, status=status, q=q, cursor=cursor,
        conversation_id=None, event_id=latest_event_id(session, viewer.workspace.id)))


@router.get("/inbox/counts")
def inbox_counts(request: Request, status: StatusKey = "open") -> Response:
    """The count of every view (JSON), refreshed by the page on live updates."""

    def build(session: Session, viewer: Viewer) -> Response:
        views = inbox.views_for(session, viewer)
        return JSONResponse(inbox.counts(session, viewer, views, status))

    return _page(request, build)


@router.get("/inbox/rows/{conversation_id}")
def inbox_row(request: Request, conversation_id: str, view: ViewKey = "mine", status: StatusKey = "open",
              selected: Annotated[str, Query(max_length=40)] = "") -> Response:
    """One list row as HTML, or 204 when the conversation is not in the view (live patches)."""

    def build(session: Session, viewer: Viewer) -> Response:
        return conversation_page.render_row(session, viewer, _uuid(conversation_id, "conversation"),
                                            view_key=view, status=status, selected=selected)

    return _page(request, build)


# ---------------------------------------------------------------- conversation


@router.get("/conversations/{conversation_id}")
def conversation(request: Request, conversation_id: str, view: ViewKey = "mine", status: StatusKey = "open",
                 q: SearchText = "") -> Response:
    """A conversation: list | thread with notes and reply box | context (customer 360, NLP, timeline)."""
    return _page(request, lambda session, viewer: conversation_page.render_page(
        session, viewer, rail=rail_for(viewer), view_key=view, status=status, q=q, cursor=None,
        conversation_id=_uuid(conversation_id, "conversation"),
        event_id=latest_event_id(session, viewer.workspace.id)))


@router.get("/conversations/{conversation_id}/thread")
def conversation_thread(request: Request, conversation_id: str) -> Response:
    """The thread's messages and notes as an HTML fragment (live patches)."""
    return _page(request, lambda session, viewer: conversation_page.render_fragment(
        session, viewer, _uuid(conversation_id, "conversation"), "conversation/_thread.html"))


@router.get("/conversations/{conversation_id}/context")
def conversation_context(request: Request, conversation_id: str) -> Response:
    """The context pane as an HTML fragment (live patches)."""
    return _page(request, lambda session, viewer: conversation_page.render_fragment(
        session, viewer, _uuid(conversation_id, "conversation"), "conversation/_context.html"))


def _back(form: FormData, conversation_id: uuid.UUID) -> RedirectResponse:
    query = {k: str(form[f])[:200] for k, f in (("view", "view"), ("status", "list_status"), ("q", "q"))
             if form.get(f)}
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"/conversations/{conversation_id}{suffix}", status_code=303)


@router.post("/conversations/{conversation_id}/reply")
async def reply(request: Request, conversation_id: str) -> Response:
    """Send the agent's reply to the customer, or add an internal note (`kind=note`)."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        target = _uuid(conversation_id, "conversation")
        text = str(form.get("text", ""))
        if form.get("kind") == "note":
            ops.add_note(session, workspace_id=viewer.workspace.id, conversation_id=target, text=text,
                         actor=_actor(viewer))
        else:
            ops.send_reply(session, workspace_id=viewer.workspace.id, conversation_id=target, text=text,
                           actor=_actor(viewer))
        return _back(form, target)

    return await _form_action(request, act)


@router.post("/conversations/{conversation_id}/assign")
async def assign(request: Request, conversation_id: str) -> Response:
    """Assign to an agent (or nobody) and/or a team."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        target = _uuid(conversation_id, "conversation")
        changes: dict[str, uuid.UUID | None] = {}
        for field in ("assignee_id", "team_id"):
            if field in form:
                raw = str(form[field])
                changes[field] = viewer.agent.id if raw == "me" else (_uuid(raw, field) if raw else None)
        ops.assign_conversation(session, workspace_id=viewer.workspace.id, conversation_id=target,
                                data=AssignIn(**changes), actor=_actor(viewer))
        return _back(form, target)

    return await _form_action(request, act)


@router.post("/conversations/{conversation_id}/status")
async def change_status(request: Request, conversation_id: str) -> Response:
    """Resolve, reopen, set pending, or snooze for some hours."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        target = _uuid(conversation_id, "conversation")
        wanted = str(form.get("status", ""))
        if wanted == ConversationStatus.SNOOZED.value:
            hours = int(str(form.get("hours", "4"))) if str(form.get("hours", "4")).isdigit() else 4
            hours = hours if hours in SNOOZE_HOURS else 4
            ops.snooze_conversation(session, workspace_id=viewer.workspace.id, conversation_id=target,
                                    until=clock.now() + timedelta(hours=hours), actor=_actor(viewer))
        else:
            try:
                status = ConversationStatus(wanted)
            except ValueError as exc:
                raise NotFound("unknown status") from exc
            ops.change_status(session, workspace_id=viewer.workspace.id, conversation_id=target,
                              status=status, actor=_actor(viewer))
        return _back(form, target)

    return await _form_action(request, act)


@router.post("/conversations/{conversation_id}/priority")
async def change_priority(request: Request, conversation_id: str) -> Response:
    """Change the priority."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        target = _uuid(conversation_id, "conversation")
        try:
            priority = Priority(str(form.get("priority", "")))
        except ValueError as exc:
            raise NotFound("unknown priority") from exc
        ops.set_priority(session, workspace_id=viewer.workspace.id, conversation_id=target,
                         priority=priority, actor=_actor(viewer))
        return _back(form, target)

    return await _form_action(request, act)


@router.post("/conversations/{conversation_id}/tags")
async def change_tags(request: Request, conversation_id: str) -> Response:
    """Add tags (comma-separated) or remove one."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        target = _uuid(conversation_id, "conversation")
        add = [t.strip() for t in str(form.get("add", "")).split(",") if t.strip()][:20]
        remove = [str(form["remove"])] if form.get("remove") else []
        if add or remove:
            ops.change_tags(session, workspace_id=viewer.workspace.id, conversation_id=target,
                            add=add, remove=remove, actor=_actor(viewer))
        return _back(form, target)

    return await _form_action(request, act)
