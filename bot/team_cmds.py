"""The owner's commands for people and chats (SPEC §5): `/team` with buttons to remove a
member or unlink a chat (each with a confirm step), and `/invite [agent|owner]`. Anyone
else is told only the owner can, and nothing changes. The owner checks here serve
/settings too."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import gate
from bot.callbacks import TeamAction, parse_team, team_button
from bot.context import display_name
from bot.i18n import ALGIERS, N_, ROLE, translator
from i18n import Translator
from models.errors import InvalidInput, NotFound
from models.orders.timeline import Actor
from models.stores import setup
from models.stores.tables import Store
from models.team import members as team
from models.team.members import GROUP_KINDS
from models.team.tables import Member, TelegramChat

log = logging.getLogger(__name__)

ROLE_ICON = {"owner": "👑", "agent": "🧑‍💼"}
ONLY_OWNER = N_("Only the store's owner can do this.")
STALE = N_("This button is no longer valid.")
# Members and chats listed each, and characters of a name: the message stays below 4096
# characters and the keyboard below 100 buttons whatever people are called.
MAX_LISTED = 20
NAME = 32
MAX_HELPERS = 10
BUTTON_NAME = 28


@dataclass(frozen=True, slots=True)
class Owner:
    """The store's owner acting in a chat that serves the store."""

    store: Store
    actor: Actor
    _: Translator


async def owner_command(update: Update) -> Owner | None:
    """The store whose owner typed the command here (a private chat may serve several
    stores); otherwise the person is told why and None is returned."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return None
    served = await team.stores_of_chat(chat.id)
    if not served:
        await message.reply_text(gate.visitor_translator(user)(gate.NO_STORE))
        return None
    for store in served:
        actor = await team.authorize(store, user.id, display_name(user), chat.id)
        if actor is not None and actor.kind == "owner":
            return Owner(store, actor, translator(store.lang))
    await message.reply_text(translator(served[0].lang)(ONLY_OWNER))
    return None


async def owner_press(query: CallbackQuery, store_id: int) -> Owner | None:
    """The owner pressing a menu button of `store_id` in a chat serving it; anyone else gets
    an alert and None."""
    message = query.message
    served = await team.stores_of_chat(message.chat.id) if message is not None else []
    store = next((s for s in served if s.id == store_id), None)
    if store is None or message is None:
        await gate.alert(query, STALE)
        return None
    actor = await team.authorize(
        store, query.from_user.id, display_name(query.from_user), message.chat.id
    )
    _ = translator(store.lang)
    if actor is None or actor.kind != "owner":
        log.info("owner menu refused store=%s user=%s", store.slug, query.from_user.id)
        await query.answer(_(ONLY_OWNER), show_alert=True)
        return None
    return Owner(store, actor, _)


async def edit_menu(
    query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit a menu message in place (only its keyboard when `text` is None); pressing twice
    fast is not an error."""
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


# --- /team -------------------------------------------------------------------------------


def _short(name: str, size: int = BUTTON_NAME) -> str:
    return name if len(name) <= size else name[: size - 1] + "…"


def _member_name(member: Member) -> str:
    return member.name or str(member.telegram_user_id)


def _chat_title(chat: TelegramChat) -> str:
    return chat.title or str(chat.chat_id)


def _chat_reason(reason: str, _: Translator) -> str:
    lowered = reason.lower()
    if lowered == "unlinked":
        return _("unlinked by the owner")
    if lowered == "member removed":
        return _("member removed")
    if "blocked" in lowered:
        return _("the bot was blocked")
    if "kicked" in lowered or "left" in lowered:
        return _("the bot was removed from the group")
    return escape(reason)


def _member_line(member: Member, _: Translator) -> str:
    since = member.joined_at.astimezone(ALGIERS).strftime("%d/%m/%Y")
    line = _(
        "%(name)s — %(role)s, since %(date)s",
        name=escape(_short(_member_name(member), NAME)),
        role=_(ROLE.get(member.role, member.role)),
        date=since,
    )
    return f"{ROLE_ICON.get(member.role, '•')} {line}"


def _chat_line(chat: TelegramChat, here: int, _: Translator) -> str:
    kind = _("group") if chat.kind in GROUP_KINDS else _("private chat")
    title = escape(_short(_chat_title(chat), NAME))
    if not chat.active:
        reason = _chat_reason(chat.disabled_reason, _)
        return "⛔ " + _(
            "%(title)s — %(kind)s, stopped: %(reason)s", title=title, kind=kind, reason=reason
        )
    line = "✅ " + _("%(title)s — %(kind)s", title=title, kind=kind)
    return line + " · " + _("this chat") if chat.chat_id == here else line


def _listed(lines: list[str], _: Translator) -> list[str]:
    if len(lines) <= MAX_LISTED:
        return lines
    rest = len(lines) - MAX_LISTED
    return [*lines[:MAX_LISTED], _("… and %(count)s more", count=rest)]


