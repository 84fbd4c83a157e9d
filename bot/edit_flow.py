"""✏️ Edit ▸ on an order card: a panel message below the card where the person on the call
changes the lines, the place, the delivery type, the customer's fields and (owners) the fee
or a discount, sees the order as it would be, and saves it through
models.orders.edit.edit_order at the version the panel was opened at. The cards follow
through the outbox like any change; a panel whose order changed meanwhile says who acted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import edit_replies
from bot import edit_session as sessions
from bot.callbacks import EditStep
from bot.context import display_name
from bot.edit_panel import (
    EXPIRED,
    choose_commune,
    draft_lines,
    edit_panel,
    preview,
    prompt,
    set_field,
)
from bot.edit_session import OWNER_TYPED, TYPED, EditSession, TypedAsk, parse_edit
from bot.edit_views import (
    FIELD_NAMES,
    communes_keyboard,
    items_keyboard,
    line_keyboard,
    panel_keyboard,
    panel_text,
    problem_text,
    products_keyboard,
    variants_keyboard,
    wilayas_keyboard,
)
from bot.i18n import N_, translator
from bot.refusals import refusal
from i18n import Translator
from models.catalog.tables import Product, Variant
from models.errors import ConcurrentChange, DomainError, InvalidOrder
from models.orders.edit import edit_order
from models.orders.tables import Order, OrderEvent, OrderLine
from models.orders.timeline import Actor
from models.shipping import geography
from models.shipping.tables import DeliveryFee
from models.stores.tables import Store
from models.team import cards, members

log = logging.getLogger(__name__)
# Replies to the panel's questions are read in a handler group of their own, beside the
# other questions' handler (bot.asks) in group 0.
REPLY_GROUP = 5
NOT_YOURS = N_("Someone else is editing with this panel.")
AGAIN = N_("Press ✏️ Edit on the card to start again.")
OWNER_ONLY = N_("Only an owner can change the fee or give a discount.")
LAST_LINE = N_("An order keeps at least one product.")


@dataclass(slots=True)
class Step:
    query: CallbackQuery
    context: ContextTypes.DEFAULT_TYPE
    session: EditSession
    order: Order
    store: Store
    actor: Actor
    _: Translator
    a: int
    b: int


async def _show(s: Step, markup: InlineKeyboardMarkup | None = None) -> None:
    """The panel redrawn with the draft, under `markup` (the panel's own keyboard if None)."""
    view = await preview(s.store, s.order, s.session, s.actor)
    keyboard = markup or panel_keyboard(s.session, view.order, s.store.lang)
    message = s.query.message
    assert message is not None
    await edit_panel(
        s.context, message.chat.id, message.message_id, panel_text(view, s.store.lang), keyboard
    )


async def open_panel(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    store: Store,
    order: Order,
    actor: Actor,
) -> None:
    """✏️ Edit ▸ pressed on a card (the press was checked and answered by bot.presses)."""
    message = query.message
    assert message is not None
    lines = list(await OrderLine.filter(order_id=order.id).order_by("id"))
    session = EditSession.start(
        order.id, order.number, order.version, query.from_user.id, actor.kind == "owner", lines
    )
    session.wilaya = order.wilaya_code
    view = await preview(store, order, session, actor)
    sent = await context.bot.send_message(
        message.chat.id,
        panel_text(view, store.lang),
        reply_markup=panel_keyboard(session, view.order, store.lang),
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
    )
    sessions.keep(context, sent.chat.id, sent.message_id, session)
    log.info("edit opened store=%s number=%s actor=%s", store.slug, order.number, actor.id)


async def _stale(s: Step) -> None:
    """The order changed since the panel opened: the panel says who acted and closes."""
    last = await OrderEvent.filter(order_id=s.order.id).order_by("-id").first()
    name = (last.actor_name or last.actor_kind) if last else "?"
    await _close(s, ConcurrentChange(s.order.number, name, s.order.status.value))


async def _close(s: Step, exc: ConcurrentChange) -> None:
    message = s.query.message
    assert message is not None
    told = refusal(exc, s._)
    sessions.drop(s.context, message.chat.id, message.message_id)
    await cards.mark_cards(s.order.id, s.order.version)
    text = "⌛ " + escape(told) + "\n" + s._(AGAIN)
    await edit_panel(s.context, message.chat.id, message.message_id, text, None)
    await s.query.answer(told[:200], show_alert=True)


# --- steps ---------------------------------------------------------------------------------


async def _items(s: Step) -> None:
    current = list(await OrderLine.filter(order_id=s.order.id).order_by("id"))
    await _show(s, items_keyboard(await draft_lines(s.session, current), s.store.lang))


async def _line(s: Step) -> None:
    if s.a >= len(s.session.lines):
        await _items(s)
        return
    variant_id, quantity = s.session.lines[s.a]
    chosen = await Variant.get_or_none(id=variant_id).select_related("product")
    siblings = (
        await Variant.filter(product_id=chosen.product.id, active=True).order_by("id")
        if chosen
        else []
    )
    await _show(s, line_keyboard(s.a, quantity, variant_id, siblings, s.store.lang))


async def _quantity(s: Step) -> None:
    if s.a < len(s.session.lines):
        line = s.session.lines[s.a]
        line[1] = min(99, max(1, line[1] + (1 if s.b else -1)))
    await _line(s)


async def _remove(s: Step) -> None:
    if len(s.session.lines) <= 1:
        await s.query.answer(s._(LAST_LINE), show_alert=True)
        return
    if s.a < len(s.session.lines):
        del s.session.lines[s.a]
    await _items(s)


def _put(session: EditSession, variant_id: int, quantity: int, at: int | None = None) -> None:
    """A variant into the draft: added to its line if it has one, else a new line."""
    same = next((line for line in session.lines if line[0] == variant_id), None)
    if same is not None:
        same[1] = min(99, same[1] + quantity)
    elif at is not None:
        session.lines.insert(at, [variant_id, quantity])
    else:
        session.lines.append([variant_id, quantity])


async def _variant(s: Step) -> None:
    lines = s.session.lines
    wanted = await Variant.get_or_none(id=s.b, store_id=s.store.id, active=True)
    if s.a < len(lines) and wanted is not None and lines[s.a][0] != wanted.id:
        _, quantity = lines.pop(s.a)
        _put(s.session, wanted.id, quantity, at=s.a)
    await _items(s)


async def _products(s: Step) -> None:
    products = await Product.filter(store_id=s.store.id, active=True).order_by("name", "id")
    await _show(s, products_keyboard(products, s.a, s.store.lang))


async def _product(s: Step) -> None:
    variants = await Variant.filter(
        product_id=s.a, store_id=s.store.id, active=True, product__active=True
    ).order_by("id")
    if len(variants) == 1:
        _put(s.session, variants[0].id, 1)
        await _items(s)
        return
    await _show(s, variants_keyboard(variants, s.store.lang))


async def _add(s: Step) -> None:
    variant = await Variant.get_or_none(
        id=s.a, store_id=s.store.id, active=True, product__active=True
    )
    if variant is not None:
        _put(s.session, variant.id, 1)
    await _items(s)


async def _delivery(s: Step) -> None:
    now = s.session.fields.get("delivery_type", s.order.delivery_type)
    set_field(
        s.session, "delivery_type", "desk" if now == "home" else "home", s.order.delivery_type
    )
    await _show(s)


async def _served(store: Store) -> list[int]:
    rows = await DeliveryFee.filter(store_id=store.id).order_by("wilaya_code")
    codes = [r.wilaya_code for r in rows if r.home_fee is not None or r.desk_fee is not None]
    allowed = set(store.allowed_wilayas or [])
    return [c for c in codes if not allowed or c in allowed]


async def _wilayas(s: Step) -> None:
    await _show(s, wilayas_keyboard(await _served(s.store), s.a, s.store.lang))


async def _wilaya(s: Step) -> None:
    if geography.get_wilaya(s.a) is None:
        await _show(s)
        return
    s.session.wilaya = s.a
    set_field(s.session, "wilaya", str(s.a), str(s.order.wilaya_code))
    s.session.fields.pop("commune", None)
    await _show(s, communes_keyboard(s.a, 0, s.store.lang))


async def _communes(s: Step) -> None:
    await _show(s, communes_keyboard(s.session.wilaya, s.a, s.store.lang))


async def _commune(s: Step) -> None:
    communes = geography.communes_of(s.session.wilaya)
    if s.a < len(communes):
        choose_commune(s.session, s.order, communes[s.a])
    await _show(s)


async def _ask(s: Step) -> None:
    message = s.query.message
    assert message is not None
    field = TYPED[s.a] if s.a < len(TYPED) else "name"
    if field in OWNER_TYPED and not s.session.owner:
        await s.query.answer(s._(OWNER_ONLY), show_alert=True)
        return
    await s.query.answer()
    user = s.query.from_user
    ask = TypedAsk(field, message.message_id, user.id)
    await prompt(s.context, message.chat.id, ask, user.full_name, s.session, s._)


async def _save(s: Step) -> None:
    message = s.query.message
    assert message is not None
    try:
        result = await edit_order(
            s.store, s.order.number, s.session.edit(), s.actor, expected_version=s.session.version
        )
    except ConcurrentChange as exc:
        await _close(s, exc)
        return
    except InvalidOrder as exc:
        told = "; ".join(problem_text(k, r, s.store.lang) for k, r in exc.errors.items())
        await s.query.answer(told[:200], show_alert=True)
        return
    except DomainError as exc:
        await s.query.answer(refusal(exc, s._)[:200], show_alert=True)
        return
    if not result.changes:
        await s.query.answer(s._("Nothing to save yet."), show_alert=True)
        return
    sessions.drop(s.context, message.chat.id, message.message_id)
    names = ", ".join(s._(FIELD_NAMES.get(k, k)) for k in result.changes if k != "price_reason")
    text = "💾 " + s._("#%(number)s updated: %(fields)s", number=s.order.number, fields=names)
    if result.warning:
        text += "\n⚠️ " + s._("Being prepared: change the parcel too.")
    await edit_panel(s.context, message.chat.id, message.message_id, text, None)
    await s.query.answer(s._("#%(number)s updated", number=s.order.number))
    log.info("edit saved store=%s number=%s actor=%s", s.store.slug, s.order.number, s.actor.id)


async def _discard(s: Step) -> None:
    message = s.query.message
    assert message is not None
    sessions.drop(s.context, message.chat.id, message.message_id)
    text = "✖️ " + s._("Edit of #%(number)s discarded.", number=s.order.number)
    await edit_panel(s.context, message.chat.id, message.message_id, text, None)


async def _back(s: Step) -> None:
    await _show(s)


STEPS: dict[str, Callable[[Step], Awaitable[None]]] = {
    EditStep.ITEMS: _items,
    EditStep.LINE: _line,
    EditStep.LINE_QUANTITY: _quantity,
    EditStep.LINE_REMOVE: _remove,
    EditStep.LINE_VARIANT: _variant,
    EditStep.PRODUCTS: _products,
    EditStep.PRODUCT: _product,
    EditStep.ADD: _add,
    EditStep.DELIVERY_TYPE: _delivery,
    EditStep.WILAYAS: _wilayas,
    EditStep.WILAYA: _wilaya,
    EditStep.COMMUNES: _communes,
    EditStep.COMMUNE: _commune,
    EditStep.TYPE: _ask,
    EditStep.SAVE: _save,
    EditStep.DISCARD: _discard,
    EditStep.BACK: _back,
}
# Steps that answer the press themselves (an alert, or before sending a question).
ANSWERING = frozenset({EditStep.TYPE, EditStep.SAVE, EditStep.LINE_REMOVE})


async def _step(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE) -> Step | str:
    """The checked press, or the reason (untranslated) to refuse it."""
    press, message = parse_edit(query.data), query.message
    session = sessions.find(context, message.chat.id, message.message_id) if message else None
    if press is None or session is None or message is None:
        return EXPIRED
    if query.from_user.id != session.user_id:
        return NOT_YOURS
    order = await Order.get_or_none(id=session.order_id).select_related("store")
    if order is None:
        return EXPIRED
    actor = await members.authorize(
        order.store, query.from_user.id, display_name(query.from_user), message.chat.id
    )
    if actor is None:
        return N_("Only the store's team can do this.")
    _ = translator(order.store.lang)
    return Step(query, context, session, order, order.store, actor, _, press.a, press.b)


async def on_edit_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    step = await _step(query, context)
    if isinstance(step, str):
        stores = await members.stores_of_chat(query.message.chat.id) if query.message else []
        await query.answer(translator(stores[0].lang if stores else "fr")(step), show_alert=True)
        return
    press = parse_edit(query.data)
    assert press is not None
    if step.order.version != step.session.version:
        await _stale(step)
        return
    await STEPS[press.step](step)
    if press.step not in ANSWERING:
        await query.answer()


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_edit_press, pattern=r"^e:"))
    app.add_handler(
        MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, edit_replies.on_reply),
        group=REPLY_GROUP,
    )
