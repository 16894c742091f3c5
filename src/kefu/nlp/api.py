"""HTTP API of the nlp domain: intent examples, model versions, and ad-hoc analysis."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core.paging import Cursor, Limit, Page
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.nlp import service
from kefu.nlp.schemas import (
    AddedExamples,
    AnalyseIn,
    IntentExampleOut,
    IntentExamplesIn,
    IntentModelOut,
    TrainIntentIn,
)

router = APIRouter(prefix="/nlp", tags=["nlp"], route_class=UnitOfWorkRoute)

Manager = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]


@router.post("/intents/examples", response_model=AddedExamples, status_code=201)
def add_examples(body: IntentExamplesIn, principal: Manager, session: DbSession) -> AddedExamples:
    """Add labelled utterances for the workspace's intent model."""
    return service.add_intent_examples(
        session, workspace_id=principal.workspace_id, examples=body.examples
    )


@router.get("/intents/examples", response_model=Page[IntentExampleOut])
def list_examples(
    principal: CurrentPrincipal,
    session: DbSession,
    label: Annotated[str | None, Query(max_length=80)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[IntentExampleOut]:
    """Examples, newest first."""
    return service.list_intent_examples(
        session, workspace_id=principal.workspace_id, label=label, cursor=cursor, limit=limit
    )


@router.get("/intents/labels")
def label_counts(principal: CurrentPrincipal, session: DbSession) -> dict[str, int]:
    """How many examples each intent label has."""
    return service.intent_label_counts(session, workspace_id=principal.workspace_id)


@router.delete("/intents/examples/{example_id}", status_code=204)
def delete_example(example_id: uuid.UUID, principal: Manager, session: DbSession) -> None:
    """Remove an example."""
    service.delete_intent_example(session, workspace_id=principal.workspace_id, example_id=example_id)


@router.post("/intents/models", response_model=IntentModelOut, status_code=202)
def train_model(body: TrainIntentIn, principal: Manager, session: DbSession) -> IntentModelOut:
    """Queue training of a new intent model version; poll it until ready."""
    return service.request_intent_training(
        session, workspace_id=principal.workspace_id, activate=body.activate
    )


@router.get("/intents/models", response_model=list[IntentModelOut])
def list_models(principal: CurrentPrincipal, session: DbSession) -> list[IntentModelOut]:
    """Intent model versions, newest first, with their held-out metrics."""
    return service.list_intent_models(session, workspace_id=principal.workspace_id)


@router.get("/intents/models/{version_id}", response_model=IntentModelOut)
def get_model(version_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> IntentModelOut:
    """One intent model version."""
    return service.get_intent_model(session, workspace_id=principal.workspace_id, version_id=version_id)


@router.post("/intents/models/{version_id}/activate", response_model=IntentModelOut)
def activate_model(version_id: uuid.UUID, principal: Manager, session: DbSession) -> IntentModelOut:
    """Make a ready version the active intent model of the workspace."""
    return service.activate_intent_model(
        session, workspace_id=principal.workspace_id, version_id=version_id
    )


@router.post("/analyse")
def analyse(body: AnalyseIn, principal: CurrentPrincipal, session: DbSession) -> dict[str, Any]:
    """Analyse a text as an inbound message would be: language, intent, sentiment, anger, abuse.

    The request's transaction ends once the workspace's intent model is read, so nothing (on
    SQLite: the single write lock) is held while the models run.
    """
    intent_model = service.intent_model_for(session, workspace_id=principal.workspace_id)
    session.commit()
    return service.analyse(
        body.text, intent_model=intent_model, language_hint=body.language_hint,
        market=body.market,
    ).as_dict()
