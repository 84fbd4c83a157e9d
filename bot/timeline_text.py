"""An order's timeline as one message (the Timeline button)."""

from __future__ import annotations

from html import escape

from bot.edit_views import changes_text
from bot.i18n import N_, OUTCOME, STATUS, local_time, translator
from bot.reasons import courier_label, reason_label
from models.orders.tables import Order
from models.orders.timeline import EventType, timeline_of

MAX_EVENTS = 40
EVENT: dict[str, str] = {
    EventType.CREATED: N_("Order placed"),
    EventType.STATUS_CHANGED: N_("Status"),
    EventType.CALL_LOGGED: N_("Call"),
    EventType.CLAIMED: N_("Claimed"),
    EventType.RELEASED: N_("Released"),
    EventType.CLAIM_EXPIRED: N_("Claim expired"),
    EventType.CALLBACK_DUE: N_("Call back now"),
    EventType.NOTIFICATION_FAILED: N_("Notification failed"),
    EventType.DISPATCH_REQUESTED: N_("Dispatch requested"),
    EventType.DISPATCH_FAILED: N_("Dispatch refused by the courier"),
    EventType.PARCEL_STATUS: N_("Parcel"),
    EventType.EDITED: N_("Edited"),
}


async def timeline_text(order: Order, lang: str) -> str:
    """Oldest first, who and when, the last MAX_EVENTS events."""
    _ = translator(lang)
    events = await timeline_of(order.id)
    rows = [f"🕓 <b>#{order.number}</b>"]
    if len(events) > MAX_EVENTS:
        rows.append(_("… %(count)s earlier events", count=len(events) - MAX_EVENTS))
    for event in events[-MAX_EVENTS:]:
        what = _(EVENT.get(event.type, event.type))
        if event.to_status and event.type == EventType.STATUS_CHANGED:
            what += f" → {_(STATUS.get(event.to_status, event.to_status))}"
        data = event.data if isinstance(event.data, dict) else {}
        outcome, reason, courier = data.get("outcome"), data.get("reason"), data.get("courier")
        if event.type == EventType.CALL_LOGGED and isinstance(outcome, str):
            what += f": {_(OUTCOME.get(outcome, outcome))}"
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        if event.type == EventType.EDITED and isinstance(changes, dict):
            what += ": " + escape(changes_text(changes, lang))
        if event.type == EventType.STATUS_CHANGED and isinstance(reason, str) and reason:
            what += f" ({escape(reason_label(reason, _))})"
        if outcome == "no_answer_limit":
            what += " · " + _(
                "store policy: %(n)s unanswered calls", n=data.get("no_answers") or "?"
            )
        if event.type == EventType.DISPATCH_REQUESTED and isinstance(courier, str):
            what += f": {escape(courier_label(courier, _))}"
        who = escape(event.actor_name or event.actor_kind)
        note = f" — {escape(event.note[:200])}" if event.note else ""
        rows.append(f"{local_time(event.at)} · {what} · {who}{note}")
    return "\n".join(rows)
