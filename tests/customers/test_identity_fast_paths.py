"""The fast paths of identity normalisation answer exactly as the exact checks and email_validator do."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable
from unittest import mock

import email_validator
import idna
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kefu.customers import identities
from kefu.customers.identities import (
    MAX_HANDLE_LENGTH,
    MAX_VALUE_LENGTH,
    IdentityValueError,
    clean_value,
    normalise_email,
    normalise_handle,
)

Outcome = tuple[str, str]
"""("ok", normalised value) or ("error", IdentityValueError code)."""

TEXT_SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EMAIL_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(normalise: Callable[[str], str], value: str) -> Outcome:
    """What `normalise` makes of `value`: its result or the code of its error."""
    try:
        return ("ok", normalise(value))
    except IdentityValueError as exc:
        return ("error", exc.code)


def reference_clean_value(value: str) -> str:
    """clean_value before its fast path (the oracle)."""
    text = value.strip()
    if not text:
        raise IdentityValueError("identity_empty", "identity value is empty")
    if len(text) > MAX_VALUE_LENGTH:
        raise IdentityValueError("identity_too_long", f"at most {MAX_VALUE_LENGTH} characters")
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in text):
        raise IdentityValueError("identity_invalid_characters", "control characters are not allowed")
    return text


def reference_normalise_handle(text: str) -> str:
    """normalise_handle before its fast path (the oracle)."""
    if len(text) > MAX_HANDLE_LENGTH:
        raise IdentityValueError("identity_too_long", f"at most {MAX_HANDLE_LENGTH} characters")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text):
        raise IdentityValueError("invalid_handle", "a handle may not contain spaces or control characters")
    return text


def reference_normalise_email(text: str) -> str:
    """normalise_email before its fast path: email_validator alone (the oracle)."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise IdentityValueError("invalid_email", str(exc)) from exc
    return result.normalized.lower()


# Characters whose category or whitespace status matters, one or more of each kind.
TRICKY_CHARACTERS = (
    " \t\n\r\x0b\x0c\x00\x1c\x1f\x7f\x85\x9f"  # ASCII and C1 controls, some of them whitespace
    "\xa0\u1680\u2000\u2007\u200a\u202f\u205f\u3000"  # Zs spaces
    "\u2028\u2029"  # Zl, Zp
    "\xad\u180e\u200b\u200d\u200e\u202e\u2060\u2066\ufeff\U000e0001"  # Cf
    "\ue000\uf8ff\U000f0000\U0010fffd"  # Co
    "\u0378\ufdd0\uffff\U0010ffff"  # Cn
    "\ud800\udbff\udc00\udfff"  # Cs
    "\u0301\u20dd"  # combining marks
    "é李😀＠﹫"
)
any_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=TRICKY_CHARACTERS + string.ascii_letters + string.digits + "-_.@+", max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"]), max_size=5),
)
"""Any text, text mixing the characters that matter with ordinary ones, and non-printable characters only."""


def test_printable_characters_are_neither_control_nor_space_but_the_ascii_space() -> None:
    """The lemma of both fast paths, for every code point of this Python's Unicode database."""
    for code_point in range(0x110000):
        char = chr(code_point)
        if char.isprintable() and char != " ":
            assert unicodedata.category(char)[0] not in "CZ", hex(code_point)
            assert not char.isspace(), hex(code_point)
    assert " ".isprintable()


