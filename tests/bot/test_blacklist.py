"""`/blacklist` through the fake Telegram: the team adds phones typed in any form, everyone
sees the list (paged, with reason, who and when), only an owner takes a phone off, and a
blacklisted phone is refused at checkout."""

from __future__ import annotations

import pytest

from bot.blacklist_cmd import PER_PAGE, button, parse_button, split_phone
from bot.i18n import translator
from models.customers import registry
from models.customers.tables import Customer
from models.errors import Blacklisted
from models.orders import intake
from tests.bot.harness import AGENT, OWNER, running_desk
from tests.bot.test_team_cmds import ONLY_OWNER, STRANGER, is_alert, press, reply_to, words
from tests.factories import checkout, make_shop

_ = translator("fr")  # make_shop's stores speak French
PHONE = "+213550123456"


def test_the_phone_is_the_longest_run_of_first_words_that_reads_as_one() -> None:
    assert split_phone(["0550", "12", "34", "56", "faux", "numéro"]) == (
        "0550 12 34 56",
        "faux numéro",
    )
    assert split_phone(["+213550123456"]) == ("+213550123456", "")
    assert split_phone(["0550123456", "3", "colis", "refusés"]) == ("0550123456", "3 colis refusés")
    assert split_phone(["appel", "suspect"]) is None
    assert split_phone([]) is None


def test_buttons_fit_and_forged_ones_do_not_parse() -> None:
    data = button(10**9 - 1, "ry", 10**12 - 1)
    assert len(data.encode()) <= 64 and parse_button(data) == (10**9 - 1, "ry", 10**12 - 1)
    for forged in ("bl:1:zz:2", "bl:x:rm:2", "bl:1:rm:2\n", "tm:1:rm:2", "", None):
        assert parse_button(forged) is None
    with pytest.raises(ValueError):
        button(1, "xx")


