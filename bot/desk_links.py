"""Where the desk (Telegram Mini App, issue 15) opens from a chat: a `web_app` button in a
private chat; in a group, where Telegram refuses `web_app` buttons, a plain URL button to
the Mini App's direct link `t.me/<bot>/<app>?startapp=<store>[_<number>]` when the app is
registered with @BotFather (TELEGRAM_DESK_APP); nothing without an https PUBLIC_URL, from
which alone Telegram opens Mini Apps. Pure: builds buttons, sends nothing."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, WebAppInfo
from telegram.ext import ContextTypes

from bot.i18n import N_, translator

DESK = N_("Desk")
PRIVATE = "private"


def desk_url(public_url: str, slug: str) -> str | None:
    """The desk of store `slug`, or None when the shop has no https address."""
    base = public_url.rstrip("/")
    return f"{base}/desk/{slug}/" if base.startswith("https://") else None


def direct_link(bot_username: str | None, app: str, slug: str) -> str | None:
    """The Mini App's t.me link opening store `slug`'s desk; None when not registered."""
    if not bot_username or not app:
        return None
    return f"https://t.me/{bot_username}/{app}?startapp={slug}"


@dataclass(frozen=True, slots=True)
class DeskLinks:
    """The shop's address and the Mini App's short name, as the bot was configured."""

    public_url: str = ""
    app: str = ""

    def button(
        self, bot_username: str | None, slug: str, chat_type: str, lang: str, number: int = 0
    ) -> InlineKeyboardButton | None:
        """The "📋 Desk" button for a chat of `chat_type`, opening order `number` when given
        (its page), else the orders; None where the desk cannot open from that chat."""
        url = desk_url(self.public_url, slug)
        if url is None:
            return None
        label = "📋 " + translator(lang)(DESK)
        if chat_type == PRIVATE:
            return InlineKeyboardButton(
                label, web_app=WebAppInfo(url + (f"{number}" if number else ""))
            )
        link = direct_link(bot_username, self.app, slug)
        if link is None:
            return None
        return InlineKeyboardButton(label, url=link + (f"_{number}" if number else ""))


def links_of(context: ContextTypes.DEFAULT_TYPE) -> DeskLinks:
    config = context.bot_data.get("config")
    return DeskLinks(getattr(config, "public_url", ""), getattr(config, "desk_app", ""))


def desk_button(
    context: ContextTypes.DEFAULT_TYPE, slug: str, chat_type: str, lang: str, number: int = 0
) -> InlineKeyboardButton | None:
    """The desk button for a handler's reply in a chat of `chat_type`."""
    return links_of(context).button(context.bot.username, slug, chat_type, lang, number)
