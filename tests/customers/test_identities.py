"""Identity normalisation: the same person written differently gets one canonical value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kefu.customers.enums import IdentityKind
from kefu.customers.identities import IdentityValueError, normalise_identity, phone_region
from kefu.customers.schemas import CustomerIn, IdentityIn, ResolveIn


@pytest.mark.parametrize(
    ("kind", "raw", "region", "expected"),
    [
        (IdentityKind.EMAIL, "  Budi.Santoso@Example.CO.ID ", None, "budi.santoso@example.co.id"),
        (IdentityKind.EMAIL, "李雷@例子.中国", None, "李雷@例子.中国"),
        (IdentityKind.PHONE, "0812-3456-7890", "ID", "+6281234567890"),
        (IdentityKind.PHONE, "+62 812 3456 7890", None, "+6281234567890"),
        (IdentityKind.PHONE, "+62 812 3456 7890", "CN", "+6281234567890"),
        (IdentityKind.PHONE, "138 0013 8000", "CN", "+8613800138000"),
        (IdentityKind.PHONE, "(+86) 138-0013-8000", None, "+8613800138000"),
        (IdentityKind.PHONE, "091 234 5678", "VN", "+84912345678"),
        (IdentityKind.PHONE, "081 234 5678", "TH", "+66812345678"),
        (IdentityKind.PHONE, "012-345 6789", "MY", "+60123456789"),
        (IdentityKind.WHATSAPP, "+62 812-3456-7890", None, "6281234567890"),
        (IdentityKind.WHATSAPP, "6281234567890", None, "6281234567890"),
        (IdentityKind.WECHAT, " oUpF8uMuAJO_M2pxb1Q9zNjWeS6o ", None, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        (IdentityKind.LINE, "U4af4980629abcdef0123456789abcdef", None, "U4af4980629abcdef0123456789abcdef"),
        (IdentityKind.FACEBOOK, "6543210987654321", None, "6543210987654321"),
    ],
)
def test_values_normalise_to_one_canonical_form(
    kind: IdentityKind, raw: str, region: str | None, expected: str
) -> None:
    assert normalise_identity(kind, raw, region=region) == expected


def test_normalisation_is_idempotent() -> None:
    for kind, raw, region in [
        (IdentityKind.PHONE, "0812-3456-7890", "ID"),
        (IdentityKind.EMAIL, "A@B.example.com", None),
        (IdentityKind.WHATSAPP, "+84 91 234 5678", None),
    ]:
        once = normalise_identity(kind, raw, region=region)
        assert normalise_identity(kind, once, region=None) == once


def test_handles_stay_case_sensitive() -> None:
    assert normalise_identity(IdentityKind.WEB, "Visitor-AbC") != normalise_identity(
        IdentityKind.WEB, "visitor-abc"
    )


@pytest.mark.parametrize(
    ("kind", "raw", "region", "code"),
    [
        (IdentityKind.EMAIL, "not-an-email", None, "invalid_email"),
        (IdentityKind.EMAIL, "a@@b.com", None, "invalid_email"),
        (IdentityKind.PHONE, "0812-3456-7890", None, "phone_needs_country_code"),
        (IdentityKind.PHONE, "12345", "ID", "invalid_phone"),
        (IdentityKind.PHONE, "+999 1234 5678", None, "invalid_phone"),
        (IdentityKind.PHONE, "call me maybe", "ID", "invalid_phone"),
        (IdentityKind.WHATSAPP, "abc", None, "invalid_whatsapp"),
        (IdentityKind.WHATSAPP, "0812345678", None, "invalid_whatsapp"),
        (IdentityKind.WECHAT, "has space", None, "invalid_handle"),
        (IdentityKind.APP, "x" * 300, None, "identity_too_long"),
        (IdentityKind.APP, "x" * 400, None, "identity_too_long"),
        (IdentityKind.APP, "   ", None, "identity_empty"),
        (IdentityKind.LINE, "U123\x00", None, "identity_invalid_characters"),
        (IdentityKind.EMAIL, "a\ud800@b.com", None, "identity_invalid_characters"),
    ],
)
def test_invalid_values_fail_with_stable_codes(
    kind: IdentityKind, raw: str, region: str | None, code: str
) -> None:
    with pytest.raises(IdentityValueError) as caught:
        normalise_identity(kind, raw, region=region)
    assert caught.value.code == code


def test_phone_region_comes_from_the_market() -> None:
    assert phone_region("id") == "ID"
    assert phone_region("ZZ") is None
    assert phone_region(None) is None


def test_identity_in_normalises_and_defers_national_numbers_without_a_market() -> None:
    assert IdentityIn(kind=IdentityKind.EMAIL, value="X@Example.com").value == "x@example.com"
    assert IdentityIn(kind=IdentityKind.PHONE, value=" 0812 3456 7890 ").value == "0812 3456 7890"


def test_customer_market_reads_national_numbers_and_errors_carry_field_paths() -> None:
    data = CustomerIn.model_validate(
        {"market": "vn", "identities": [{"kind": "phone", "value": "091 234 5678"}]}
    )
    assert data.identities[0].value == "+84912345678"
    with pytest.raises(ValidationError) as caught:
        ResolveIn.model_validate(
            {"identities": [{"kind": "web", "value": "v1"}, {"kind": "phone", "value": "0912345678"}]}
        )
    (error,) = caught.value.errors()
    assert error["loc"] == ("identities", 1, "value")
    assert error["type"] == "phone_needs_country_code"
