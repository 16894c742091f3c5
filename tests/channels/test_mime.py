"""Reading email: charsets beyond their declared names, encodings, HTML-only mail, quoted history."""

from __future__ import annotations

import base64

import pytest

from kefu.channels.adapters.email.mime import html_to_text, parse_mail, split_quoted


def _raw(
    body: bytes, charset: str, *, cte: str = "base64", subject: str = "Hi", kind: str = "plain"
) -> bytes:
    payload = base64.encodebytes(body) if cte == "base64" else body
    return (
        f"From: =?utf-8?B?{base64.b64encode('王芳'.encode()).decode()}?= <wang@example.cn>\r\n"
        f"To: support@shop.example\r\nSubject: {subject}\r\nMessage-ID: <m@example.cn>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/{kind}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode() + payload


@pytest.mark.parametrize(
    ("charset", "codec", "text"),
    [
        ("gb2312", "gb18030", "您好，退款什么时候到账？"),
        ("GB2312", "gb18030", "镕"),  # outside GB2312, sent under its name anyway
        ("gbk", "gb18030", "請問"),
        ("big5", "big5hkscs", "請問訂單何時出貨？"),
        ("iso-2022-jp", "iso-2022-jp", "注文について"),
        ("windows-1258", "cp1258", "Xin chào"),
        ("tis-620", "cp874", "สวัสดีครับ"),
    ],
)
def test_charsets(charset: str, codec: str, text: str) -> None:
    mail = parse_mail(_raw(text.encode(codec), charset))
    assert mail.text == text
    assert mail.sender_name == "王芳"
    assert mail.sender_address == "wang@example.cn"


def test_quoted_printable_and_encoded_subject() -> None:
    subject = "=?GB2312?B?" + base64.b64encode("订单问题".encode("gb2312")).decode() + "?="
    body = "退款".encode("gb2312")
    qp = "".join(f"={b:02X}" for b in body).encode()
    mail = parse_mail(_raw(qp, "gb2312", cte="quoted-printable", subject=subject))
    assert mail.subject == "订单问题"
    assert mail.text == "退款"


def test_html_only_mail_becomes_safe_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        "<body><p>Hello &amp; welcome</p><p>Order <b>123</b><br>is late</p></body></html>"
    )
    mail = parse_mail(_raw(html.encode(), "utf-8", kind="html"))
    assert mail.html_only
    assert mail.text == "Hello & welcome\n\nOrder 123\nis late"
    assert "alert" not in mail.text and "<" not in mail.text


def test_html_to_text_keeps_customer_markup_as_data() -> None:
    assert html_to_text("<p>a &lt;script&gt; tag</p>") == "a <script> tag"


def test_quoted_history_is_split_off_and_kept() -> None:
    new, quoted = split_quoted("Thanks!\n\nOn Mon, 2 Mar 2026, Kefu wrote:\n> Your order ships today.")
    assert new == "Thanks!"
    assert quoted.startswith("On Mon") and "> Your order" in quoted
    assert split_quoted("> only a quote") == ("> only a quote", "")


def test_a_message_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nhello"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id != parse_mail(raw + b"!").message_id


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "X-Autoreply: yes",
        "Precedence: junk",
    ],
)
def test_automatic_mail_is_recognised(header: str) -> None:
    raw = f"From: a@b.example\r\nSubject: Re: x\r\n{header}\r\n\r\nI am away".encode()
    assert parse_mail(raw).automatic is not None


def test_a_human_reply_is_not_automatic() -> None:
    raw = b"From: a@b.example\r\nSubject: Re: x\r\nAuto-Submitted: no\r\n\r\nthanks"
    assert parse_mail(raw).automatic is None
