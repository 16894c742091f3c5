"""Every provider adapter by inbox channel kind (the one place that names them all)."""

from __future__ import annotations

from kefu.channels.adapters.base import Adapter, Setting
from kefu.channels.adapters.email.adapter import EmailAdapter
from kefu.channels.adapters.fake.adapter import FakeAdapter
from kefu.channels.adapters.messenger.adapter import InstagramAdapter, MessengerAdapter
from kefu.channels.adapters.telegram.adapter import TelegramAdapter
from kefu.channels.adapters.whatsapp.adapter import WhatsAppAdapter
from kefu.channels.adapters.widget.adapter import WidgetAdapter
from kefu.channels.enums import InboxChannel

ADAPTERS: dict[InboxChannel, Adapter] = {
    InboxChannel.FAKE: FakeAdapter(),
    InboxChannel.WHATSAPP: WhatsAppAdapter(),
    InboxChannel.MESSENGER: MessengerAdapter(),
    InboxChannel.INSTAGRAM: InstagramAdapter(),
    InboxChannel.TELEGRAM: TelegramAdapter(),
    InboxChannel.EMAIL: EmailAdapter(),
    InboxChannel.WIDGET: WidgetAdapter(),
}

API_BASE_URL = "api_base_url"


def adapter_for(channel: str) -> Adapter | None:
    """The adapter of a channel kind, or None when no adapter serves it yet."""
    try:
        return ADAPTERS.get(InboxChannel(channel))
    except ValueError:
        return None


def settings_of(adapter: Adapter) -> tuple[Setting, ...]:
    """The adapter's settings plus `api_base_url`, which every HTTP provider has (not email)."""
    if not adapter.default_api_base_url:
        return adapter.settings
    return (*adapter.settings, Setting(API_BASE_URL, required=False, default=adapter.default_api_base_url))
