"""The complete metadata: imports every domain's models so migrations see all tables."""

from __future__ import annotations

import importlib

from kefu.db.base import Base

MODEL_MODULES = (
    "kefu.db.outbox",
    "kefu.audit.models",
    "kefu.accounts.models",
    "kefu.customers.models",
    "kefu.conversations.models",
    "kefu.webhooks.models",
    "kefu.nlp.models",
    "kefu.qa.models",
    "kefu.sla.models",
    "kefu.channels.models",
    "kefu.privacy.models",
    "kefu.sso.models",
    "kefu.routing.models",
    "kefu.automation.models",
    "kefu.complaints.models",
)

for _module in MODEL_MODULES:
    importlib.import_module(_module)

target_metadata = Base.metadata
