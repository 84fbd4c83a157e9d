"""/settings and /roster through the fake Telegram: every choice reaches the Store row and
the behaviour people notice (card language, silent cards, the no-answer policy, who may
press in the group); nobody but the owner changes anything."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

import bot.i18n
from bot.i18n import translator
from i18n import Catalogues
from models.orders.tables import Order
from models.stores.tables import Store
from tests.bot.harness import AGENT, AGENT2, OWNER, Desk, running_desk
from tests.bot.test_team_cmds import (
    ONLY_OWNER,
    OTHER_OWNER,
    STRANGER,
    is_alert,
    new_order,
    press,
    reply_to,
    whole_team,
    words,
)
from tests.factories import Shop, make_shop
from tests.fakes.telegram_api import StoredMessage

# A few French words of our own, so the test shows the switch whatever the real catalogue
# holds today.
FRENCH = {
    "Pending": "En attente",
    "Confirm": "Confirmer",
    "Language: %(lang)s": "Langue : %(lang)s",
    "Settings of %(store)s": "Réglages de %(store)s",
}


@pytest.fixture
def french() -> Iterator[None]:
    real = bot.i18n._catalogues()
    catalog = Catalog(locale="fr")
    for english, french in FRENCH.items():
        catalog.add(english, french, flags=("python-format",) if "%(" in english else ())
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    ours = Catalogues({**real.by_lang, "fr": Translations(fp=buffer)})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.i18n, "_catalogues", lambda: ours)
        yield


async def store_row(shop: Shop) -> Store:
    return await Store.get(id=shop.store.id)


async def choose(
    desk: Desk, menu: StoredMessage, opener: str | None, data: str
) -> dict[str, object]:
    """Open a submenu (if any), press a choice, and wait for the menu to show it."""
    if opener is not None:
        await press(desk, menu, opener, OWNER, then=lambda m: data in m.callback_data)
    # Back on the main menu (a toggle flips its own button): the choice is shown.
    return await press(desk, menu, data, OWNER, then=lambda m: data not in m.callback_data)


async def test_language_switch_changes_the_store_and_its_cards(db: str, french: None) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        first = await new_order(desk, shop)
        assert "Pending" in words(desk.card(owner_chat, first))

        menu = await reply_to(desk, owner_chat, OWNER, "/settings")
        sid = shop.store.id
        assert words(menu).startswith("⚙️ Settings of Boutique shop")
        answer = await choose(desk, menu, f"st:{sid}:mn:lg", f"st:{sid}:lg:fr")
        assert (await store_row(shop)).lang == "fr"
        assert answer.get("text") == "Langue : Français"  # the toast speaks the new language
        shown = desk.fake.message(owner_chat, menu.message_id)
        assert words(shown).startswith("⚙️ Réglages de Boutique shop")

        second = await new_order(desk, shop)
        card = desk.card(owner_chat, second)
        assert "En attente" in words(card) and "Pending" not in words(card)
        assert any(b["text"] == "✅ Confirmer" for b in card.buttons)


async def test_each_setting_reaches_the_store_row(db: str) -> None:
    shop = await make_shop()
    _ = translator("fr")
    sid = shop.store.id
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        menu = await reply_to(desk, owner_chat, OWNER, "/settings")

        answer = await choose(desk, menu, f"st:{sid}:mn:na", f"st:{sid}:na:3")
        assert (await store_row(shop)).no_answer_limit == 3
        policy = _("cancel when no-answers reach %(n)s", n=3)
        policy += " " + _("over at least %(hours)s h", hours=24)
        assert answer.get("text") == _("No-answer policy: %(policy)s", policy=policy)
        answer = await choose(desk, menu, f"st:{sid}:mn:na", f"st:{sid}:mh:48")
        assert (await store_row(shop)).no_answer_min_hours == 48
        assert "48 h" in answer.get("text", "")
        await choose(desk, menu, f"st:{sid}:mn:na", f"st:{sid}:na:0")
        assert (await store_row(shop)).no_answer_limit == 0

        answer = await choose(desk, menu, f"st:{sid}:mn:cp", f"st:{sid}:cp:b")
        assert (await store_row(shop)).callback_plan == "2h,4h,10:00"
        plan = "+2 h, +4 h, " + _("next day %(time)s", time="10:00")
        assert answer.get("text") == _("Call back after no answer: %(plan)s", plan=plan)

        answer = await choose(desk, menu, f"st:{sid}:mn:cl", f"st:{sid}:cl:30")
        assert (await store_row(shop)).claim_minutes == 30
        assert answer.get("text") == _("Claim time: %(minutes)s min", minutes=30)

        answer = await choose(desk, menu, None, f"st:{sid}:rm:1")
        assert (await store_row(shop)).roster_mode is True
        assert answer.get("text") == _(
            "Roster mode (only listed members press buttons in the group): %(state)s",
            state=_("on"),
        )
        await choose(desk, menu, None, f"st:{sid}:rm:0")
        assert (await store_row(shop)).roster_mode is False

        shown = desk.fake.message(owner_chat, menu.message_id)
        assert _("Claim time: %(minutes)s min", minutes=30) in words(shown)
        assert f"st:{sid}:mn:lg" in shown.callback_data  # back on the main menu


async def test_silent_notifications_send_cards_without_sound(db: str) -> None:
    shop = await make_shop()
    sid = shop.store.id
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        menu = await reply_to(desk, owner_chat, OWNER, "/settings")

        def card_sends() -> list[bool]:
            sends = desk.fake.calls("sendMessage", ok=True)
            return [
                bool(r.params.get("disable_notification"))
                for r in sends
                if str(r.params.get("text", "")).startswith("🆕")
            ]

        await new_order(desk, shop)
        assert card_sends() == [False]
        await choose(desk, menu, None, f"st:{sid}:sn:1")
        assert (await store_row(shop)).silent_notifications is True
        await new_order(desk, shop)
        assert card_sends() == [False, True]


async def test_no_answer_policy_two_cancels_at_the_second_no_answer(db: str) -> None:
    shop = await make_shop()
    sid = shop.store.id
    async with running_desk() as desk:
        owner_chat, _agent_chat, group = await whole_team(desk, shop)
        menu = await reply_to(desk, owner_chat, OWNER, "/settings")
        await choose(desk, menu, f"st:{sid}:mn:na", f"st:{sid}:na:2")
        await choose(desk, menu, f"st:{sid}:mn:na", f"st:{sid}:mh:0")  # no minimum span
        number = await new_order(desk, shop)
        for _attempt in range(2):
            card = desk.card(group, number)
            opener = next(d for d in card.callback_data if ":cm:" in d)
            await press(
                desk, card, opener, AGENT, then=lambda m: any(":na:" in d for d in m.callback_data)
            )
            no_answer = next(
                d for d in desk.fake.message(group, card.message_id).callback_data if ":na:" in d
            )
            await press(desk, card, no_answer, AGENT)
            await desk.settle()
        order = await Order.get(store_id=sid, number=number)
        assert order.status == "cancelled" and order.no_answers == 2
        assert words(desk.card(group, number)).startswith("❌")


async def test_roster_mode_keeps_unlisted_group_members_out(db: str) -> None:
    shop = await make_shop()
    _ = translator("fr")
    async with running_desk() as desk:
        owner_chat, _agent_chat, group = await whole_team(desk, shop)
        said = await reply_to(desk, owner_chat, OWNER, "/roster on")
        assert words(said) == _(
            "Roster mode is on: only listed team members can press buttons in the group."
        )
        assert (await store_row(shop)).roster_mode is True
        number = await new_order(desk, shop)
        card = desk.card(group, number)
        claim = next(d for d in card.callback_data if ":cl:" in d)
        refused = await press(desk, card, claim, AGENT2)  # in the group, not listed
        assert is_alert(refused, _("Only the store's team can do this."))
        assert (await Order.get(store_id=shop.store.id, number=number)).claimed_by_id == ""
        await press(desk, card, claim, AGENT)  # listed as an agent
        assert (await Order.get(store_id=shop.store.id, number=number)).claimed_by_id == "2002"

        await reply_to(desk, owner_chat, OWNER, "/roster off")
        assert (await store_row(shop)).roster_mode is False
        said = await reply_to(desk, owner_chat, OWNER, "/roster")
        assert words(said).startswith(
            _("Roster mode is off: everyone in the team group can press buttons as an agent.")
        )


async def test_nobody_but_the_owner_changes_settings(db: str) -> None:
    shop = await make_shop()
    other = await make_shop("autre")
    _ = translator("fr")
    sid = shop.store.id
    async with running_desk() as desk:
        _owner_chat, agent_chat, group = await whole_team(desk, shop)
        karim_chat = await desk.bind(other.store, OTHER_OWNER)
        menu = await reply_to(desk, group, OWNER, "/settings")
        before = (await Store.filter(id=sid).values())[0]
        changes = [f"st:{sid}:lg:en", f"st:{sid}:na:2", f"st:{sid}:sn:1", f"st:{sid}:rm:1"]
        for who in (AGENT, AGENT2, STRANGER, OTHER_OWNER):
            for data in [f"st:{sid}:mn:lg", *changes]:
                assert is_alert(await press(desk, menu, data, who), ONLY_OWNER)
        forged = await reply_to(desk, karim_chat, OTHER_OWNER, "/settings")
        for data in changes:
            answer = await press(desk, forged, data, OTHER_OWNER)
            assert is_alert(answer, _("This button is no longer valid."))
        assert (await Store.filter(id=sid).values())[0] == before

        for who, chat in ((AGENT, agent_chat), (AGENT2, group)):
            for command in ("/settings", "/roster on"):
                said = await reply_to(desk, chat, who, command)
                assert words(said) == ONLY_OWNER and not said.buttons
        assert (await Store.filter(id=sid).values())[0] == before


async def test_a_forged_value_is_refused(db: str) -> None:
    shop = await make_shop()
    _ = translator("fr")
    sid = shop.store.id
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        menu = await reply_to(desk, owner_chat, OWNER, "/settings")
        before = (await Store.filter(id=sid).values())[0]
        for data in (f"st:{sid}:na:99", f"st:{sid}:cl:1", f"st:{sid}:lg:de", f"st:{sid}:sn:2"):
            answer = await press(desk, menu, data, OWNER)
            assert is_alert(answer, _("This button is no longer valid."))
        assert (await Store.filter(id=sid).values())[0] == before
