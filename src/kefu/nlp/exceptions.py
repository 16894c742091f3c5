"""Errors of the nlp domain, each with a stable code."""

from __future__ import annotations

from kefu.core.errors import BadRequest, Conflict


class NotEnoughExamples(BadRequest):
    """Intent training needs more labels, or more examples of some labels."""

    code = "not_enough_examples"


class ModelNotReady(Conflict):
    """Only a trained (ready) intent model can be activated."""

    code = "model_not_ready"
