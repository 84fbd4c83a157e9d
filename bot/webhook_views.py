"""What the webhook menus show (bot.webhooks_cmd): the store's endpoints with their last
delivery, one endpoint, its delivery log, and the owner's alert when failures disabled one.

Buttons are `wh:<store>:<action>:<id>[:<arg>]` (an endpoint id, or an add's draft token).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import SettingKey, WebhookAction, setting_button
from bot.i18n import local_time, translator
from i18n import Translator
from models.outbox import webhooks
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from models.stores.tables import Store

LOG_SHOWN = 10
URL_CHARS = 60
ERROR_CHARS = 100
ACTIONS = frozenset(WebhookAction)
_DATA = re.compile(r"wh:([0-9]{1,9}):([a-z]{2}):([0-9]{1,19})(?::([0-9]{1,19}))?")
OUTCOME_ICON = {"delivered": "✅", "retrying": "⏳", "dead": "❌"}


def button(store_id: int, action: WebhookAction, target: int = 0, arg: int | None = None) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown webhook action {action!r}")
    return f"wh:{store_id}:{action}:{target}" + (f":{arg}" if arg is not None else "")


def parse_button(data: str | None) -> tuple[int, WebhookAction, int, int | None] | None:
    match = _DATA.fullmatch(data or "")
    if match is None or match.group(2) not in ACTIONS:
        return None
    arg = match.group(4)
    action = WebhookAction(match.group(2))
    return int(match.group(1)), action, int(match.group(3)), int(arg) if arg else None


def key(
    label: str, store_id: int, action: WebhookAction, target: int = 0, arg: int | None = None
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button(store_id, action, target, arg))


def clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def url_html(url: str) -> str:
    return f"<code>{escape(clip(url, URL_CHARS))}</code>"


def host(url: str) -> str:
    return clip(urlsplit(url).hostname or url, 24)


def events_text(events: list[str], _: Translator) -> str:
    return _("all events") if set(events) >= set(webhooks.EVENTS) else ", ".join(events)


def attempt_line(attempt: WebhookAttempt, _: Translator) -> str:
    parts = [f"{OUTCOME_ICON.get(attempt.outcome, '•')} {local_time(attempt.created_at)}"]
    parts.append(escape(attempt.event))
    if attempt.order_number:
        parts.append(f"#{attempt.order_number}")
    parts.append(str(attempt.status_code) if attempt.status_code else "—")
    if attempt.error and attempt.outcome != "delivered":
        parts.append(escape(clip(attempt.error, ERROR_CHARS)))
    return " · ".join(parts)


def state_line(endpoint: WebhookEndpoint, _: Translator) -> str:
    if endpoint.active:
        return "✅ " + _("active")
    when = local_time(endpoint.disabled_at) if endpoint.disabled_at else ""
    reason = escape(clip(endpoint.disabled_reason, ERROR_CHARS))
    return "⛔ " + _("disabled %(when)s: %(reason)s", when=when, reason=reason)


# --- views -------------------------------------------------------------------------------


async def list_view(store: Store, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The store's endpoints, each with its state and last delivery, and their buttons."""
    endpoints = await webhooks.list_endpoints(store, limit=webhooks.MAX_ENDPOINTS)
    text = ["🔗 <b>" + _("Webhooks of %(store)s", store=escape(store.name)) + "</b>"]
    if not endpoints:
        text.append(_("No webhook yet: add one to send the store's order events to your tools."))
    rows = []
    for endpoint in endpoints:
        last = await webhooks.deliveries(store, endpoint.id, limit=1)
        icon = "✅" if endpoint.active else "⛔"
        text += [
            "",
            f"{icon} {url_html(endpoint.url)}",
            "    " + _("Events: %(events)s", events=escape(events_text(endpoint.events, _))),
            "    "
            + (
                _("Last delivery: %(attempt)s", attempt=attempt_line(last[0], _))
                if last
                else _("No delivery yet.")
            ),
        ]
        rows.append(
            [
                key(
                    f"⚙️ #{endpoint.id} {host(endpoint.url)}",
                    store.id,
                    WebhookAction.OPEN,
                    endpoint.id,
                )
            ]
        )
    if len(endpoints) < webhooks.MAX_ENDPOINTS:
        rows.append([key("➕ " + _("Add a webhook"), store.id, WebhookAction.ADD)])
    back = "« " + _("Settings")
    rows.append(
        [
            InlineKeyboardButton(
                back, callback_data=setting_button(store.id, SettingKey.MENU, "main")
            )
        ]
    )
    return "\n".join(text), InlineKeyboardMarkup(rows)