@TEXT_SETTINGS
@given(value=any_text)
@example(value="a\ud800b")
@example(value="\u2028user\u2029")
@example(value="has space")
@example(value=" \x85\xa0")
@example(value="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
@example(value="id\u3000x")
@example(value="id\ue000x")
@example(value="id\u0378x")
@example(value="👨\u200d👩\u200d👧")
def test_clean_value_and_normalise_handle_answer_as_before(value: str) -> None:
    assert outcome(clean_value, value) == outcome(reference_clean_value, value)
    assert outcome(normalise_handle, value) == outcome(reference_normalise_handle, value)


@settings(max_examples=150, deadline=None)
@given(value=st.text(alphabet=st.sampled_from("ab \x00\xa0\u200b\u2028\ud800"), min_size=250, max_size=330))
def test_clean_value_and_normalise_handle_answer_as_before_near_the_length_limits(value: str) -> None:
    assert outcome(clean_value, value) == outcome(reference_clean_value, value)
    assert outcome(normalise_handle, value) == outcome(reference_normalise_handle, value)


ATEXT_CHARACTERS = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~"
LDH_CHARACTERS = string.ascii_letters + string.digits + "-"
ODD_CHARACTERS = ' ."@<>()[]\\,;:é\x00\t'
SPECIAL_USE_LABELS = ["local", "localhost", "test", "invalid", "onion", "arpa", "example", "LOCAL", "Test"]


def sized_text(alphabet: str, sizes: list[int]) -> st.SearchStrategy[str]:
    """Text of one of the given lengths, from `alphabet`."""
    return st.sampled_from(sizes).flatmap(lambda n: st.text(alphabet=alphabet, min_size=n, max_size=n))


local_parts = st.one_of(
    st.lists(st.text(alphabet=ATEXT_CHARACTERS, max_size=6), min_size=1, max_size=4).map(".".join),
    st.text(alphabet=ATEXT_CHARACTERS + ODD_CHARACTERS, min_size=1, max_size=10),
    sized_text(ATEXT_CHARACTERS, [63, 64, 65]),
    st.sampled_from([63, 64, 65]).map(lambda n: "L" * n),
    st.sampled_from(['"quoted"', '"a b"', '"a@b"', '"a\\"b"', '""', "", "Postmaster", "INFO", "é", "李雷"]),
)
labels = st.one_of(
    st.text(alphabet=LDH_CHARACTERS, max_size=6),
    sized_text(LDH_CHARACTERS, [62, 63, 64]),
    st.sampled_from([62, 63, 64]).map(lambda n: "d" * n),
    st.sampled_from(["xn--p1ai", "XN--80AKHBYKNJ4F", "xn--abc", "ab--cd", "a--b", "-a", "a-", "a_b", "例子"]),
)
top_labels = st.one_of(
    labels,
    st.sampled_from([*SPECIAL_USE_LABELS, "com", "CO", "id", "123", "1a", "a1", "x", "9", "ｅ"]),
)
domains = st.one_of(
    st.builds(lambda head, top: ".".join([*head, top]), st.lists(labels, max_size=4), top_labels),
    st.builds(
        lambda head, special: ".".join([*head, special]),
        st.lists(labels, max_size=2),
        st.sampled_from(SPECIAL_USE_LABELS),
    ),
    st.sampled_from(["[1.2.3.4]", "[IPv6:::1]", "[ipv6:2001:db8::1]", "[300.1.1.1]", "a..com", ".a.com"]),
)


def long_address(local_length: int, total_length: int, label_length: int) -> str:
    """An address of exactly `total_length` characters whose domain labels are `label_length` long at most."""
    remaining = total_length - local_length - 1
    head = []
    while remaining > label_length:
        head.append("b" * (label_length - 1))
        remaining -= label_length
    return "a" * local_length + "@" + ".".join([*head, "c" * remaining])


alphanumerics = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)
atoms = st.text(alphabet=ATEXT_CHARACTERS, min_size=1, max_size=8)
plain_labels = alphanumerics | st.builds(lambda x, y: f"{x}-{y}", alphanumerics, alphanumerics)
plausible_addresses = st.builds(
    lambda local, head, top: f"{local}@{'.'.join([*head, top])}",
    st.lists(atoms, min_size=1, max_size=3).map(".".join),
    st.lists(plain_labels, min_size=1, max_size=3),
    st.text(alphabet=string.ascii_letters, min_size=2, max_size=6) | st.sampled_from(SPECIAL_USE_LABELS),
)
"""Mostly addresses the fast path accepts, some under a special-use name."""

near_valid_addresses = st.one_of(
    plausible_addresses,
    st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains),
    st.builds(
        long_address,
        st.sampled_from([1, 10, 63, 64, 65]),
        st.integers(248, 258),
        st.sampled_from([62, 63, 64, 65]),
    ),
    st.builds(lambda local, domain: f"Name <{local}@{domain}>", local_parts, domains),
    st.builds(lambda local, domain, extra: f"{local}@{domain}{extra}", local_parts, domains,
              st.sampled_from(["@x.com", " ", "\n", ".", "-", "@"])),
)


@EMAIL_SETTINGS
@given(address=near_valid_addresses)
def test_normalise_email_answers_as_the_library_on_near_valid_addresses(address: str) -> None:
    assert outcome(normalise_email, address) == outcome(reference_normalise_email, address)


@EMAIL_SETTINGS
@given(address=st.text(max_size=30) | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30))
def test_normalise_email_answers_as_the_library_on_any_text(address: str) -> None:
    assert outcome(normalise_email, address) == outcome(reference_normalise_email, address)


MODULE_DEFAULTS = [
    ("TEST_ENVIRONMENT", True),
    ("GLOBALLY_DELIVERABLE", False),
    ("STRICT", True),
    ("ALLOW_EMPTY_LOCAL", True),
    ("ALLOW_QUOTED_LOCAL", True),
    ("ALLOW_DOMAIN_LITERAL", True),
    ("ALLOW_SMTPUTF8", False),
    ("ALLOW_DISPLAY_NAME", True),
    ("SPECIAL_USE_DOMAIN_NAMES", [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "co.id", "Example.com"]),
]


