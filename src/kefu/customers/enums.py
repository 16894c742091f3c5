"""Kinds of customer identities and VIP tiers."""

from __future__ import annotations

from enum import StrEnum


class IdentityKind(StrEnum):
    """How a customer can be recognised: a contact address or a handle on one channel."""

    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    WECHAT = "wechat"
    LINE = "line"
    FACEBOOK = "facebook"
    ZALO = "zalo"
    APP = "app"
    WEB = "web"
    TELEGRAM = "telegram"
    INSTAGRAM = "instagram"


class VipTier(StrEnum):
    """Service tier of a customer, from none to platinum; higher tiers get faster promises."""

    NONE = "none"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"

    @property
    def rank(self) -> int:
        """Position in the order none < silver < gold < platinum."""
        return list(VipTier).index(self)