def endpoint_view(endpoint: WebhookEndpoint, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    sid, eid = endpoint.store_id, endpoint.id
    personal = _("yes") if endpoint.include_personal_data else _("no")
    text = [
        "🔗 <b>" + _("Webhook #%(id)s", id=eid) + "</b>",
        url_html(endpoint.url),
        state_line(endpoint, _),
        _("Events: %(events)s", events=escape(events_text(endpoint.events, _))),
        _("Customer details included: %(answer)s", answer=personal),
    ]
    rows = [
        [
            key("📜 " + _("Delivery log"), sid, WebhookAction.LOG, eid),
            key("📡 " + _("Test"), sid, WebhookAction.TEST, eid),
        ]
    ]
    if not endpoint.active:
        rows.append([key("▶️ " + _("Enable again"), sid, WebhookAction.ENABLE, eid)])
    rows.append([key("🗑 " + _("Delete"), sid, WebhookAction.DELETE, eid)])
    rows.append([key("« " + _("Webhooks"), sid, WebhookAction.LIST)])
    return "\n".join(text), InlineKeyboardMarkup(rows)


async def log_view(
    store: Store, endpoint: WebhookEndpoint, _: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    """The last deliveries, newest first, with a button to send each dead one again."""
    attempts = await webhooks.deliveries(store, endpoint.id, limit=LOG_SHOWN)
    head = "📜 <b>" + _("Deliveries of webhook #%(id)s", id=endpoint.id) + "</b>"
    body = [attempt_line(a, _) for a in attempts] or [_("No delivery yet.")]
    rows = [
        [
            key(
                "🔁 " + _("Send again: %(when)s", when=local_time(a.created_at)),
                store.id,
                WebhookAction.REDELIVER,
                endpoint.id,
                a.id,
            )
        ]
        for a in attempts
        if a.outcome == "dead"
    ]
    rows.append(
        [
            key("🔄", store.id, WebhookAction.LOG, endpoint.id),
            key("« " + _("Back"), store.id, WebhookAction.OPEN, endpoint.id),
        ]
    )
    return "\n".join([head, url_html(endpoint.url), *body]), InlineKeyboardMarkup(rows)


def disabled_notice(store: Store, payload: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """The owner's alert that failures disabled an endpoint, with its log and enable buttons."""
    _ = translator(store.lang)
    endpoint_id = int(str(payload.get("endpoint_id", 0)))
    text = [
        "⚠️ <b>" + _("A webhook of %(store)s was disabled", store=escape(store.name)) + "</b>",
        url_html(str(payload.get("url", ""))),
        _(
            "%(n)s deliveries in a row failed; the last one: %(reason)s",
            n=payload.get("dead_letters", ""),
            reason=escape(clip(str(payload.get("reason", "")), ERROR_CHARS)),
        ),
        _("Nothing is sent to it until it is enabled again; its log can send failed ones again."),
    ]
    markup = InlineKeyboardMarkup(
        [
            [key("📜 " + _("Delivery log"), store.id, WebhookAction.LOG, endpoint_id)],
            [key("▶️ " + _("Enable again"), store.id, WebhookAction.ENABLE, endpoint_id)],
        ]
    )
    return "\n".join(text), markup


# --- refusals ----------------------------------------------------------------------------


def url_refusal(exc: webhooks.WebhookRefused, _: Translator) -> str:
    if exc.code == "private_address":
        return _("This address is on a private network: webhooks go to public addresses only.")
    return _("That is not a web address: send one starting with https://")


def refusal(exc: webhooks.WebhookRefused, _: Translator) -> str:
    if exc.code == "too_many_webhooks":
        return _("A store has at most %(n)s webhooks: delete one first.", n=webhooks.MAX_ENDPOINTS)
    if exc.code == "webhook_disabled":
        return _("This webhook is disabled: enable it first.")
    if exc.code in ("invalid_url", "private_address"):
        return url_refusal(exc, _)
    return _("That did not work: %(reason)s", reason=str(exc))