@EMAIL_SETTINGS
@given(address=near_valid_addresses, default=st.sampled_from(MODULE_DEFAULTS))
def test_normalise_email_follows_the_library_module_defaults(
    address: str, default: tuple[str, object]
) -> None:
    name, value = default
    with mock.patch.object(email_validator, name, value):
        assert outcome(normalise_email, address) == outcome(reference_normalise_email, address)


@pytest.mark.parametrize(
    ("default", "address"),
    [
        (("STRICT", True), "a" * 65 + "@x.com"),
        (("STRICT", True), "a" * 64 + "@x.com"),
        (("TEST_ENVIRONMENT", True), "a@b.test"),
        (("TEST_ENVIRONMENT", True), "a@test"),
        (("GLOBALLY_DELIVERABLE", False), "a@b.123"),
        (("GLOBALLY_DELIVERABLE", False), "a@localhost"),
        (("ALLOW_QUOTED_LOCAL", True), '"a b"@x.com'),
        (("ALLOW_DOMAIN_LITERAL", True), "a@[1.2.3.4]"),
        (("ALLOW_EMPTY_LOCAL", True), "@x.com"),
        (("ALLOW_SMTPUTF8", False), "é@x.com"),
        (("ALLOW_DISPLAY_NAME", True), "Name <a@x.com>"),
    ],
)
def test_explicit_addresses_under_module_defaults(default: tuple[str, object], address: str) -> None:
    name, value = default
    with mock.patch.object(email_validator, name, value):
        assert outcome(normalise_email, address) == outcome(reference_normalise_email, address)


def test_special_use_names_are_read_on_each_call() -> None:
    assert normalise_email("a@b.co.id") == "a@b.co.id"
    names = list(email_validator.SPECIAL_USE_DOMAIN_NAMES)
    with mock.patch.object(email_validator, "SPECIAL_USE_DOMAIN_NAMES", names):
        assert normalise_email("a@b.co.id") == "a@b.co.id"
        names.append("co.id")
        assert outcome(normalise_email, "a@b.co.id") == ("error", "invalid_email")
    assert normalise_email("a@b.co.id") == "a@b.co.id"


LONGEST_ADDRESS = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61
"""254 characters: the longest address email_validator accepts."""


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Siti.Rahman+promo@Example.co.id", ("ok", "siti.rahman+promo@example.co.id")),
        ("Postmaster@Example.COM", ("ok", "postmaster@example.com")),
        ("a@b.1a", ("ok", "a@b.1a")),
        ("a" * 64 + "@x.com", ("ok", "a" * 64 + "@x.com")),
        ("a" * 65 + "@x.com", ("ok", "a" * 65 + "@x.com")),
        ("a@" + "b" * 63 + ".com", ("ok", "a@" + "b" * 63 + ".com")),
        ("a@" + "b" * 64 + ".com", ("error", "invalid_email")),
        ("a@b." + "c" * 63, ("ok", "a@b." + "c" * 63)),
        ("a@b." + "c" * 64, ("error", "invalid_email")),
        (LONGEST_ADDRESS, ("ok", LONGEST_ADDRESS)),
        (LONGEST_ADDRESS + "d", ("error", "invalid_email")),
        ("a@b.123", ("error", "invalid_email")),
        ("a@b.a1", ("error", "invalid_email")),
        ("a@localhost", ("error", "invalid_email")),
        ("x@foo.local", ("error", "invalid_email")),
        ("a@b.test", ("error", "invalid_email")),
        ("a@b.invalid", ("error", "invalid_email")),
        ("a@example.onion", ("error", "invalid_email")),
        ("a@1.in-addr.ARPA", ("error", "invalid_email")),
        ("a@ab--cd.com", ("error", "invalid_email")),
        ("a@xn--p1ai.xn--p1ai", ("ok", "a@рф.рф")),
        ("a..b@x.com", ("error", "invalid_email")),
        (".a@x.com", ("error", "invalid_email")),
        ("a@-x.com", ("error", "invalid_email")),
        ('"a b"@x.com', ("error", "invalid_email")),
        ("a@[1.2.3.4]", ("error", "invalid_email")),
    ],
)
def test_explicit_addresses(address: str, expected: Outcome) -> None:
    assert outcome(reference_normalise_email, address) == expected
    assert outcome(normalise_email, address) == expected


@pytest.mark.parametrize(
    "address",
    ["Siti.Rahman+promo@Example.co.id", "budi_s@mail.example.com", "o'brien@x-y.io", "a@b.co", "1@2.3.ab"],
)
def test_plain_addresses_skip_the_library(address: str) -> None:
    with mock.patch.object(identities, "validate_email", side_effect=AssertionError("not the fast path")):
        assert normalise_email(address) == address.lower()


def test_ascii_hostname_characters_map_to_their_lowercase_in_uts46() -> None:
    """Why the fast path may take text.lower() for the library's remapped ASCII domain."""
    for char in LDH_CHARACTERS + ".":
        assert idna.uts46_remap(char, std3_rules=False, transitional=False) == char.lower()
