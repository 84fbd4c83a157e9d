"""An order's timeline as one message (the Timeline button)."""

from __future__ import annotations

from html import escape

from bot.edit_views import changes_text
from bot.i18n import N_, OUTCOME, STATUS, local_time, translator
from bot.reasons import courier_label, reason_label
from models.orders.tables import Order
from models.orders.timeline import timeline_of

MAX_EVENTS = 40
EVENT = {
    "created": N_("Order placed"),
    "status_changed": N_("Status"),
    "call_logged": N_("Call"),
    "claimed": N_("Claimed"),
    "released": N_("Released"),
    "claim_expired": N_("Claim expired"),
    "callback_due": N_("Call back now"),
    "notification_failed": N_("Notification failed"),
    "dispatch_requested": N_("Dispatch requested"),
    "dispatch_failed": N_("Dispatch refused by the courier"),
    "parcel_status": N_("Parcel"),
    "edited": N_("Edited"),
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
        if event.to_status and event.type == "status_changed":
            what += f" → {_(STATUS.get(event.to_status, event.to_status))}"
        data = event.data if isinstance(event.data, dict) else {}
        outcome, reason, courier = data.get("outcome"), data.get("reason"), data.get("courier")
        if event.type == "call_logged" and isinstance(outcome, str):
            what += f": {_(OUTCOME.get(outcome, outcome))}"
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        if event.type == "edited" and isinstance(changes, dict):
            what += ": " + escape(changes_text(changes, lang))
        if event.type == "status_changed" and isinstance(reason, str) and reason:
            what += f" ({escape(reason_label(reason, _))})"
        if outcome == "no_answer_limit":
            what += " · " + _(
                "store policy: %(n)s unanswered calls", n=data.get("no_answers") or "?"
            )
        if event.type == "dispatch_requested" and isinstance(courier, str):
            what += f": {escape(courier_label(courier, _))}"
        who = escape(event.actor_name or event.actor_kind)
        note = f" — {escape(event.note[:200])}" if event.note else ""
        rows.append(f"{local_time(event.at)} · {what} · {who}{note}")
    return "\n".join(rows)
