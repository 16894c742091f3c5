"""Reading an RFC 5322 message: headers in any charset, text or HTML bodies, attachments, automatic mail.

Charsets are decoded by their superset where senders commonly exceed the declared one (GB2312
and GBK mail carries GB18030 characters, Big5 mail HKSCS ones); undecodable bytes become U+FFFD
rather than failing the message.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser

CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
}
"""Declared charset → the codec that reads what senders actually put under that name."""
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
REFERENCE_TOKEN = re.compile(r"\[#([A-Z2-7]{8})\]")
AUTO_SUBJECTS = re.compile(
    r"^\s*(auto(matic)?[ _-]?(reply|response)|out of (the )?office|autoreply|vacation|"
    r"自动回复|自動回覆|自動回復|不在办公室|thư trả lời tự động|balasan otomatis|ตอบกลับอัตโนมัติ)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
QUOTE_MARKERS = re.compile(
    r"^\s*(on .{1,200}wrote:\s*$|在.{1,200}(写道|寫道)[:：]\s*$|-{2,}\s*original message\s*-{2,}|"
    r"-{2,}\s*(原始邮件|原始郵件|原始信件)\s*-{2,}|_{10,}\s*$|from:\s.+\s*$|发件人[:：]|寄件者[:：])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Part:
    """An attachment of the message: its name, declared type and decoded bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    """What Kefu needs of one email."""

    message_id: str
    sender_address: str | None
    sender_name: str | None
    subject: str
    to: list[str]
    in_reply_to: list[str]
    references: list[str]
    tokens: list[str]
    sent_at: datetime | None
    text: str
    quoted: str
    html_only: bool
    attachments: list[Part] = field(default_factory=list)
    automatic: str | None = None
    """Why this is not a customer's own message (an auto-reply or a bounce), else None."""


def codec_for(charset: str | None) -> str:
    """The codec to decode a declared charset with (UTF-8 when unknown)."""
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes of a declared charset as text, never failing."""
    return data.decode(codec_for(charset), errors="replace")


def header_text(value: object) -> str:
    """A header's value with RFC 2047 encoded words decoded, whitespace folded."""
    if value is None:
        return ""
    raw = str(value)
    try:
        chunks = email.header.decode_header(raw)
    except (ValueError, email.errors.HeaderParseError):
        return " ".join(raw.split())
    words = [decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in chunks]
    return " ".join("".join(words).split())


def message_ids(value: object) -> list[str]:
    """The `<id>` tokens of a Message-ID / In-Reply-To / References header, in order."""
    return MESSAGE_ID.findall(str(value or ""))


class _TextExtractor(HTMLParser):
    """Visible text of an HTML body: no scripts, styles or markup; blocks on their own lines."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr"}
    )
    HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a hidden element or start a new line for a block."""
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Close a hidden element or end a block's line."""
        if tag in self.HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Safe plain text of an HTML body (markup dropped, entities decoded, blank lines collapsed)."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def split_quoted(text: str) -> tuple[str, str]:
    """The new part of a reply and the quoted history below it (kept, not shown first)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index > 0 and (QUOTE_MARKERS.match(line) or line.startswith(">")):
            head = "\n".join(lines[:index]).rstrip()
            if head.strip():
                return head, "\n".join(lines[index:])
            break
    return text.strip(), ""


def _payload_text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    return decode_bytes(data, part.get_content_charset())


def _filename(part: Message) -> str | None:
    name = part.get_filename()
    return header_text(name) if name else None


def _automatic(message: Message, sender: str | None, subject: str) -> str | None:
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return f"auto-submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None:
            return f"{name.lower()} header"
    if str(message.get("Precedence", "")).strip().lower() in {"auto_reply", "junk", "bulk"}:
        return f"precedence: {message.get('Precedence')}"
    if message.get_content_type() == "multipart/report" and (
        message.get_param("report-type") == "delivery-status"
    ):
        return "delivery status notification (bounce)"
    if sender and BOUNCE_SENDERS.match(sender):
        return f"bounce from {sender}"
    if AUTO_SUBJECTS.match(subject):
        return "auto-reply subject"
    return None


def parse_mail(raw: bytes) -> ParsedMail:
    """Read a raw message; a message without a Message-ID gets one from its content's hash."""
    message = email.message_from_bytes(raw)
    subject = header_text(message.get("Subject"))
    name, address = email.utils.parseaddr(header_text(message.get("From")))
    sender = address.strip().lower() or None
    ids = message_ids(message.get("Message-ID"))
    message_id = ids[0] if ids else f"<sha256.{hashlib.sha256(raw).hexdigest()}@kefu.invalid>"
    sent_at = None
    if message.get("Date"):
        try:
            sent_at = email.utils.parsedate_to_datetime(str(message["Date"]))
        except (TypeError, ValueError):
            sent_at = None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Part] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        kind = part.get_content_type()
        if disposition == "attachment" or filename or not kind.startswith("text/"):
            if kind.startswith("multipart/") or kind in {"message/delivery-status"}:
                continue
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                attachments.append(Part(filename or f"attachment-{len(attachments) + 1}", kind, data))
            continue
        if kind == "text/html":
            html.append(_payload_text(part))
        elif kind == "text/plain":
            plain.append(_payload_text(part))
    body = "\n\n".join(p.strip() for p in plain if p.strip())
    html_only = not body and bool(html)
    if html_only:
        body = "\n\n".join(html_to_text(h) for h in html)
    text, quoted = split_quoted(body.replace("\r\n", "\n"))
    return ParsedMail(
        message_id=message_id,
        sender_address=sender,
        sender_name=name.strip() or None,
        subject=subject,
        to=[
            a.lower()
            for _, a in email.utils.getaddresses([header_text(v) for v in message.get_all("To", [])])
        ],
        in_reply_to=message_ids(message.get("In-Reply-To")),
        references=message_ids(message.get("References")),
        tokens=REFERENCE_TOKEN.findall(subject),
        sent_at=sent_at,
        text=text,
        quoted=quoted,
        html_only=html_only,
        attachments=attachments,
        automatic=_automatic(message, sender, subject),
    )
