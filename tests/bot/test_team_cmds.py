"""The owner's /team, /invite and their buttons, driven through the fake Telegram: who is
listed, what removing a member or unlinking a chat stops, and that nobody but the owner
changes anything."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest

from bot import gate
from bot.callbacks import parse_setting, parse_team, setting_button, team_button
from bot.i18n import ALGIERS, translator
from models.orders import intake
from models.orders.tables import Order
from models.stores import setup
from models.stores.tables import Store
from models.team.tables import Invite, Member, TelegramChat
from tests.bot.harness import AGENT, AGENT2, OWNER, Desk, running_desk
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import FakeTelegram, StoredMessage

_ = translator("fr")  # make_shop's stores speak French
STRANGER = {"id": 5005, "first_name": "Inconnu"}
OTHER_OWNER = {"id": 4004, "first_name": "Karim"}
ONLY_OWNER = _("Only the store's owner can do this.")
PHONES = itertools.count(1000)


# --- playing the people ---------------------------------------------------------------------


async def reply_to(desk: Desk, chat: int, user: dict[str, Any], text: str) -> StoredMessage:
    """Say something and return the bot's answer (the last bot message that is no card)."""
    await desk.settle()
    seen = {m.message_id for m in desk.fake.bot_messages(chat)}
    await desk.say(chat, user, text)

    def answered(fake: FakeTelegram) -> bool:
        return any(m.message_id not in seen for m in fake.bot_messages(chat))

    await desk.fake.wait_for(answered, timeout=10)  # the chat's send budget may delay it
    return [m for m in desk.fake.bot_messages(chat) if m.message_id not in seen][-1]


def words(message: StoredMessage) -> str:
    return message.text or ""


def button(message: StoredMessage, data: str) -> str:
    assert data in message.callback_data, f"{data} not in {message.callback_data}"
    return data


async def press(
    desk: Desk,
    message: StoredMessage,
    data: str,
    user: dict[str, Any],
    *,
    then: Callable[[StoredMessage], bool] | None = None,
) -> dict[str, Any]:
    """Press a button (a forged one too) and return the answer; `then` waits for the
    message to show the press."""
    update = desk.fake.press(message.chat_id, message.message_id, data, user, check_button=False)
    await desk.fake.send_update(update)
    query_id = update["callback_query"]["id"]
    await desk.fake.wait_for(lambda f: f.query(query_id).answered, timeout=10)
    if then is not None:
        await desk.fake.wait_for(
            lambda f: then(f.message(message.chat_id, message.message_id)), timeout=10
        )
    return desk.fake.query(query_id).answer or {}


def is_alert(answer: dict[str, Any], text: str) -> bool:
    return bool(answer.get("show_alert")) and answer.get("text") == text


async def member(store: Store, user: dict[str, Any]) -> Member:
    return await Member.get(store_id=store.id, telegram_user_id=user["id"])


async def new_order(desk: Desk, shop: Shop) -> int:
    # A new phone each time: the same phone and items again would be a duplicate.
    phone = f"0550 12 {next(PHONES):04d}"
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, phone=phone))
    await desk.settle()
    return placed.order.number


def has_card(desk: Desk, chat: int, number: int) -> bool:
    return any(f"#{number} " in words(m) + " " for m in desk.fake.bot_messages(chat))


async def whole_team(desk: Desk, shop: Shop) -> tuple[int, int, int]:
    owner_chat = await desk.bind(shop.store, OWNER)
    agent_chat = await desk.bind(shop.store, AGENT, role="agent")
    group = await desk.bind_group(shop.store, [OWNER, AGENT, AGENT2])
    await desk.settle()
    return owner_chat, agent_chat, group


# --- /team ----------------------------------------------------------------------------------


