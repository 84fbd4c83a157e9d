"""`/addproduct`: the owner adds a product from a private chat, one question at a time
(name → price → variants → stock → photo → summary with Save / Cancel), and
models.catalog.products.add_product saves it. /cancel stops at any step; an answer that cannot be
read is refused with what is expected, and the question stays open.

The draft lives in memory per (chat, user) for at most half an hour. The photo is
downloaded when it is sent (a bad one is refused at once) and written only on Save, as
`<media_dir>/<store slug>/<random hex>.jpg`; the web process serves it at `/media/…`.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import gate
from bot.callbacks import FormAction, parse_form
from bot.context import display_name, where
from bot.i18n import N_, translator
from bot.product_draft import (
    CONFIRM,
    NAME,
    PHOTO,
    PRICE,
    STOCK,
    TOO_LARGE,
    VARIANTS,
    Draft,
    Unreadable,
    download,
    largest_fitting,
    question,
    remove_photo,
    summary,
    summary_keyboard,
    write_photo,
)
from bot.refusals import refusal
from models.catalog import products
from models.catalog.tables import Product
from models.errors import DomainError
from models.stores.tables import Store
from models.team import members

log = logging.getLogger(__name__)

END = ConversationHandler.END
DRAFT = "addproduct"
TIMEOUT_SECONDS = 30 * 60
# Its own handler group: an answer typed here also reaches this conversation when a handler
# of the default group (replies to the bot's order questions, say) takes the same message.
FORM_GROUP = 1
TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
OTHER = filters.UpdateType.MESSAGE & ~filters.COMMAND
STALE = N_("This summary is out of date. Send /addproduct to start again.")
CANCELLED = N_("Cancelled: nothing was saved.")
KEEP_FINISHED = N_(
    "%(name)s is ready but not saved: press Save or Cancel on its summary above. "
    "Send /addproduct again to drop it and start a new product."
)
PHOTO_LATER = N_("📷 Thanks: the photo comes last. First, answer this:")


async def _ask(message: Message, d: Draft, state: int) -> int:
    if state == CONFIRM:
        d.finished = True
        await message.reply_text(summary(d), reply_markup=summary_keyboard(d))
    else:
        await message.reply_text(question(state, d))
    return state


async def _refuse(message: Message, d: Draft, exc: Unreadable, state: int) -> int:
    params = {k: escape(str(v)) for k, v in exc.params.items()}
    await message.reply_text(translator(d.lang)(exc.message, **params))
    return state


# --- the steps -----------------------------------------------------------------------------


def _draft(context: ContextTypes.DEFAULT_TYPE) -> Draft | None:
    draft = (context.user_data or {}).get(DRAFT)
    return draft if isinstance(draft, Draft) else None


def _forget(context: ContextTypes.DEFAULT_TYPE) -> Draft | None:
    draft = _draft(context)
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    return draft


async def on_addproduct(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    entered = await gate.enter(update)
    if entered is None or context.user_data is None:
        return END
    message, mate = entered
    _ = mate._
    if mate.actor.kind != "owner":
        await message.reply_text(_("Only the owner can add products."))
        return END
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(
            _("Add products in a private chat with me: send /addproduct there.")
        )
        return END
    kept = _draft(context)
    if kept is not None and kept.finished and not kept.kept_once:
        # A finished product is not thrown away by a second /addproduct typed by mistake.
        kept.kept_once = True
        await message.reply_text(_(KEEP_FINISHED, name=escape(kept.name)))
        return CONFIRM
    d = Draft(mate.store.id, mate.store.lang)
    context.user_data[DRAFT] = d
    store = f"<b>{escape(mate.store.name)}</b>"
    intro = _("New product for %(store)s. /cancel stops at any step.", store=store)
    await message.reply_text(f"{intro}\n\n{question(NAME, d)}")
    return NAME


Step = Callable[[Update, ContextTypes.DEFAULT_TYPE], Any]


def _step(state: int, following: int) -> Step:
    """A text answer: read it into the draft and ask the next question, or refuse it."""

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        d, message = _draft(context), update.effective_message
        if d is None or message is None:
            return END
        try:
            d.take(state, message.text or "")
        except Unreadable as exc:
            return await _refuse(message, d, exc, state)
        return await _ask(message, d, following)

    return handle


def _again(state: int) -> Step:
    """Anything else (a sticker, a file): the question again."""

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        d, message = _draft(context), update.effective_message
        if d is None or message is None:
            return END
        if message.photo and state != PHOTO:
            await message.reply_text(translator(d.lang)(PHOTO_LATER) + "\n\n" + question(state, d))
        else:
            await message.reply_text(question(state, d))
        return state

    return handle


def _skip(following: int) -> Step:
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        d, message = _draft(context), update.effective_message
        if d is None or message is None:
            return END
        if following == STOCK:
            d.combos = []
        else:
            d.photo = None
        return await _ask(message, d, following)

    return handle


# --- the photo -----------------------------------------------------------------------------


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    d, message = _draft(context), update.effective_message
    if d is None or message is None:
        return END
    _ = translator(d.lang)
    size = largest_fitting(message.photo)
    got = await download(context.bot, size) if size else None
    if not isinstance(got, bytes):
        await message.reply_text(_(got or TOO_LARGE))
        return PHOTO
    d.photo = got
    return await _ask(message, d, CONFIRM)


def _config(context: ContextTypes.DEFAULT_TYPE, name: str, default: str) -> str:
    """A BotConfig field (the runtime puts the config in bot_data)."""
    return str(getattr(context.bot_data.get("config"), name, default) or default)


# --- the summary's buttons -----------------------------------------------------------------


async def _close(query: CallbackQuery, d: Draft, toast: str, outcome: str) -> int:
    """Answer, and leave the summary without buttons with the outcome under it."""
    await query.answer(toast)
    try:
        await query.edit_message_text(f"{summary(d)}\n\n{outcome}", reply_markup=None)
    except BadRequest as exc:
        log.warning("summary not edited error=%s", exc)
    return END


async def _create(store: Store, d: Draft, root: Path) -> Product:
    photo = await asyncio.to_thread(write_photo, root, store.slug, d.photo) if d.photo else ""
    try:
        return await products.add_product(store, d.name, d.price, d.specs(), photo=photo)
    except DomainError:
        if photo:
            await asyncio.to_thread(remove_photo, root, photo)
        raise


async def _save(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, d: Draft) -> int:
    _ = translator(d.lang)
    store = await Store.get_or_none(id=d.store_id)
    chat_id = query.message.chat.id if query.message else 0
    name = display_name(query.from_user)
    actor = await members.authorize(store, query.from_user.id, name, chat_id) if store else None
    if store is None or actor is None or actor.kind != "owner":
        _forget(context)
        await query.answer(_("Only the owner can add products."), show_alert=True)
        return END
    try:
        product = await _create(store, d, Path(_config(context, "media_dir", "var/media")))
    except DomainError as exc:
        await query.answer(refusal(exc, _)[:200], show_alert=True)
        return CONFIRM
    except OSError:
        log.exception("photo not stored store=%s", store.slug)
        await query.answer(_("The photo could not be stored. Press Save again."), show_alert=True)
        return CONFIRM
    _forget(context)
    log.info(
        "product added store=%s product=%s variants=%s photo=%s by=%s",
        store.slug,
        product.id,
        len(d.stocks),
        bool(product.photo),
        actor.id,
    )
    saved = "✅ " + _("Saved: %(name)s is on your storefront.", name=f"<b>{escape(d.name)}</b>")
    base = _config(context, "public_url", "").rstrip("/")
    link = f"\n{escape(base)}/{store.slug}/p/{product.slug}" if base else ""
    return await _close(query, d, _("Saved"), saved + link)


async def on_summary_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query, d = update.callback_query, _draft(context)
    if query is None:
        return CONFIRM
    form = parse_form(query.data)
    if d is None or form is None or form[0] != d.token:
        _ = translator(d.lang) if d else await gate.press_translator(query)
        await query.answer(_(STALE), show_alert=True)
        return CONFIRM if d else END
    if form[1] == FormAction.CANCEL:
        _forget(context)
        _ = translator(d.lang)
        return await _close(query, d, _(CANCELLED), "✖️ " + _(CANCELLED))
    return await _save(query, context, d)


async def on_stale_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A Save or Cancel press after its conversation ended (a restart, a timeout)."""
    query = update.callback_query
    if query is not None:
        here = await where(update)
        lang = here.store.lang if here and here.store else "fr"
        await query.answer(translator(lang)(STALE), show_alert=True)


