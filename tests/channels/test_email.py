"""Email through real components: smtplib → SMTP receiver → conversation → reply to an SMTP sink → thread."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.wiring import Container
from tests.channels.conftest import create_inbox
from tests.channels.email_support import PNG, SUPPORT, mail, receiver, send, smtp_sink


def _email_inbox(api: TestClient, sink_port: int, **extra: Any) -> dict[str, Any]:
    return create_inbox(
        api,
        "email",
        {"address": SUPPORT, "smtp_host": "127.0.0.1", "smtp_port": sink_port, "smtp_tls": "none", **extra},
        name="support@shop.example",
    )


def _conversations(api: TestClient) -> list[dict[str, Any]]:
    return list(api.get("/api/v1/conversations").json()["items"])


def _messages(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/conversations/{conversation_id}/messages").json()["items"])


def test_mail_in_reply_out_and_the_customer_reply_threads(api: TestClient, container: Container) -> None:
    with smtp_sink() as (sink, sink_port), receiver(container) as port:
        inbox = _email_inbox(api, sink_port)
        assert inbox["webhook_url"] is None
        first = mail(attachments=[("截图.png", "image/png", PNG)])
        send(port, first)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(port, mail(message_id="<other@example.cn>"), ["nobody@shop.example"])

        [conversation] = _conversations(api)
        assert conversation["channel"] == "email"
        assert conversation["inbox_id"] == inbox["id"]
        [message] = _messages(api, conversation["id"])
        assert message["text"] == "你好，我的订单 12345 还没有收到。"
        assert message["external_id"] == "<cust-1@example.cn>"
        [attachment] = message["attachments"]
        assert attachment["name"] == "截图.png"
        assert attachment["content_type"] == "image/png"
        download = api.get(attachment["url"])
        assert download.status_code == 200
        assert download.content == PNG
        assert download.headers["content-disposition"] == "attachment"
        customer = api.get(f"/api/v1/customers/{conversation['customer_id']}").json()
        assert customer["name"] == "Li Wei"

        # the raw message is in the ledger, byte for byte
        [entry] = api.get("/api/v1/channels/inbound").json()["items"]
        detail = api.get(f"/api/v1/channels/inbound/{entry['id']}").json()
        assert detail["request"]["method"] == "SMTP"
        assert "Message-ID: <cust-1@example.cn>" in detail["request"]["body"]

        reply = api.post(
            f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "已为您查询，明天送达。"}
        )
        assert reply.status_code == 201, reply.text
        [sent] = sink.messages
        assert sink.envelopes[0][1] == ["li.wei@example.cn"]
        assert sent["In-Reply-To"] == "<cust-1@example.cn>"
        assert sent["References"] == "<cust-1@example.cn>"
        assert sent["Message-ID"] == f"<kefu.{reply.json()['id']}@shop.example>"
        assert str(sent["Subject"]).startswith("Re: ")
        [delivery] = api.get("/api/v1/channels/deliveries").json()
        assert delivery["status"] == "sent"
        assert delivery["provider_message_id"] == sent["Message-ID"]

        answer = mail(
            subject=str(sent["Subject"]),
            text="谢谢！\n\n在 2026年3月2日，客服 写道：\n> 已为您查询，明天送达。",
            message_id="<cust-2@example.cn>",
            in_reply_to=sent["Message-ID"],
            references=f"<cust-1@example.cn> {sent['Message-ID']}",
        )
        send(port, answer)
        send(port, answer)  # the customer's server retried: still one message
        assert len(_conversations(api)) == 1
        texts = [m["text"] for m in _messages(api, conversation["id"]) if m["direction"] == "inbound"]
        assert texts == ["你好，我的订单 12345 还没有收到。", "谢谢！"]


def test_new_mail_opens_its_own_conversation_and_a_token_threads_without_headers(
    api: TestClient, container: Container
) -> None:
    with smtp_sink() as (sink, sink_port), receiver(container) as port:
        _email_inbox(api, sink_port)
        send(
            port, mail(subject="Refund", text="I want a refund.", charset="utf-8", message_id="<a@x.example>")
        )
        [first] = _conversations(api)
        api.post(f"/api/v1/conversations/{first['id']}/messages", json={"text": "Which order?"})
        subject = str(sink.messages[0]["Subject"])
        assert subject.startswith("Re: Refund [#") and subject.endswith("]")
        send(
            port,
            mail(
                subject="Another question",
                text="Do you ship to Bali?",
                charset="utf-8",
                message_id="<b@x.example>",
            ),
        )
        assert len(_conversations(api)) == 2  # a new thread is a new conversation
        # a client that dropped In-Reply-To/References: the subject's token still threads it
        send(port, mail(subject=subject, text="Order 777.", charset="utf-8", message_id="<c@x.example>"))
        assert len(_conversations(api)) == 2
        assert [m["text"] for m in _messages(api, first["id"]) if m["direction"] == "inbound"] == [
            "I want a refund.",
            "Order 777.",
        ]


def test_threading_stays_within_the_same_customer(api: TestClient, container: Container) -> None:
    with smtp_sink() as (_, sink_port), receiver(container) as port:
        _email_inbox(api, sink_port)
        send(port, mail(subject="Help", text="Help me.", charset="utf-8", message_id="<m1@x.example>"))
        [first] = _conversations(api)
        send(
            port,
            mail(
                sender="mallory@evil.example",
                subject="Re: Help",
                text="I am in your thread.",
                charset="utf-8",
                message_id="<m2@evil.example>",
                in_reply_to="<m1@x.example>",
            ),
        )
        conversations = _conversations(api)
        assert len(conversations) == 2
        assert len(_messages(api, first["id"])) == 1


def test_auto_replies_and_bounces_are_kept_but_never_conversations(
    api: TestClient, container: Container
) -> None:
    bounce = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@shop.example\r\nSubject: Undelivered Mail\r\n"
        b"Message-ID: <bounce-1@mx.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    with smtp_sink() as (_, sink_port), receiver(container) as port:
        _email_inbox(api, sink_port)
        send(
            port,
            mail(
                subject="Out of office",
                text="I am away.",
                charset="utf-8",
                message_id="<ooo@x.example>",
                headers={"Auto-Submitted": "auto-replied"},
            ),
        )
        send(
            port,
            mail(
                subject="Re: your ticket",
                text="Away",
                charset="utf-8",
                message_id="<v@x.example>",
                headers={"X-Autoreply": "yes"},
            ),
        )
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("", [SUPPORT], bounce)
        assert _conversations(api) == []
        assert api.get("/api/v1/channels/inbound").json()["items"] == []


def test_oversized_attachments_are_refused_with_a_reason_and_the_text_kept(
    api: TestClient, container: Container
) -> None:
    with smtp_sink() as (_, sink_port), receiver(container) as port:
        _email_inbox(api, sink_port, max_attachment_bytes=100)
        send(
            port,
            mail(
                text="See the file.",
                charset="utf-8",
                attachments=[("big.pdf", "application/pdf", b"%PDF-" + b"x" * 500)],
            ),
        )
        [conversation] = _conversations(api)
        [message] = _messages(api, conversation["id"])
        assert message["attachments"] == []
        assert (
            message["text"] == "See the file.\n[attachment big.pdf refused: 505 bytes, over the limit of 100]"
        )


def test_email_inbox_has_no_public_webhook(api: TestClient, container: Container) -> None:
    with smtp_sink() as (_, sink_port):
        inbox = _email_inbox(api, sink_port)
    response = api.post(
        f"/api/v1/channels/email/{inbox['id']}/webhook", content=b"From: x@y.example\r\n\r\nhi"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_serve_starts_the_receiver_only_when_configured_and_demo_on_a_free_port(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    from kefu.cli import _smtp_receiver

    assert _smtp_receiver(container, demo=False) is None  # KEFU_SMTP_PORT not set
    started = _smtp_receiver(container, demo=True)
    assert started is not None
    try:
        line = capsys.readouterr().out.strip()
        assert "SMTP" in line and line.endswith(f"127.0.0.1:{started.port}")
        with smtplib.SMTP("127.0.0.1", started.port, timeout=10) as client:
            assert client.noop()[0] == 250
    finally:
        started.stop()
