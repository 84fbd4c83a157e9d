"""The ✏️ Edit panel's shared pieces: the draft previewed through models.orders.edit.plan_edit
(the order as it would be, what changes, what is refused), the panel redrawn, the draft's
fields set, and the questions asked for typed values."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest
from telegram.ext import ContextTypes
from telegram.helpers import mention_html

from bot import edit_session as sessions
from bot.edit_session import EditSession, TypedAsk
from bot.edit_views import PROMPTS, DraftLine, Preview
from bot.i18n import N_, translator
from bot.refusals import refusal
from i18n import Translator
from models.catalog.tables import Variant
from models.errors import DomainError, InvalidOrder
from models.orders.edit_plan import OrderEdit, plan_edit
from models.orders.tables import Order, OrderLine
from models.orders.timeline import Actor
from models.shipping import geography
from models.stores.tables import Store

EXPIRED = N_("This edit has expired: press ✏️ Edit on the card again.")
STALE = N_("#%(number)s changed meanwhile: press ✏️ Edit on the card again.")
NO_COMMUNE = N_("No commune of that name in %(wilaya)s.")


async def draft_lines(session: EditSession, current: list[OrderLine]) -> list[DraftLine]:
    kept = {line.variant_id: line for line in current}
    ids = [v for v, _ in session.lines if v not in kept] or [0]
    found = {v.id: v for v in await Variant.filter(id__in=ids).select_related("product")}
    lines = []
    for variant_id, quantity in session.lines:
        if (line := kept.get(variant_id)) is not None:
            lines.append(DraftLine(line.label(), quantity, line.unit_price))
        elif (v := found.get(variant_id)) is not None:
            label = f"{v.product.name} ({v.label()})" if v.label() else v.product.name
            lines.append(DraftLine(label, quantity, v.price))
    return lines


async def preview(store: Store, order: Order, session: EditSession, actor: Actor) -> Preview:
    """The order as the draft would make it, and what the domain would refuse."""
    current = list(await OrderLine.filter(order_id=order.id).order_by("id"))
    shown = copy.copy(order)
    problems: dict[str, str] = {}
    changed: list[str] = []
    warning = None
    edit = session.edit()
    for _attempt in range(2):
        try:
            plan = await plan_edit(store, order, current, edit, actor)
        except InvalidOrder as exc:
            # The rest of the draft is still shown: the fields in error are left out.
            problems = problems or dict(exc.errors)
            edit = _without(edit, exc.errors)
            continue
        except DomainError as exc:
            problems = {"": refusal(exc, translator(store.lang))}
            break
        for column, value in plan.columns.items():
            setattr(shown, column, value)
        changed, warning = list(plan.changes), plan.warning
        break
    return Preview(shown, await draft_lines(session, current), changed, problems, warning)


# The draft's fields to leave out of the preview for each field in error.
_LEFT_OUT = {
    "wilaya": ("wilaya", "commune"),
    "commune": ("wilaya", "commune"),
    "quantity": ("lines",),
    "price_reason": ("delivery_fee", "discount"),
}


def _without(edit: OrderEdit, errors: dict[str, str]) -> OrderEdit:
    names = {n for key in errors for n in _LEFT_OUT.get(key, (key,))}
    left_out: dict[str, Any] = {n: None for n in names if n in OrderEdit.__dataclass_fields__}
    return replace(edit, **left_out)


async def edit_panel(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    try:
        await context.bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def set_field(session: EditSession, name: str, value: object, current: object) -> None:
    """A field in the draft; set back to what the order has, it is no change any more."""
    if value == current:
        session.fields.pop(name, None)
    else:
        session.fields[name] = value


def choose_commune(session: EditSession, order: Order, commune: geography.Commune) -> None:
    set_field(session, "wilaya", str(commune.wilaya_code), str(order.wilaya_code))
    set_field(session, "commune", commune.ons_code, order.commune_code)


async def prompt(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    ask: TypedAsk,
    user_name: str,
    session: EditSession,
    _: Translator,
) -> None:
    # A selective ForceReply opens the reply box for the person mentioned only.
    sent = await context.bot.send_message(
        chat_id,
        f"{mention_html(ask.user_id, user_name)} " + _(PROMPTS[ask.key], number=session.number),
        reply_markup=ForceReply(selective=True),
        reply_parameters=ReplyParameters(ask.panel, allow_sending_without_reply=True),
    )
    sessions.ask(context, sent.chat.id, sent.message_id, ask)