async def test_an_agent_blacklists_a_phone_and_its_orders_are_refused(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        await desk.bind(shop.store, OWNER)
        agent_chat = await desk.bind(shop.store, AGENT, role="agent")
        answer = await reply_to(desk, agent_chat, AGENT, "/blacklist 0550 12 34 56 faux numéro")
        text = words(answer)
        assert (
            _(
                "%(phone)s is on the blacklist: its orders are refused at checkout.",
                phone="0550 12 34 56",
            )
            in text
        )
        assert "faux numéro" in text and "Yacine (agent)" in text
    customer = await Customer.get(phone=PHONE)
    assert (customer.blacklisted, customer.blacklist_reason) == (True, "faux numéro")
    assert customer.blacklisted_by == "Yacine (agent)" and customer.blacklisted_at is not None
    with pytest.raises(Blacklisted):
        await intake.place_order(shop.store, checkout(shop.variants[0].id))


async def test_adding_a_phone_with_an_open_order_says_it_stays_open(db: str) -> None:
    shop = await make_shop()
    await intake.place_order(shop.store, checkout(shop.variants[0].id))
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        answer = await reply_to(desk, owner_chat, OWNER, "/blacklist +213550123456")
        assert _(
            "Open orders of this phone: %(n)s. They stay open; cancel them from their "
            "cards if needed.",
            n=1,
        ) in words(answer)
        assert _("no reason given") in words(answer)


async def test_a_bad_phone_is_explained_and_nothing_is_written(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        answer = await reply_to(desk, owner_chat, OWNER, "/blacklist 12 34 abc")
        assert _("%(text)s is not an Algerian phone number.", text="12 34 abc") in words(answer)
        assert "/blacklist remove" in words(answer)
        long = await reply_to(desk, owner_chat, OWNER, "/blacklist 0550123456 " + "x" * 201)
        assert _("The reason is too long: %(max)s characters at most.", max=200) in words(long)
    assert await Customer.all().count() == 0


async def test_the_list_pages_with_reason_who_and_when(db: str) -> None:
    shop = await make_shop()
    for i in range(PER_PAGE + 2):
        await registry.blacklist_phone(shop.store, f"06610000{i:02d}", f"motif {i}", "Nadia")
    async with running_desk() as desk:
        await desk.bind(shop.store, OWNER)
        agent_chat = await desk.bind(shop.store, AGENT, role="agent")
        shown = await reply_to(desk, agent_chat, AGENT, "/blacklist")
        text = words(shown)
        newest = PER_PAGE + 1
        assert f"0661 00 00 {newest:02d} — motif {newest}" in text and "Nadia" in text
        assert "motif 1\n" not in text + "\n" and "motif 0" not in text
        assert len([d for d in shown.callback_data if ":rm:" in d]) == PER_PAGE
        older = next(d for d in shown.callback_data if ":pg:" in d)
        await press(desk, shown, older, AGENT, then=lambda m: "motif 0" in (m.text or ""))
        page = desk.fake.message(shown.chat_id, shown.message_id)
        assert "motif 1" in words(page) and f"motif {newest}" not in words(page)
        first = next(d for d in page.callback_data if ":bk:" in d)
        await press(desk, page, first, AGENT, then=lambda m: f"motif {newest}" in (m.text or ""))


async def test_an_empty_list_says_so_and_how_to_add(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        shown = await reply_to(desk, owner_chat, OWNER, "/blacklist")
        assert _("No phone is blacklisted.") in words(shown)
        assert "/blacklist 0550 12 34 56" in words(shown)


async def test_only_an_owner_takes_a_phone_off_by_button_with_a_confirmation(db: str) -> None:
    shop = await make_shop()
    view = await registry.blacklist_phone(shop.store, PHONE, "faux", "Nadia (owner)")
    remove = button(shop.store.id, "rm", view.customer.id)
    yes = button(shop.store.id, "ry", view.customer.id)
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        shown = await reply_to(desk, group, AGENT, "/blacklist")
        assert remove in shown.callback_data
        assert is_alert(await press(desk, shown, remove, AGENT), _(ONLY_OWNER))
        assert is_alert(await press(desk, shown, yes, AGENT), _(ONLY_OWNER))
        assert (await Customer.get(phone=PHONE)).blacklisted
        await press(desk, shown, remove, OWNER, then=lambda m: yes in m.callback_data)
        answer = await press(desk, shown, yes, OWNER, then=lambda m: "— faux" not in (m.text or ""))
        assert answer.get("text") == "✅ " + _(
            "%(phone)s is off the blacklist: it can order again.", phone="0550 12 34 56"
        )
        again = await press(desk, shown, yes, OWNER)  # pressed twice: nothing more to do
        assert again.get("text") == _("This button is no longer valid.")
        elsewhere = await reply_to(desk, owner_chat, OWNER, "/blacklist")
        assert _("No phone is blacklisted.") in words(elsewhere)
    assert not await Customer.filter(phone=PHONE).exists()  # it never ordered: forgotten


async def test_only_an_owner_takes_a_phone_off_by_command(db: str) -> None:
    shop = await make_shop()
    await intake.place_order(shop.store, checkout(shop.variants[0].id))
    await registry.blacklist_phone(shop.store, PHONE, "faux", "Nadia (owner)")
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        agent_chat = await desk.bind(shop.store, AGENT, role="agent")
        refused = await reply_to(desk, agent_chat, AGENT, "/blacklist remove 0550 12 34 56")
        assert words(refused) == _(ONLY_OWNER)
        assert (await Customer.get(phone=PHONE)).blacklisted
        done = await reply_to(desk, owner_chat, OWNER, "/blacklist remove 0550123456")
        assert _(
            "%(phone)s is off the blacklist: it can order again.", phone="0550 12 34 56"
        ) in words(done)
        again = await reply_to(desk, owner_chat, OWNER, "/blacklist remove +213550123456")
        assert words(again) == _("%(phone)s is not on the blacklist.", phone="0550 12 34 56")
    assert not (await Customer.get(phone=PHONE)).blacklisted


async def test_a_stranger_sees_nothing_and_changes_nothing(db: str) -> None:
    shop = await make_shop()
    view = await registry.blacklist_phone(shop.store, PHONE, "secret", "Nadia")
    async with running_desk() as desk:
        await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER])
        stranger_chat = desk.fake.add_private_chat(STRANGER)
        refused = await reply_to(desk, stranger_chat, STRANGER, "/blacklist 0661223344 x")
        assert "secret" not in words(refused)
        shown = await reply_to(desk, group, OWNER, "/blacklist")
        answer = await press(desk, shown, button(shop.store.id, "ry", view.customer.id), STRANGER)
        assert answer.get("show_alert")
        other = await press(desk, shown, button(shop.store.id + 1, "pg", 0), OWNER)
        assert other.get("text") == _("This button is no longer valid.")
    assert await Customer.filter(blacklisted=True).count() == 1
