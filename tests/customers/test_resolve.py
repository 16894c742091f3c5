"""Resolving contacts to customers: verify once, valid forever, and never steal an identity."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kefu.core.errors import ValidationFailed
from kefu.core.events import EventEnvelope
from kefu.customers import service
from kefu.customers.enums import IdentityKind
from kefu.customers.exceptions import InvalidIdentity
from kefu.customers.schemas import IdentityIn, ResolvedCustomer
from tests.conftest import Tenant
from tests.customers.conftest import event_types

K = IdentityKind


def ident(kind: IdentityKind, value: str, *, verified: bool = False) -> IdentityIn:
    return IdentityIn(kind=kind, value=value, verified=verified)


def resolve(session: Session, tenant: Tenant, *identities: IdentityIn, **attributes: str) -> ResolvedCustomer:
    result = service.resolve_customer(
        session, workspace_id=tenant.workspace_id, identities=identities, **attributes
    )
    session.commit()
    return result


def values_of(customer: ResolvedCustomer) -> set[tuple[str, str]]:
    return {(identity.kind.value, identity.value) for identity in customer.identities}


def test_a_new_contact_creates_a_customer_and_the_next_one_finds_it(
    session: Session, tenant: Tenant
) -> None:
    first = resolve(session, tenant, ident(K.WECHAT, "oWx-1"), name="李雷", language="zh", market="CN")
    again = resolve(session, tenant, ident(K.WECHAT, "oWx-1"))
    assert first.created and not again.created
    assert again.id == first.id
    assert (again.name, again.language, again.market) == ("李雷", "zh", "CN")


def test_identities_learned_later_attach_to_the_same_customer(session: Session, tenant: Tenant) -> None:
    first = resolve(session, tenant, ident(K.WHATSAPP, "+62 812 3456 7890"))
    later = resolve(
        session, tenant, ident(K.WHATSAPP, "6281234567890"), ident(K.EMAIL, "Budi@Example.com"),
        ident(K.PHONE, "0812 3456 7890"), market="ID",
    )
    assert later.id == first.id
    assert values_of(later) == {
        ("whatsapp", "6281234567890"), ("email", "budi@example.com"), ("phone", "+6281234567890")
    }


def test_a_verified_phone_links_a_call_to_the_wechat_customer(session: Session, tenant: Tenant) -> None:
    wechat = resolve(
        session, tenant, ident(K.WECHAT, "oWx-2"), ident(K.PHONE, "+8613800138000", verified=True)
    )
    call = resolve(session, tenant, ident(K.PHONE, "138 0013 8000"), market="CN")
    line = resolve(session, tenant, ident(K.LINE, "Uline-2"), ident(K.PHONE, "+86 138 0013 8000"))
    assert call.id == wechat.id and not call.created
    assert line.id == wechat.id
    assert ("line", "Uline-2") in values_of(line)


def test_an_unverified_claim_does_not_link_channels_and_is_reported(
    session: Session, tenant: Tenant, delivered: list[EventEnvelope]
) -> None:
    owner = resolve(session, tenant, ident(K.WEB, "visitor-9"), ident(K.EMAIL, "boss@example.com"))
    claimant = resolve(session, tenant, ident(K.FACEBOOK, "psid-77"), ident(K.EMAIL, "boss@example.com"))
    assert claimant.id != owner.id and claimant.created
    assert [(c.kind, c.value, c.owner_customer_id) for c in claimant.conflicts] == [
        (K.EMAIL, "boss@example.com", owner.id)
    ]
    assert ("email", "boss@example.com") not in values_of(claimant)
    assert event_types(delivered).count("customer.identity_conflicted") == 1
    repeat = resolve(session, tenant, ident(K.FACEBOOK, "psid-77"), ident(K.EMAIL, "boss@example.com"))
    assert repeat.id == claimant.id and len(repeat.conflicts) == 1
    assert event_types(delivered).count("customer.identity_conflicted") == 1
    unchanged = service.get_customer(session, workspace_id=tenant.workspace_id, customer_id=owner.id)
    assert ("email", "boss@example.com") in values_of(ResolvedCustomer(**unchanged.model_dump(),
                                                                       created=False, conflicts=[]))


def test_a_contact_by_email_alone_is_recognised_by_its_address(session: Session, tenant: Tenant) -> None:
    first = resolve(session, tenant, ident(K.EMAIL, "Siti@Example.id"))
    second = resolve(session, tenant, ident(K.EMAIL, "siti@example.ID"))
    assert second.id == first.id and not second.created


def test_the_channel_handle_wins_and_a_contact_owned_elsewhere_stays_there(
    session: Session, tenant: Tenant
) -> None:
    by_wechat = resolve(session, tenant, ident(K.WECHAT, "oWx-3"))
    by_phone = resolve(session, tenant, ident(K.PHONE, "+66812345678", verified=True))
    both = resolve(session, tenant, ident(K.PHONE, "+66812345678", verified=True), ident(K.WECHAT, "oWx-3"))
    assert both.id == by_wechat.id
    assert [c.owner_customer_id for c in both.conflicts] == [by_phone.id]


def test_a_proven_identity_becomes_verified_forever(session: Session, tenant: Tenant) -> None:
    resolve(session, tenant, ident(K.EMAIL, "ana@example.com"))
    proven = resolve(session, tenant, ident(K.EMAIL, "ana@example.com", verified=True))
    later = resolve(session, tenant, ident(K.EMAIL, "ana@example.com"))
    assert [i.verified for i in proven.identities] == [True]
    assert [i.verified for i in later.identities] == [True]


def test_known_attributes_fill_blanks_only_and_bad_channel_values_are_dropped(
    session: Session, tenant: Tenant
) -> None:
    first = resolve(session, tenant, ident(K.ZALO, "z-1"), language="not a language!")
    assert first.language is None
    second = resolve(
        session, tenant, ident(K.ZALO, "z-1"), name="Nguyễn\x00 Văn A", language="vi", market="vn"
    )
    third = resolve(session, tenant, ident(K.ZALO, "z-1"), name="Someone Else", language="en")
    assert (third.name, third.language, third.market) == ("Nguyễn Văn A", "vi", "VN")
    assert second.id == third.id == first.id


def test_workspaces_never_share_customers(session: Session, tenant: Tenant, other_tenant: Tenant) -> None:
    ours = resolve(session, tenant, ident(K.APP, "user-1"))
    theirs = resolve(session, other_tenant, ident(K.APP, "user-1"))
    assert ours.id != theirs.id and theirs.created


def test_events_are_published_once_for_what_changed(
    session: Session, tenant: Tenant, delivered: list[EventEnvelope]
) -> None:
    resolve(session, tenant, ident(K.LINE, "U-ev"), ident(K.EMAIL, "ev@example.com"))
    assert event_types(delivered) == [
        "customer.created", "customer.identity_added", "customer.identity_added"
    ]
    resolve(session, tenant, ident(K.LINE, "U-ev"), ident(K.EMAIL, "ev@example.com"))
    assert len(delivered) == 3


def test_bad_input_is_refused(session: Session, tenant: Tenant) -> None:
    with pytest.raises(ValidationFailed):
        service.resolve_customer(session, workspace_id=tenant.workspace_id, identities=[])
    with pytest.raises(InvalidIdentity) as caught:
        service.resolve_customer(
            session, workspace_id=tenant.workspace_id,
            identities=[ident(K.WEB, "v"), ident(K.PHONE, "0812 3456 7890")],
        )
    assert caught.value.details == [
        {"loc": ["identities", 1, "value"], "msg": caught.value.message, "type": "phone_needs_country_code"}
    ]