# --- ending --------------------------------------------------------------------------------


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    d, message = _forget(context), update.effective_message
    if message is not None:
        _ = (
            translator(d.lang)
            if d
            else await gate.chat_translator(message.chat_id, update.effective_user)
        )
        await message.reply_text(_(CANCELLED))
    return END


async def on_timeout(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = _forget(context)
    chat = update.effective_chat if isinstance(update, Update) else None
    if d is not None and chat is not None:
        text = N_(
            "The new product was not saved: 30 minutes passed. Send /addproduct to start again."
        )
        await context.bot.send_message(chat.id, translator(d.lang)(text))


def conversation() -> ConversationHandler[Any]:
    steps: dict[int, list[Any]] = {
        NAME: [MessageHandler(TEXT, _step(NAME, PRICE))],
        PRICE: [MessageHandler(TEXT, _step(PRICE, VARIANTS))],
        VARIANTS: [
            MessageHandler(TEXT, _step(VARIANTS, STOCK)),
            CommandHandler("skip", _skip(STOCK)),
        ],
        STOCK: [MessageHandler(TEXT, _step(STOCK, PHOTO))],
        PHOTO: [
            MessageHandler(filters.UpdateType.MESSAGE & filters.PHOTO, on_photo),
            CommandHandler("skip", _skip(CONFIRM)),
        ],
        CONFIRM: [CallbackQueryHandler(on_summary_press, pattern=r"^ap:")],
    }
    states: dict[object, list[Any]] = {
        state: [*handlers, MessageHandler(OTHER, _again(state))]
        for state, handlers in steps.items()
    }
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, on_timeout)]
    with warnings.catch_warnings():
        # PTB warns that a button press is tracked per (chat, user), not per message: that
        # is the intent, and the draft token tells an older summary apart.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("addproduct", on_addproduct)],
            states=states,
            fallbacks=[CommandHandler("cancel", on_cancel)],
            allow_reentry=True,
            conversation_timeout=TIMEOUT_SECONDS,
            name="addproduct",
        )


def register(app: Application) -> None:
    app.add_handler(conversation(), group=FORM_GROUP)
    app.add_handler(CallbackQueryHandler(on_stale_summary, pattern=r"^ap:"), group=FORM_GROUP)
