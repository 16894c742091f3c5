"""Write path of the nlp domain: intent examples, training, versions, activation, analysis."""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.core import clock
from kefu.core.paging import Page
from kefu.db.outbox import publish
from kefu.db.paging import keyset_page
from kefu.db.scoped import get_scoped
from kefu.nlp.analyzer import MessageAnalysis, load_analyzer
from kefu.nlp.enums import ModelStatus
from kefu.nlp.events import IntentModelActivated, IntentModelTrained, IntentTrainingRequested
from kefu.nlp.exceptions import ModelNotReady, NotEnoughExamples
from kefu.nlp.intent.model import IntentModel, load_default_intent_model
from kefu.nlp.language.detector import LanguageHints
from kefu.nlp.metrics import classification_report
from kefu.nlp.models import IntentExample, IntentModelVersion
from kefu.nlp.moderation.abuse import AbuseResult
from kefu.nlp.moderation.abuse import detect_abuse as _detect_abuse
from kefu.nlp.schemas import AddedExamples, IntentExampleIn, IntentExampleOut, IntentModelOut
from kefu.nlp.text.labelled import Example
from kefu.nlp.text.normalise import normalise
from kefu.nlp.text.readability import Readability
from kefu.nlp.text.readability import readability as _readability
from kefu.nlp.text.tokenise import tokenise as _tokenise

MIN_EXAMPLES_PER_LABEL = 3
MIN_LABELS = 2
HOLDOUT_MIN_PER_LABEL = 5
HOLDOUT_SHARE = 0.2
_CACHE_SIZE = 16

_model_cache: OrderedDict[uuid.UUID, IntentModel] = OrderedDict()
_cache_lock = threading.Lock()


def _text_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def add_intent_examples(
    session: Session, *, workspace_id: uuid.UUID, examples: Sequence[IntentExampleIn]
) -> AddedExamples:
    """Store labelled utterances; exact duplicates (after normalisation) of a label are skipped."""
    wanted = {(e.label, _text_hash(e.text)): e for e in examples}
    labels = {label for label, _ in wanted}
    existing = set(
        session.execute(
            select(IntentExample.label, IntentExample.text_hash).where(
                IntentExample.workspace_id == workspace_id, IntentExample.label.in_(labels)
            )
        ).tuples()
    )
    new = [(key, e) for key, e in wanted.items() if key not in existing]
    session.add_all(
        IntentExample(
            workspace_id=workspace_id, text=e.text, text_hash=key[1], label=e.label,
            language=e.language,
        )
        for key, e in new
    )
    session.flush()
    return AddedExamples(added=len(new), duplicates=len(examples) - len(new))


def list_intent_examples(
    session: Session, *, workspace_id: uuid.UUID, label: str | None = None,
    cursor: str | None = None, limit: int = 50,
) -> Page[IntentExampleOut]:
    """Examples newest first, optionally of one label."""
    query = select(IntentExample).where(IntentExample.workspace_id == workspace_id)
    if label:
        query = query.where(IntentExample.label == label)
    return keyset_page(
        session, query, [IntentExample.id], limit=limit, cursor=cursor, out=IntentExampleOut.model_validate
    )


def delete_intent_example(session: Session, *, workspace_id: uuid.UUID, example_id: uuid.UUID) -> None:
    """Remove one example."""
    example = get_scoped(
        session, IntentExample, example_id, workspace_id=workspace_id, what="intent example"
    )
    session.delete(example)
    session.flush()


def intent_label_counts(session: Session, *, workspace_id: uuid.UUID) -> dict[str, int]:
    """How many examples each label has."""
    rows = session.execute(
        select(IntentExample.label, func.count())
        .where(IntentExample.workspace_id == workspace_id)
        .group_by(IntentExample.label)
    ).tuples()
    return {label: count for label, count in rows}


def request_intent_training(
    session: Session, *, workspace_id: uuid.UUID, activate: bool = False
) -> IntentModelOut:
    """Queue a new model version for training on the workspace's examples."""
    counts = intent_label_counts(session, workspace_id=workspace_id)
    thin = sorted(label for label, n in counts.items() if n < MIN_EXAMPLES_PER_LABEL)
    if len(counts) < MIN_LABELS or thin:
        raise NotEnoughExamples(
            f"training needs at least {MIN_LABELS} labels with {MIN_EXAMPLES_PER_LABEL}+ examples each",
            details={"label_counts": counts, "too_few": thin},
        )
    latest = session.scalar(
        select(func.max(IntentModelVersion.version)).where(IntentModelVersion.workspace_id == workspace_id)
    )
    version = IntentModelVersion(
        workspace_id=workspace_id, version=(latest or 0) + 1, status=ModelStatus.QUEUED,
        example_count=sum(counts.values()), labels=sorted(counts),
    )
    session.add(version)
    session.flush()
    publish(
        session,
        IntentTrainingRequested(workspace_id=workspace_id, version_id=version.id, activate=activate),
    )
    return IntentModelOut.model_validate(version)


