"""Roles and levels of agents, kinds of teams."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an agent may do; ordered from most to least powerful where it matters."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    QA_INSPECTOR = "qa_inspector"


class Level(StrEnum):
    """Seniority; senior agents take VIP customers and hard complaints."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


class TeamKind(StrEnum):
    """Service tier, quality team or another department receiving hand-offs."""

    TIER = "tier"
    QA = "qa"
    DEPARTMENT = "department"