async def test_team_lists_members_and_chats_with_their_buttons(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, agent_chat, group = await whole_team(desk, shop)
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        store, nadia, yacine = (
            shop.store,
            await member(shop.store, OWNER),
            await member(shop.store, AGENT),
        )
        today = nadia.joined_at.astimezone(ALGIERS).strftime("%d/%m/%Y")
        for who, role in ((nadia, "owner"), (yacine, "agent")):
            line = _("%(name)s — %(role)s, since %(date)s", name=who.name, role=_(role), date=today)
            assert line in words(shown)
        assert _("%(title)s — %(kind)s", title="Équipe", kind=_("group")) in words(shown)
        assert _("%(title)s — %(kind)s", title="Yacine", kind=_("private chat")) in words(shown)
        here = _("%(title)s — %(kind)s", title="Nadia Owner", kind=_("private chat"))
        assert f"{here} · {_('this chat')}" in words(shown)
        chats = {c.chat_id: c.id for c in await TelegramChat.filter(store_id=store.id)}
        assert set(shown.callback_data) == {  # Nadia is the only owner: no Remove for her
            f"tm:{store.id}:rm:{yacine.id}",
            f"tm:{store.id}:ul:{chats[agent_chat]}",
            f"tm:{store.id}:ul:{chats[group]}",
        }  # no button to unlink the chat the owner is using


async def test_names_and_titles_are_shown_as_typed(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        tricky = {"id": 6006, "first_name": "<b>Sam</b> & co"}
        owner_chat = await desk.bind(shop.store, OWNER)
        await desk.bind(shop.store, tricky, role="agent")
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        assert "<b>Sam</b> & co — " in words(shown)  # escaped: text, not markup
        assert "&lt;b&gt;Sam&lt;/b&gt; &amp; co" in (shown.source or "")


async def test_removed_member_can_no_longer_press_nor_gets_cards(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, agent_chat, group = await whole_team(desk, shop)
        yacine = await member(shop.store, AGENT)
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        ask = button(shown, f"tm:{shop.store.id}:rm:{yacine.id}")
        yes = f"tm:{shop.store.id}:ry:{yacine.id}"
        await press(desk, shown, ask, OWNER, then=lambda m: yes in m.callback_data)
        assert (await Member.get(id=yacine.id)).active  # asking is not removing
        gone = "Yacine — " + _("agent")
        answer = await press(desk, shown, yes, OWNER, then=lambda m: gone not in words(m))
        assert answer.get("text") == _("%(name)s was removed from the team.", name="Yacine")
        assert not (await Member.get(id=yacine.id)).active

        number = await new_order(desk, shop)
        assert has_card(desk, group, number) and has_card(desk, owner_chat, number)
        assert not has_card(desk, agent_chat, number)
        card = desk.card(group, number)
        confirm = next(d for d in card.callback_data if ":cf:" in d)
        refused = await press(desk, card, confirm, AGENT)
        assert is_alert(refused, _("Only the store's team can do this."))
        assert (await Order.get(store_id=shop.store.id, number=number)).status == "pending"


async def test_unlinked_group_gets_no_more_cards(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, _agent_chat, group = await whole_team(desk, shop)
        chat = await TelegramChat.get(store_id=shop.store.id, chat_id=group)
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        yes = f"tm:{shop.store.id}:uy:{chat.id}"
        await press(
            desk,
            shown,
            button(shown, f"tm:{shop.store.id}:ul:{chat.id}"),
            OWNER,
            then=lambda m: yes in m.callback_data,
        )
        stopped = _(
            "%(title)s — %(kind)s, stopped: %(reason)s",
            title="Équipe",
            kind=_("group"),
            reason=_("unlinked by the owner"),
        )
        answer = await press(desk, shown, yes, OWNER, then=lambda m: stopped in words(m))
        assert answer.get("text") == _("%(chat)s no longer receives orders.", chat="Équipe")
        assert not (await TelegramChat.get(id=chat.id)).active

        number = await new_order(desk, shop)
        assert has_card(desk, owner_chat, number)
        assert not has_card(desk, group, number)


async def test_the_last_owner_cannot_be_removed(db: str, caplog: pytest.LogCaptureFixture) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        nadia = await member(shop.store, OWNER)
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        ask, yes = (f"tm:{shop.store.id}:{a}:{nadia.id}" for a in ("rm", "ry"))
        assert ask not in shown.callback_data  # never offered
        # An old or forged button: refused with one answer, the menu shown again.
        answer = await press(desk, shown, yes, OWNER)
        assert is_alert(answer, _("The last owner cannot be removed: invite another owner first."))
        assert (await Member.get(id=nadia.id)).active
        assert (await TelegramChat.get(chat_id=owner_chat)).active

        # With a second owner, either may leave.
        second = {"id": 7007, "first_name": "Lina"}
        await desk.bind(shop.store, second, role="owner")
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        await press(desk, shown, button(shown, ask), OWNER, then=lambda m: yes in m.callback_data)
        answer = await press(desk, shown, yes, OWNER)
        assert answer.get("text") == _("%(name)s was removed from the team.", name="Nadia Owner")
        assert not (await Member.get(id=nadia.id)).active
    assert "Traceback" not in caplog.text and "already answered" not in caplog.text.lower()


async def test_nobody_but_the_owner_changes_the_team(db: str) -> None:
    shop = await make_shop()
    other = await make_shop("autre")
    async with running_desk() as desk:
        owner_chat, agent_chat, group = await whole_team(desk, shop)
        karim_chat = await desk.bind(other.store, OTHER_OWNER)  # owns another store
        yacine = await member(shop.store, AGENT)
        shown = await reply_to(desk, group, OWNER, "/team")
        remove = f"tm:{shop.store.id}:ry:{yacine.id}"
        group_chat = await TelegramChat.get(store_id=shop.store.id, chat_id=group)
        unlink = f"tm:{shop.store.id}:uy:{group_chat.id}"
        for who in (AGENT, AGENT2, STRANGER, OTHER_OWNER):  # agent, group members, other store
            for data in (remove, unlink):
                assert is_alert(await press(desk, shown, data, who), ONLY_OWNER)
        # Karim forges the press in his own chat, which serves only his store.
        forged = await reply_to(desk, karim_chat, OTHER_OWNER, "/team")
        answer = await press(desk, forged, remove, OTHER_OWNER)
        assert is_alert(answer, _("This button is no longer valid."))
        assert (await Member.get(id=yacine.id)).active
        assert (await TelegramChat.get(id=group_chat.id)).active

        said = await reply_to(desk, agent_chat, AGENT, "/team")
        assert words(said) == ONLY_OWNER and not said.buttons
        stranger_chat = desk.fake.add_private_chat(STRANGER)
        said = await reply_to(desk, stranger_chat, STRANGER, "/team")
        assert words(said) == _(gate.NO_STORE)
        assert owner_chat  # the owner's own chat stays linked throughout


# --- /invite --------------------------------------------------------------------------------

LINK = re.compile(r"https://t\.me/hanout_test_bot\?(start|startgroup)=([A-Za-z0-9_-]{1,64})")


async def test_invite_link_joins_the_person_with_its_role(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        shown = await reply_to(desk, owner_chat, OWNER, "/invite")
        links = LINK.findall(words(shown))
        assert [kind for kind, _token in links] == ["start", "startgroup"]
        assert links[0][1] == links[1][1]
        token = links[0][1]
        assert (await Invite.get(token_hash=setup.invite_hash(token))).role == "agent"

        sara_chat = desk.fake.add_private_chat(AGENT2)
        await desk.say(sara_chat, AGENT2, f"/start {token}")
        assert (await member(shop.store, AGENT2)).role == "agent"

        shown = await reply_to(desk, owner_chat, OWNER, "/invite owner")
        token = LINK.findall(words(shown))[0][1]
        lina = {"id": 7007, "first_name": "Lina"}
        lina_chat = desk.fake.add_private_chat(lina)
        await desk.say(lina_chat, lina, f"/start {token}")
        assert (await member(shop.store, lina)).role == "owner"

        shown = await reply_to(desk, owner_chat, OWNER, "/invite boss")
        assert words(shown) == _("Usage: /invite agent or /invite owner")


async def test_invites_are_given_only_privately_and_only_to_the_owner(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        _owner_chat, agent_chat, group = await whole_team(desk, shop)
        invites = await Invite.all().count()
        said = await reply_to(desk, group, OWNER, "/invite")
        assert words(said) == _(
            "Ask me for invites in our private chat, so the link is not seen by everyone here."
        )
        assert "t.me" not in words(said)
        said = await reply_to(desk, agent_chat, AGENT, "/invite owner")
        assert words(said) == ONLY_OWNER
        said = await reply_to(desk, group, AGENT2, "/invite")
        assert words(said) == ONLY_OWNER
        assert await Invite.all().count() == invites
        assert await setup.create_invite(shop.store)  # the store itself is fine


# --- callback data --------------------------------------------------------------------------


def test_menu_buttons_fit_telegram_and_refuse_what_the_bot_never_made() -> None:
    longest = [team_button(999_999_999, "uy", 999_999_999_999)]
    longest.append(setting_button(999_999_999, "mn", "main"))
    assert all(len(data.encode()) <= 64 for data in longest)
    assert parse_team(longest[0]) == (999_999_999, "uy", 999_999_999_999)
    assert parse_setting("st:7:na:3") == (7, "na", "3")
    for forged in ("tm:7:zz:1", "tm:7:rm:-1", "tm:x:rm:1", "tm:7:rm:1:9", "st:7:na:", "st:7:lg:FR"):
        assert parse_team(forged) is None and parse_setting(forged) is None


async def test_an_owner_opening_an_agent_link_stays_owner(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        token = await setup.create_invite(shop.store, "agent")
        said = await reply_to(desk, owner_chat, OWNER, f"/start {token}")
        assert words(said) == _(
            "Welcome! You own %(store)s here: new orders will appear in this chat. "
            "/help lists what I can do.",
            store=shop.store.name,
        )
        assert (await member(shop.store, OWNER)).role == "owner"
        said = await reply_to(desk, owner_chat, OWNER, "/team")
        assert words(said) != ONLY_OWNER


async def test_who_pressed_in_the_group_shows_in_team_and_can_be_blocked(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT2])  # Sara was never invited
        number = await new_order(desk, shop)
        card = desk.card(group, number)
        claim = next(d for d in card.callback_data if ":cl:" in d)
        await press(desk, card, claim, AGENT2)
        shown = await reply_to(desk, owner_chat, OWNER, "/team")
        assert _("Pressed in the team group without an invite") in words(shown)
        assert "Sara — " in words(shown)
        ask, yes = (f"tm:{shop.store.id}:{a}:{AGENT2['id']}" for a in ("bh", "by"))
        await press(desk, shown, button(shown, ask), OWNER, then=lambda m: yes in m.callback_data)
        answer = await press(desk, shown, yes, OWNER, then=lambda m: "Sara — " not in words(m))
        assert answer.get("text") == _("%(name)s can no longer press in the group.", name="Sara")
        sara = await member(shop.store, AGENT2)
        assert not sara.active and sara.role == "agent"

        other = await new_order(desk, shop)
        card = desk.card(group, other)
        confirm = next(d for d in card.callback_data if ":cf:" in d)
        refused = await press(desk, card, confirm, AGENT2)
        assert is_alert(refused, _("Only the store's team can do this."))
        assert (await Order.get(store_id=shop.store.id, number=other)).status == "pending"