def run_intent_training(
    session: Session, *, workspace_id: uuid.UUID, version_id: uuid.UUID, activate: bool
) -> IntentModelOut:
    """Train a queued version: evaluate on a seeded held-out split, then fit on every example."""
    version = _version(session, workspace_id, version_id)
    if version.status != ModelStatus.QUEUED:
        return IntentModelOut.model_validate(version)
    rows = session.execute(
        select(IntentExample.text, IntentExample.label)
        .where(IntentExample.workspace_id == workspace_id)
        .order_by(IntentExample.id)
    ).tuples()
    examples = [Example(text=t, label=label) for t, label in rows]
    try:
        metrics = _holdout_metrics(examples)
        model = IntentModel.fit(examples, seed=0)
    except Exception as exc:  # a failed training is recorded on the version, not raised
        version.status = ModelStatus.FAILED
        version.error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        version.status = ModelStatus.READY
        version.artifact = model.to_bytes()
        version.metrics = metrics
        version.labels = sorted(model.labels)
        version.example_count = len(examples)
    version.trained_at = clock.now()
    session.flush()
    publish(
        session,
        IntentModelTrained(workspace_id=workspace_id, version_id=version.id, status=version.status),
    )
    if activate and version.status == ModelStatus.READY:
        activate_intent_model(session, workspace_id=workspace_id, version_id=version.id)
    return IntentModelOut.model_validate(version)


def _holdout_metrics(examples: Sequence[Example]) -> dict[str, Any]:
    """Accuracy and macro-F1 on a seeded stratified 20% split (labels with 5+ examples)."""
    by_label: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    rng = random.Random(0)
    train: list[Example] = []
    test: list[Example] = []
    for items in by_label.values():
        items = list(items)
        rng.shuffle(items)
        cut = int(len(items) * HOLDOUT_SHARE) if len(items) >= HOLDOUT_MIN_PER_LABEL else 0
        test.extend(items[:cut])
        train.extend(items[cut:])
    if not test or len({e.label for e in train}) < MIN_LABELS:
        return {"holdout": "too few examples for a held-out evaluation"}
    model = IntentModel.fit(train, seed=0)
    predicted = [model.predict(e.text).label for e in test]
    report = classification_report([e.label for e in test], predicted)
    return {
        "holdout_n": report.n,
        "accuracy": round(report.accuracy, 4),
        "macro_f1": round(report.macro_f1, 4),
        "worst_confusions": report.as_dict()["worst_confusions"],
    }


def activate_intent_model(
    session: Session, *, workspace_id: uuid.UUID, version_id: uuid.UUID
) -> IntentModelOut:
    """Make a ready version the workspace's active intent model."""
    version = _version(session, workspace_id, version_id)
    if version.status != ModelStatus.READY:
        raise ModelNotReady("only a ready model can be activated")
    for other in session.scalars(
        select(IntentModelVersion).where(
            IntentModelVersion.workspace_id == workspace_id, IntentModelVersion.is_active.is_(True)
        )
    ):
        other.is_active = False
    version.is_active = True
    version.activated_at = clock.now()
    session.flush()
    publish(session, IntentModelActivated(workspace_id=workspace_id, version_id=version.id))
    return IntentModelOut.model_validate(version)


def list_intent_models(session: Session, *, workspace_id: uuid.UUID) -> list[IntentModelOut]:
    """All versions, newest first."""
    rows = session.scalars(
        select(IntentModelVersion)
        .where(IntentModelVersion.workspace_id == workspace_id)
        .order_by(IntentModelVersion.version.desc())
    )
    return [IntentModelOut.model_validate(r) for r in rows]


def get_intent_model(session: Session, *, workspace_id: uuid.UUID, version_id: uuid.UUID) -> IntentModelOut:
    """One version."""
    return IntentModelOut.model_validate(_version(session, workspace_id, version_id))


def intent_model_for(session: Session, *, workspace_id: uuid.UUID) -> IntentModel:
    """The workspace's active intent model, or the bundled customer-service model."""
    active_id = session.scalar(
        select(IntentModelVersion.id).where(
            IntentModelVersion.workspace_id == workspace_id, IntentModelVersion.is_active.is_(True)
        )
    )
    if active_id is None:
        return load_default_intent_model()
    with _cache_lock:
        cached = _model_cache.get(active_id)
        if cached is not None:
            _model_cache.move_to_end(active_id)
            return cached
    artifact = session.scalar(select(IntentModelVersion.artifact).where(IntentModelVersion.id == active_id))
    if artifact is None:
        return load_default_intent_model()
    model = IntentModel.from_bytes(artifact)
    with _cache_lock:
        _model_cache[active_id] = model
        while len(_model_cache) > _CACHE_SIZE:
            _model_cache.popitem(last=False)
    return model


def analyse(
    text: str,
    *,
    intent_model: IntentModel,
    language_hint: str | None = None,
    market: str | None = None,
    previous_languages: Sequence[str] = (),
) -> MessageAnalysis:
    """The analysis of one text with a given intent model; no database work."""
    hints = LanguageHints(
        customer_language=language_hint, country=market, previous=tuple(previous_languages)
    )
    return load_analyzer().analyse(text, hints=hints, intent_model=intent_model)


def load_models() -> None:
    """Load the bundled models now, so the first analysis does not pay the load."""
    load_analyzer()


def tokenise(text: str, language: str) -> list[str]:
    """The language-aware word tokens of a text."""
    return _tokenise(text, language)


def normalised(text: str) -> str:
    """The normalised form of a text (width, case, compatibility forms) that matching compares."""
    return normalise(text)


def detect_abuse(text: str, language: str) -> AbuseResult:
    """Abusive language in a text: whether, and which categories."""
    return _detect_abuse(text, language)


def readability(text: str, language: str) -> Readability:
    """Readability 0-100 of a text (higher = easier)."""
    return _readability(text, language)


def _version(session: Session, workspace_id: uuid.UUID, version_id: uuid.UUID) -> IntentModelVersion:
    return get_scoped(
        session, IntentModelVersion, version_id, workspace_id=workspace_id, what="intent model version"
    )

