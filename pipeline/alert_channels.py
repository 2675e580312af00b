"""Where alerts go: mail over SMTP and a Slack-compatible webhook. The only network code of alerting.

Each sender takes the stored payload (``{"subject", "text", "blocks"}``) and either returns or
raises ``ChannelError`` with a short reason; the outbox (``pipeline.alerts``) records which.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from pipeline.settings import Settings

TIMEOUT_S = 10.0


class ChannelError(Exception):
    """An alert could not be delivered (server down, refused, bad configuration)."""


def configured_channels(settings: Settings) -> list[str]:
    channels = []
    if settings.smtp_url and settings.alert_email_to:
        channels.append("email")
    if settings.alert_webhook_url:
        channels.append("webhook")
    return channels


def _smtp(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ChannelError(f"PIPELINE_SMTP_URL must look like smtp://host:port or smtps://host:port, not {url!r}")
    query = parse_qs(parts.query)
    if parts.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=TIMEOUT_S,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=TIMEOUT_S)
        if query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"):
            server.starttls(context=ssl.create_default_context())
    if parts.username:
        server.login(unquote(parts.username), unquote(parts.password or ""))
    return server


def send_email(settings: Settings, payload: dict) -> None:
    message = EmailMessage()
    message["Subject"] = payload["subject"]
    message["From"] = settings.alert_email_from
    message["To"] = ", ".join(settings.alert_email_to)
    message.set_content(payload["text"])
    try:
        server = _smtp(settings.smtp_url)
        try:
            server.send_message(message)
        finally:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                pass
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"smtp {urlsplit(settings.smtp_url).netloc.rsplit('@', 1)[-1]}: {exc!r}"[:300]) from exc


def send_webhook(settings: Settings, payload: dict) -> None:
    body = {"text": payload["text"], "blocks": payload["blocks"]}
    try:
        response = httpx.post(settings.alert_webhook_url, json=body, timeout=TIMEOUT_S,
                              headers={"User-Agent": settings.user_agent})
    except httpx.HTTPError as exc:
        raise ChannelError(f"webhook: {exc!r}"[:300]) from exc
    if not 200 <= response.status_code < 300:
        raise ChannelError(f"webhook: HTTP {response.status_code} {response.text[:200]!r}")


SENDERS = {"email": send_email, "webhook": send_webhook}


def deliver(settings: Settings, channel: str, payload: dict) -> None:
    """Send one payload on one channel; raises ``ChannelError`` when it did not go out."""
    if channel == "log":
        return
    if channel not in configured_channels(settings):
        raise ChannelError(f"channel {channel} is no longer configured")
    SENDERS[channel](settings, payload)
