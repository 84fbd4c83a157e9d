"""`/products` and `/stock` (SPEC §5): the catalogue as paged lists, edited in place.

Who may do what: everyone on the team reads both lists and moves stock with the buttons
(agents pack the parcels and count the shelves); only the owner hides or shows a product.
Every stock move is logged with who made it (stock has no timeline of its own).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import addproduct, gate
from bot.callbacks import STOCK_STEPS, CatalogPress, Prefix, catalog_button, parse_catalog
from bot.i18n import N_, money, translator
from bot.stock_typed import NOT_ALLOWED, USAGE, may_change_stock, typed_stock
from models.catalog import products as catalog
from models.catalog.stock import adjust_stock
from models.catalog.tables import Product, Variant
from models.errors import InvalidInput, NotFound
from models.orders.timeline import Actor
from models.stores.tables import Store

log = logging.getLogger(__name__)

PAGE_SIZE = 8
NAME_CHARS, LABEL_CHARS, BUTTON_CHARS = 80, 60, 20
Row = list[InlineKeyboardButton]


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pages(total: int, page: int) -> tuple[int, int]:
    """(page, pages): a page past the end (the catalogue shrank) shows the last one."""
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages


def _nav(kind: Prefix, target: int, arg: int, page: int, pages: int) -> Row:
    """‹ previous · 🔄 page/pages (the same page again, fresh) · next ›."""

    def to(number: int) -> str:
        return catalog_button(kind, target, arg, number)

    row = [InlineKeyboardButton("‹", callback_data=to(page - 1))] if page > 0 else []
    row.append(InlineKeyboardButton(f"🔄 {page + 1}/{pages}", callback_data=to(page)))
    if page + 1 < pages:
        row.append(InlineKeyboardButton("›", callback_data=to(page + 1)))
    return row


def item_name(product: Product, variant: Variant) -> str:
    """`Robe kabyle (Taille: M)`, plain text (escape it for HTML)."""
    label = variant.label()
    return f"{product.name} ({_clip(label, LABEL_CHARS)})" if label else product.name


# --- /products ---------------------------------------------------------------------------


def _price_range(product: Product, variants: list[Variant], lang: str) -> str:
    prices = [v.price for v in variants] or [product.price]
    low, high = min(prices), max(prices)
    return money(low, lang) if low == high else f"{money(low, lang)} – {money(high, lang)}"


def _product_line(n: int, product: Product, variants: list[Variant], lang: str) -> str:
    _ = translator(lang)
    facts = [
        _price_range(product, variants, lang),
        _("variants: %(count)s", count=len(variants)),
        _("stock: %(count)s", count=sum(v.stock for v in variants)),
        _("active") if product.active else _("hidden"),
    ]
    icon = "🟢" if product.active else "🙈"
    return f"{n}. {icon} <b>{escape(_clip(product.name, NAME_CHARS))}</b>\n" + " · ".join(facts)


def _toggle_button(product: Product, page: int, lang: str) -> InlineKeyboardButton:
    _ = translator(lang)
    name = _clip(product.name, BUTTON_CHARS)
    label = (
        "🙈 " + _("Hide %(name)s", name=name)
        if product.active
        else "👁 " + _("Show %(name)s", name=name)
    )
    return InlineKeyboardButton(
        label,
        callback_data=catalog_button(
            Prefix.PRODUCT_ACTIVE, product.id, 0 if product.active else 1, page
        ),
    )


async def products_screen(store: Store, page: int, manage: bool) -> Screen:
    """A page of the store's products, hidden ones included; `manage` adds the owner's
    hide/show buttons."""
    _ = translator(store.lang)
    total = await Product.filter(store_id=store.id).count()
    if not total:
        return Screen(_("No products yet. Add one with /addproduct."), None)
    page, pages = _pages(total, page)
    products = (
        await Product.filter(store_id=store.id)
        .order_by("id")
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    variants: dict[int, list[Variant]] = {p.id: [] for p in products}
    for variant in await Variant.filter(product_id__in=list(variants)).order_by("id"):
        variants[variant.product_id].append(variant)  # type: ignore[attr-defined]
    first = page * PAGE_SIZE + 1
    lines = [
        _product_line(first + i, p, variants[p.id], store.lang) for i, p in enumerate(products)
    ]
    head = "📦 <b>" + escape(_("Products (%(count)s)", count=total)) + "</b>"
    rows = [[_toggle_button(p, page, store.lang)] for p in products] if manage else []
    rows.append(_nav(Prefix.PRODUCTS, store.id, int(manage), page, pages))
    return Screen("\n\n".join([head, *lines]), InlineKeyboardMarkup(rows))


# --- /stock ------------------------------------------------------------------------------


def _stock_line(n: int, variant: Variant, lang: str) -> str:
    product: Product = variant.product
    hidden = not (product.active and variant.active)
    icon = "🙈" if hidden else ("⚠️" if variant.stock == 0 else "▫️")
    name = escape(_clip(item_name(product, variant), NAME_CHARS + LABEL_CHARS))
    return f"{n}. {icon} {name} — <b>{variant.stock}</b>"


def _stock_row(n: int, variant: Variant, page: int) -> Row:
    def label(step: int) -> str:
        text = f"+{step}" if step > 0 else f"−{-step}"
        return f"{n}) {text}" if step == STOCK_STEPS[0] else text

    return [
        InlineKeyboardButton(
            label(step), callback_data=catalog_button(Prefix.STOCK_MOVE, variant.id, step, page)
        )
        for step in STOCK_STEPS
    ]


async def stock_screen(store: Store, page: int, buttons: bool = True) -> Screen:
    """A page of every variant with its stock and, for who may change it, a row of
    −5 −1 +1 +5 buttons each."""
    _ = translator(store.lang)
    total = await Variant.filter(store_id=store.id).count()
    if not total:
        return Screen(_("No products yet. Add one with /addproduct."), None)
    page, pages = _pages(total, page)
    variants = (
        await Variant.filter(store_id=store.id)
        .select_related("product")
        .order_by("product_id", "id")
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    first = page * PAGE_SIZE + 1
    lines = [_stock_line(first + i, v, store.lang) for i, v in enumerate(variants)]
    head = "📊 <b>" + escape(_("Stock")) + "</b>"
    hint = escape(
        _("Press a button to add or remove units; the list updates.") + " " + _(USAGE)
        if buttons
        else _(NOT_ALLOWED)
    )
    rows = [_stock_row(first + i, v, page) for i, v in enumerate(variants)] if buttons else []
    rows.append(_nav(Prefix.STOCK_PAGE, store.id, 0, page, pages))
    return Screen("\n".join([head, hint, "", *lines]), InlineKeyboardMarkup(rows))


# --- commands ----------------------------------------------------------------------------


async def on_products(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is not None:
        message, mate = entered
        screen = await products_screen(mate.store, 0, manage=mate.actor.kind == "owner")
        await message.reply_text(screen.text, reply_markup=screen.markup)


async def on_stock(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    if context.args:
        await typed_stock(message, mate, context.args, item_name)
        return
    screen = await stock_screen(mate.store, 0, may_change_stock(mate.store, mate.actor))
    await message.reply_text(screen.text, reply_markup=screen.markup)


# --- buttons -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Press:
    query: CallbackQuery
    store: Store
    actor: Actor
    data: CatalogPress


async def _show(query: CallbackQuery, screen: Screen) -> None:
    """Edit the list in place; a list that did not change, or was deleted, is no error."""
    try:
        await query.edit_message_text(screen.text, reply_markup=screen.markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.warning("catalogue list not edited error=%s", exc)


def _alert(text: str) -> str:
    """Callback answers hold at most 200 characters."""
    return _clip(text, 200)


async def _page(p: Press) -> None:
    if p.data.kind is Prefix.PRODUCTS:
        screen = await products_screen(p.store, p.data.page, manage=bool(p.data.arg))
    else:
        screen = await stock_screen(p.store, p.data.page, may_change_stock(p.store, p.actor))
    await p.query.answer()
    await _show(p.query, screen)


async def _hide_or_show(p: Press) -> None:
    _ = translator(p.store.lang)
    if p.actor.kind != "owner":
        await p.query.answer(_("Only the owner can hide or show products."), show_alert=True)
        return
    product = await catalog.set_product_active(p.store, p.data.target, bool(p.data.arg))
    text = (
        _("%(name)s is on the storefront again.", name=product.name)
        if product.active
        else _("%(name)s is hidden from the storefront.", name=product.name)
    )
    await p.query.answer(_alert(text))
    log.info(
        "product %s store=%s product=%s by=%s:%s",
        "shown" if product.active else "hidden",
        p.store.slug,
        product.id,
        p.actor.kind,
        p.actor.id,
    )
    await _show(p.query, await products_screen(p.store, p.data.page, manage=True))


async def _move_stock(p: Press) -> None:
    _ = translator(p.store.lang)
    if not may_change_stock(p.store, p.actor):
        await p.query.answer(_alert(_(NOT_ALLOWED)), show_alert=True)
        return
    variant = await Variant.get_or_none(id=p.data.target).select_related("product")
    if variant is None:
        raise NotFound("variant", p.data.target)
    name = item_name(variant.product, variant)
    try:
        stock = await adjust_stock(p.store, variant.id, p.data.arg)
    except InvalidInput:
        # The list may be stale (orders move stock too): refuse, then show the real count.
        now = (await Variant.get(id=variant.id)).stock
        await p.query.answer(
            _alert(_("Not possible: %(item)s has %(stock)s in stock.", item=name, stock=now)),
            show_alert=True,
        )
        await _show(p.query, await stock_screen(p.store, p.data.page))
        return
    await p.query.answer(_alert(_("%(item)s: %(stock)s in stock", item=name, stock=stock)))
    log.info(
        "stock moved store=%s variant=%s delta=%+d stock=%s by=%s:%s",
        p.store.slug,
        variant.id,
        p.data.arg,
        stock,
        p.actor.kind,
        p.actor.id,
    )
    await _show(p.query, await stock_screen(p.store, p.data.page))


PRESSES: dict[str, Callable[[Press], Awaitable[None]]] = {
    Prefix.PRODUCTS: _page,
    Prefix.STOCK_PAGE: _page,
    Prefix.PRODUCT_ACTIVE: _hide_or_show,
    Prefix.STOCK_MOVE: _move_stock,
}


async def _store_of(data: CatalogPress) -> Store | None:
    if data.kind in (Prefix.PRODUCTS, Prefix.STOCK_PAGE):
        return await Store.get_or_none(id=data.target)
    if data.kind is Prefix.PRODUCT_ACTIVE:
        product = await Product.get_or_none(id=data.target).select_related("store")
        return product.store if product else None
    variant = await Variant.get_or_none(id=data.target).select_related("store")
    return variant.store if variant else None


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    data = parse_catalog(query.data)
    store = await _store_of(data) if data else None
    if data is None or store is None:
        await gate.alert(query, N_("This button is no longer valid."))
        return
    mate = await gate.enter_press(query, store)
    if mate is None:
        return
    try:
        await PRESSES[data.kind](Press(query, store, mate.actor, data))
    except NotFound:
        _ = translator(store.lang)
        await query.answer(_("This button is no longer valid."), show_alert=True)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("products", on_products))
    app.add_handler(CommandHandler("stock", on_stock))
    app.add_handler(CallbackQueryHandler(on_press, pattern=r"^(cp|ca|sp|s):"))
    addproduct.register(app)