def _helper_line(helper: team.GroupHelper, _: Translator) -> str:
    last = helper.last_at.astimezone(ALGIERS).strftime("%d/%m/%Y")
    name = escape(_short(helper.name, NAME))
    return "🙋 " + _("%(name)s — pressed in the group, last on %(date)s", name=name, date=last)


def _removable(members: list[Member]) -> list[Member]:
    """Everyone but the last owner: the store never loses its owner from this menu."""
    owners = sum(1 for m in members if m.role == "owner")
    return [m for m in members if m.role != "owner" or owners > 1]


async def team_view(
    store: Store, here: int, _: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The team message: members, people who pressed in the team group without an invite,
    chats, and the buttons to remove, block or unlink them. The chat it is shown in cannot
    be unlinked from itself (the owner would lose this menu), nor the last owner removed."""
    members = (await team.team_of(store))[:MAX_LISTED]
    helpers = await team.group_helpers(store, MAX_HELPERS)
    chats = await team.chats_of(store)
    state = _("on") if store.roster_mode else _("off")
    text = [
        "👥 <b>" + _("Team of %(store)s", store=escape(store.name)) + "</b>",
        *_listed([_member_line(m, _) for m in members], _),
        *(
            ["", "🙋 <b>" + _("Pressed in the team group without an invite") + "</b>"]
            if helpers
            else []
        ),
        *[_helper_line(h, _) for h in helpers],
        "",
        "💬 <b>" + _("Chats that receive the orders") + "</b>",
        *_listed([_chat_line(c, here, _) for c in chats], _),
        "",
        _("/invite agent — a link to add a team member"),
        _("/invite owner — a link to add an owner"),
        _(
            "/roster on|off — only listed members may press in the group (now %(state)s)",
            state=state,
        ),
    ]
    rows = [
        [
            _button(
                "✖️ " + _("Remove %(name)s", name=_short(_member_name(m))),
                store,
                TeamAction.REMOVE,
                m.id,
            )
        ]
        for m in _removable(members)
    ]
    rows += [
        [
            _button(
                "⛔ " + _("Block %(name)s", name=_short(h.name)),
                store,
                TeamAction.BLOCK_HELPER,
                h.user_id,
            )
        ]
        for h in helpers
    ]
    rows += [
        [
            _button(
                "🔌 " + _("Unlink %(chat)s", chat=_short(_chat_title(c))),
                store,
                TeamAction.UNLINK,
                c.id,
            )
        ]
        for c in chats[:MAX_LISTED]
        if c.active and c.chat_id != here
    ]
    # Telegram refuses an empty inline keyboard: a lone owner with no other chat gets none.
    return "\n".join(text), InlineKeyboardMarkup(rows) if rows else None


def _button(label: str, store: Store, action: TeamAction, target: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=team_button(store.id, action, target))


def _confirm(
    store: Store, yes: str, action: TeamAction, target: int, _: Translator
) -> InlineKeyboardMarkup:
    back = _button("« " + _("Back"), store, TeamAction.BACK)
    return InlineKeyboardMarkup([[_button(yes, store, action, target)], [back]])


async def on_team(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    owner = await owner_command(update)
    if owner is None or update.effective_message is None:
        return
    text, markup = await team_view(owner.store, update.effective_message.chat.id, owner._)
    await update.effective_message.reply_text(text, reply_markup=markup)


TeamPress = Callable[[CallbackQuery, Owner, int], Awaitable[None]]


async def _refresh(
    query: CallbackQuery, owner: Owner, toast: str | None = None, *, answered: bool = False
) -> None:
    """Show the team again; the press is answered once (a second answer is an error)."""
    assert query.message is not None
    text, markup = await team_view(owner.store, query.message.chat.id, owner._)
    if not answered:
        await query.answer(toast)
    await edit_menu(query, text, markup)


async def _ask_remove(query: CallbackQuery, owner: Owner, member_id: int) -> None:
    _ = owner._
    member = next((m for m in await team.team_of(owner.store) if m.id == member_id), None)
    if member is None:
        await _refresh(query, owner, _("This person is no longer in the team."))
        return
    yes = "✖️ " + _("Yes, remove %(name)s", name=_short(_member_name(member)))
    await query.answer()
    await edit_menu(query, None, _confirm(owner.store, yes, TeamAction.REMOVE_YES, member.id, _))


async def _remove(query: CallbackQuery, owner: Owner, member_id: int) -> None:
    _ = owner._
    try:
        member = await team.revoke_member(owner.store, member_id)
    except NotFound:
        await _refresh(query, owner, _("This person is no longer in the team."))
        return
    except InvalidInput:
        await query.answer(
            _("The last owner cannot be removed: invite another owner first."), show_alert=True
        )
        await _refresh(query, owner, answered=True)
        return
    log.info("member removed store=%s member=%s by=%s", owner.store.slug, member.id, owner.actor.id)
    await _refresh(
        query,
        owner,
        _("%(name)s was removed from the team.", name=_short(_member_name(member), NAME)),
    )


async def _ask_unlink(query: CallbackQuery, owner: Owner, chat_pk: int) -> None:
    _ = owner._
    chats = await team.active_chats(owner.store)
    chat = next((c for c in chats if c.id == chat_pk), None)
    if chat is None:
        await _refresh(query, owner, _("This chat is already unlinked."))
        return
    yes = "🔌 " + _("Yes, unlink %(chat)s", chat=_short(_chat_title(chat)))
    await query.answer()
    await edit_menu(query, None, _confirm(owner.store, yes, TeamAction.UNLINK_YES, chat.id, _))


async def _unlink(query: CallbackQuery, owner: Owner, chat_pk: int) -> None:
    _ = owner._
    assert query.message is not None
    here = next((c for c in await team.active_chats(owner.store) if c.id == chat_pk), None)
    if here is not None and here.chat_id == query.message.chat.id:
        await query.answer(_("Unlink this chat from another one."), show_alert=True)
        return
    try:
        chat = await team.unlink_chat(owner.store, chat_pk)
    except NotFound:
        await _refresh(query, owner, _("This chat is already unlinked."))
        return
    log.info("chat unlinked store=%s chat=%s by=%s", owner.store.slug, chat.chat_id, owner.actor.id)
    await _refresh(
        query, owner, _("%(chat)s no longer receives orders.", chat=_short(_chat_title(chat), NAME))
    )


async def _helper(owner: Owner, user_id: int) -> team.GroupHelper | None:
    helpers = await team.group_helpers(owner.store, MAX_HELPERS)
    return next((h for h in helpers if h.user_id == user_id), None)


async def _ask_block(query: CallbackQuery, owner: Owner, user_id: int) -> None:
    _ = owner._
    helper = await _helper(owner, user_id)
    if helper is None:
        await _refresh(query, owner, _("This person is already kept out."))
        return
    yes = "⛔ " + _("Yes, block %(name)s", name=_short(helper.name))
    await query.answer()
    await edit_menu(query, None, _confirm(owner.store, yes, TeamAction.BLOCK_YES, user_id, _))


async def _block(query: CallbackQuery, owner: Owner, user_id: int) -> None:
    _ = owner._
    helper = await _helper(owner, user_id)
    if helper is None or not await team.block_group_helper(owner.store, user_id, helper.name):
        await _refresh(query, owner, _("This person is already kept out."))
        return
    log.info(
        "group helper blocked store=%s user=%s by=%s", owner.store.slug, user_id, owner.actor.id
    )
    name = _short(helper.name, NAME)
    await _refresh(query, owner, _("%(name)s can no longer press in the group.", name=name))


async def _back(query: CallbackQuery, owner: Owner, target: int) -> None:
    await _refresh(query, owner)


TEAM_PRESSES: dict[str, TeamPress] = {
    TeamAction.REMOVE: _ask_remove,
    TeamAction.REMOVE_YES: _remove,
    TeamAction.UNLINK: _ask_unlink,
    TeamAction.UNLINK_YES: _unlink,
    TeamAction.BACK: _back,
    TeamAction.BLOCK_HELPER: _ask_block,
    TeamAction.BLOCK_YES: _block,
}


async def on_team_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = parse_team(query.data)
    if parsed is None:
        await gate.alert(query, STALE)
        return
    store_id, action, target = parsed
    owner = await owner_press(query, store_id)
    if owner is not None:
        await TEAM_PRESSES[action](query, owner, target)


# --- /invite -----------------------------------------------------------------------


def invite_text(store: Store, role: str, username: str, token: str, _: Translator) -> str:
    private = f"https://t.me/{username}?start={token}"
    group = f"https://t.me/{username}?startgroup={token}"
    head = (
        _("Invite for a new owner of %(store)s", store=escape(store.name))
        if role == "owner"
        else _("Invite for a new team member of %(store)s", store=escape(store.name))
    )
    return "\n".join(
        [
            "🔗 <b>" + head + "</b>",
            _(
                "Send this link to the person (one use, valid %(days)s days):",
                days=setup.INVITE_TTL.days,
            ),
            escape(private),
            "",
            _("Or open this link to choose the team group that should receive the orders:"),
            escape(group),
        ]
    )


async def on_invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    owner = await owner_command(update)
    message = update.effective_message
    if owner is None or message is None:
        return
    _ = owner._
    if message.chat.type != "private":
        await message.reply_text(
            _("Ask me for invites in our private chat, so the link is not seen by everyone here.")
        )
        return
    role = context.args[0].lower() if context.args else "agent"
    if role not in setup.ROLES:
        await message.reply_text(_("Usage: /invite agent or /invite owner"))
        return
    token = await setup.create_invite(owner.store, role)
    log.info("invite created store=%s role=%s by=%s", owner.store.slug, role, owner.actor.id)
    await message.reply_text(invite_text(owner.store, role, context.bot.username, token, _))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("team", on_team))
    app.add_handler(CommandHandler("invite", on_invite))
    app.add_handler(CallbackQueryHandler(on_team_press, pattern=r"^tm:"))
