"""Identity normalisation: one canonical value per kind, so the same person always matches.

Emails are validated and lowercased, phone numbers become E.164 (national numbers are read in
the customer's market), WhatsApp ids are the international digits without "+", and the other
channel handles are opaque provider ids kept case-sensitive.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import (
    ATEXT,
    DNS_LABEL_LENGTH_LIMIT,
    EMAIL_MAX_LENGTH,
    LOCAL_PART_MAX_LENGTH,
)

from kefu.customers.enums import IdentityKind

CONTACT_KINDS = frozenset({IdentityKind.EMAIL, IdentityKind.PHONE})
"""Contact addresses: they link channels together only when verified (or when they are the channel)."""

CHANNEL_KINDS = frozenset(kind for kind in IdentityKind if kind not in CONTACT_KINDS)
"""Handles asserted by a channel provider: a message from one proves the sender owns it."""

MAX_VALUE_LENGTH = 320
MAX_HANDLE_LENGTH = 255
_WHATSAPP_SEPARATORS = str.maketrans("", "", " -().")

_ATOM = f"[{ATEXT}]+"
_LABEL = f"[A-Za-z0-9](?:[A-Za-z0-9-]{{0,{DNS_LABEL_LENGTH_LIMIT - 2}}}[A-Za-z0-9])?"
_TOP_LABEL = f"(?:[A-Za-z0-9][A-Za-z0-9-]{{0,{DNS_LABEL_LENGTH_LIMIT - 2}}})?[A-Za-z]"
_PLAIN_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_TOP_LABEL}")
"""A dot-atom local part @ a dotted hostname: labels of 1 to 63 characters, the last ending in a letter."""


class IdentityValueError(ValueError):
    """An identity value that cannot be normalised; `code` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def phone_region(market: str | None) -> str | None:
    """The phone-numbering region of a market code (ISO 3166 alpha-2), or None when unknown."""
    if not market:
        return None
    region = market.strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


@lru_cache(maxsize=4096)
def normalise_identity(kind: IdentityKind, value: str, *, region: str | None = None) -> str:
    """The canonical value of an identity; raises IdentityValueError when it is not valid.

    Memoised: a value is normalised when the request is parsed and again by the service.
    """
    text = clean_value(value)
    if kind is IdentityKind.EMAIL:
        return normalise_email(text)
    if kind is IdentityKind.PHONE:
        return normalise_phone(text, region=region)
    if kind is IdentityKind.WHATSAPP:
        return normalise_whatsapp(text)
    return normalise_handle(text)


def clean_value(value: str) -> str:
    """The stripped value, checked for emptiness, length and control characters only."""
    text = value.strip()
    if not text:
        raise IdentityValueError("identity_empty", "identity value is empty")
    if len(text) > MAX_VALUE_LENGTH:
        raise IdentityValueError("identity_too_long", f"at most {MAX_VALUE_LENGTH} characters")
    # A printable string has no character of category C (nor Z, but for the ASCII space).
    if not text.isprintable() and any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in text):
        raise IdentityValueError("identity_invalid_characters", "control characters are not allowed")
    return text


def normalise_email(text: str) -> str:
    """A syntactically valid email address, lowercased (no DNS lookup)."""
    plain = _plain_email(text)
    if plain is not None:
        return plain
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise IdentityValueError("invalid_email", f"not a valid email address: {exc}") from exc
    return result.normalized.lower()


def _plain_email(text: str) -> str | None:
    """`text` lowercased when it is a plain ASCII address that email_validator accepts; None when unsure.

    Accepts only what validate_email(text, check_deliverability=False) accepts under any of the
    library's module defaults, with text.lower() as its lowercased normalised form: a dot-atom local
    part of at most 64 characters (the strict limit), a domain with a dot whose top-level label ends
    in a letter (globally deliverable), no "--" (Punycode and reserved R-LDH labels), no special-use
    name, and at most 254 characters in all. Anything else is left to the library.
    """
    if len(text) > EMAIL_MAX_LENGTH or _PLAIN_EMAIL.fullmatch(text) is None:
        return None
    local, _, domain = text.partition("@")
    if len(local) > LOCAL_PART_MAX_LENGTH or "--" in domain:
        return None
    special_use = _dotted_suffixes(tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES))
    if ("." + domain.lower()).endswith(special_use):
        return None
    return text.lower()


@lru_cache(maxsize=1)
def _dotted_suffixes(names: tuple[str, ...]) -> tuple[str, ...]:
    """Each name with a leading dot: "." + domain ends with one exactly when the domain is or is under it."""
    return tuple("." + name for name in names)


def is_international(text: str) -> bool:
    """True when a phone number carries its country code ("+..." form, maybe in brackets)."""
    return text.lstrip(" ([").startswith("+")


def normalise_phone(text: str, *, region: str | None = None) -> str:
    """A valid phone number in E.164; national numbers are read in `region`."""
    if region is None and not is_international(text):
        raise IdentityValueError(
            "phone_needs_country_code",
            "national phone number without a market: give it as +<country code>...",
        )
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise IdentityValueError("invalid_phone", f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise IdentityValueError("invalid_phone", "not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_whatsapp(text: str) -> str:
    """A WhatsApp id: the international number as digits, without "+" (as WhatsApp reports it)."""
    digits = text.removeprefix("+").translate(_WHATSAPP_SEPARATORS)
    if not (digits.isascii() and digits.isdigit()) or not 6 <= len(digits) <= 15 or digits[0] == "0":
        raise IdentityValueError(
            "invalid_whatsapp", "a WhatsApp id is the international number: 6 to 15 digits"
        )
    return digits


def normalise_handle(text: str) -> str:
    """An opaque provider id (openid, PSID, user id, visitor id): no spaces, case kept."""
    if len(text) > MAX_HANDLE_LENGTH:
        raise IdentityValueError("identity_too_long", f"at most {MAX_HANDLE_LENGTH} characters")
    # The ASCII space is the only printable whitespace; a printable string has no character of category C.
    if (not text.isprintable() or " " in text) and any(
        ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text
    ):
        raise IdentityValueError("invalid_handle", "a handle may not contain spaces or control characters")
    return text
