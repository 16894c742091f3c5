"""Scorecard definitions (tenant data): dimensions with weights, each made of weighted checks."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kefu.qa.cues import LANGUAGES, compile_patterns
from kefu.qa.enums import CheckKind, Cue

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

PARAMS: dict[CheckKind, dict[str, tuple[type | tuple[type, ...], tuple[Any, ...] | None]]] = {
    CheckKind.PHRASE: {
        "cue": (str, tuple(c.value for c in Cue)),
        "patterns": (dict, None),
        "where": (str, ("first_agent", "last_agent", "any_agent")),
        "mode": (str, ("require", "forbid")),
    },
    CheckKind.CLASSIFIER: {
        "cue": (str, ("empathy", "rudeness", "apology")),
        "mode": (str, ("require", "forbid")),
        "applies": (str, ("always", "complaint_or_distress")),
    },
    CheckKind.SEQUENCE: {"rule": (str, ("apology_before_solution", "three_step_confirmation"))},
    CheckKind.TIMING: {
        "metric": (str, ("first_response", "longest_gap")),
        "target_seconds": ((int, float), None),
    },
    CheckKind.OUTCOME: {"metric": (str, ("first_contact_resolution", "no_transfer", "not_reopened"))},
    CheckKind.READABILITY: {"min_score": ((int, float), None), "min_words": (int, None)},
    CheckKind.SENSITIVE_DATA: {},
}
"""For each check kind, its parameters: (type, allowed values or None)."""


class CheckSpec(BaseModel):
    """One check of a dimension: kind, weight, optional auto-fail, languages it applies to, parameters."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: CheckKind
    name: str = ""
    weight: float = Field(default=1.0, gt=0, le=100)
    auto_fail: bool = False
    languages: list[str] | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("check ids are lowercase letters, digits and _, starting with a letter")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            unknown = sorted(set(value) - set(LANGUAGES))
            if unknown:
                raise ValueError(f"unsupported languages {unknown}; supported: {list(LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _params(self) -> CheckSpec:
        allowed = PARAMS[self.kind]
        for key, value in self.params.items():
            if key not in allowed:
                raise ValueError(
                    f"{self.kind.value} checks take no parameter {key!r} (they take {sorted(allowed)})"
                )
            kind, choices = allowed[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"parameter {key!r} has the wrong type")
            if choices is not None and value not in choices:
                raise ValueError(f"parameter {key!r} must be one of {list(choices)}")
        patterns = self.params.get("patterns")
        if patterns is not None:
            for lang, items in patterns.items():
                if lang not in LANGUAGES or not isinstance(items, list) or not items:
                    raise ValueError("patterns maps a supported language to a non-empty list of regexes")
                try:
                    compile_patterns([str(p) for p in items])
                except re.error as exc:
                    raise ValueError(f"pattern of {lang!r} is not a valid regex: {exc}") from None
        if self.kind == CheckKind.PHRASE and "cue" not in self.params and "patterns" not in self.params:
            raise ValueError("a phrase check needs a cue or patterns")
        return self


class DimensionSpec(BaseModel):
    """A scored dimension (service attitude, problem solving …) and its checks."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    weight: float = Field(gt=0, le=100)
    checks: list[CheckSpec] = Field(min_length=1)


class ScorecardDefinition(BaseModel):
    """The whole definition of a scorecard, stored as one versioned document."""

    model_config = ConfigDict(extra="forbid")

    dimensions: list[DimensionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ScorecardDefinition:
        ids = [check.id for dim in self.dimensions for check in dim.checks]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"check ids must be unique; repeated: {dupes}")
        dims = [dim.id for dim in self.dimensions]
        if len(set(dims)) != len(dims):
            raise ValueError("dimension ids must be unique")
        return self


DEFAULT_CHECK_IDS = (
    "greeting",
    "closing",
    "empathy",
    "apology_before_solution",
    "three_step_confirmation",
    "forbidden_phrase",
    "rudeness",
    "first_response_time",
    "readability",
    "sensitive_data",
)
"""The stable check ids of the default scorecard (others test against them)."""


def default_definition() -> ScorecardDefinition:
    """The scorecard every workspace starts with (six languages)."""
    C = CheckKind
    return ScorecardDefinition.model_validate(
        {
            "dimensions": [
                {
                    "id": "service_attitude",
                    "name": "Service attitude",
                    "weight": 30,
                    "checks": [
                        {
                            "id": "greeting",
                            "kind": C.PHRASE,
                            "name": "Greeting",
                            "params": {"cue": "greeting", "where": "first_agent"},
                        },
                        {
                            "id": "closing",
                            "kind": C.PHRASE,
                            "name": "Closing",
                            "params": {"cue": "closing", "where": "last_agent"},
                        },
                        {
                            "id": "empathy",
                            "kind": C.CLASSIFIER,
                            "name": "Empathy",
                            "weight": 2,
                            "params": {
                                "cue": "empathy",
                                "mode": "require",
                                "applies": "complaint_or_distress",
                            },
                        },
                        {
                            "id": "rudeness",
                            "kind": C.CLASSIFIER,
                            "name": "No rudeness or blame",
                            "weight": 3,
                            "auto_fail": True,
                            "params": {"cue": "rudeness", "mode": "forbid", "applies": "always"},
                        },
                        {
                            "id": "forbidden_phrase",
                            "kind": C.PHRASE,
                            "name": "No forbidden phrases",
                            "weight": 2,
                            "params": {"cue": "forbidden", "where": "any_agent", "mode": "forbid"},
                        },
                    ],
                },
                {
                    "id": "problem_solving",
                    "name": "Problem solving",
                    "weight": 35,
                    "checks": [
                        {
                            "id": "apology_before_solution",
                            "kind": C.SEQUENCE,
                            "name": "Apologise before solving (complaints)",
                            "weight": 2,
                            "params": {"rule": "apology_before_solution"},
                        },
                        {
                            "id": "three_step_confirmation",
                            "kind": C.SEQUENCE,
                            "name": "Restate, solve, confirm",
                            "weight": 2,
                            "params": {"rule": "three_step_confirmation"},
                        },
                    ],
                },
                {
                    "id": "response_speed",
                    "name": "Response speed",
                    "weight": 20,
                    "checks": [
                        {
                            "id": "first_response_time",
                            "kind": C.TIMING,
                            "name": "First response in time",
                            "params": {"metric": "first_response", "target_seconds": 60},
                        },
                    ],
                },
                {
                    "id": "information_accuracy",
                    "name": "Information accuracy and safety",
                    "weight": 15,
                    "checks": [
                        {
                            "id": "readability",
                            "kind": C.READABILITY,
                            "name": "Readable replies",
                            "params": {"min_score": 35, "min_words": 12},
                        },
                        {
                            "id": "sensitive_data",
                            "kind": C.SENSITIVE_DATA,
                            "name": "No sensitive data shared",
                            "weight": 3,
                            "auto_fail": True,
                        },
                    ],
                },
            ]
        }
    )
