"""The speech-to-text seam: phone calls become speaker-labelled transcript segments.

No provider is required: transcripts may arrive ready-made from the telephony platform
(`POST /api/v1/qa/conversations/{id}/transcript`). A server with `KEFU_SPEECH_TO_TEXT_URL` uses
`OpenAICompatibleSpeechToText`, which posts each leg of a dual-channel recording (customer, agent)
to an OpenAI-compatible `/audio/transcriptions` endpoint (a self-hosted whisper server, for one)
through the guarded outbound client; Kefu itself downloads and runs no speech model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from kefu.outbound.client import OutboundPolicy, guarded_client
from kefu.qa.exceptions import SpeechToTextFailed, SpeechToTextNotConfigured


@dataclass(frozen=True)
class SpeechSegment:
    """A stretch of speech in one recording: seconds from its start, and the words."""

    start_seconds: float
    end_seconds: float | None
    text: str


@dataclass(frozen=True)
class Audio:
    """One leg of a call recording as uploaded."""

    content: bytes
    filename: str
    content_type: str


class SpeechToText(Protocol):
    """A speech-to-text provider: one recording (one speaker's leg) in, timed segments out."""

    name: str

    def transcribe(self, audio: Audio, *, language: str | None) -> list[SpeechSegment]:
        """The recording's speech as timed segments, in order."""
        ...


class OpenAICompatibleSpeechToText:
    """A provider speaking the OpenAI `audio/transcriptions` API (`verbose_json` with segments)."""

    name = "openai_compatible"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        policy: OutboundPolicy,
        timeout_seconds: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/audio/transcriptions"
        self._model, self._api_key = model, api_key
        self._policy, self._timeout, self._transport = policy, timeout_seconds, transport

    def transcribe(self, audio: Audio, *, language: str | None) -> list[SpeechSegment]:
        """Post the recording; a refusal, a timeout or an unreadable answer is `speech_to_text_failed`."""
        data = {"model": self._model, "response_format": "verbose_json"}
        if language:
            data["language"] = language
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            with guarded_client(self._policy, timeout_seconds=self._timeout, transport=self._transport) as c:
                response = c.post(
                    self._url,
                    data=data,
                    files={"file": (audio.filename, audio.content, audio.content_type)},
                    headers=headers,
                )
        except httpx.HTTPError as exc:
            reason = type(exc).__name__
            raise SpeechToTextFailed(f"the speech-to-text provider did not answer ({reason})") from None
        if response.status_code != 200:
            raise SpeechToTextFailed(
                "the speech-to-text provider refused the recording", details={"status": response.status_code}
            )
        try:
            return _segments(response.json())
        except (ValueError, KeyError, TypeError):
            raise SpeechToTextFailed("the speech-to-text provider's answer has no segments") from None


def _segments(body: Any) -> list[SpeechSegment]:
    """Segments of a `verbose_json` answer (a plain `text` answer is one segment at 0 s)."""
    if body.get("segments"):
        return [
            SpeechSegment(float(s["start"]), float(s["end"]) if s.get("end") is not None else None,
                          str(s["text"]).strip())
            for s in body["segments"]
            if str(s["text"]).strip()
        ]
    text = str(body["text"]).strip()
    return [SpeechSegment(0.0, None, text)] if text else []


def transcribe_call(
    provider: SpeechToText | None, *, customer: Audio, agent: Audio, language: str | None
) -> list[dict[str, Any]]:
    """Both legs of a call transcribed and merged in time order as customer / agent segments."""
    if provider is None:
        raise SpeechToTextNotConfigured("no speech-to-text provider is configured (KEFU_SPEECH_TO_TEXT_URL)")
    merged = [
        {"speaker": speaker, "text": s.text, "start_seconds": s.start_seconds, "end_seconds": s.end_seconds}
        for speaker, leg in (("customer", customer), ("agent", agent))
        for s in provider.transcribe(leg, language=language)
    ]
    return sorted(merged, key=lambda s: (s["start_seconds"], s["speaker"] != "customer"))


def provider_from_settings(
    *,
    base_url: str | None,
    model: str,
    api_key: str | None,
    policy: OutboundPolicy,
    transport: httpx.BaseTransport | None = None,
) -> SpeechToText | None:
    """The configured provider, or None when the server has none."""
    if not base_url:
        return None
    return OpenAICompatibleSpeechToText(
        base_url=base_url, model=model, api_key=api_key, policy=policy, transport=transport
    )
