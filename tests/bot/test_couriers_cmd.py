"""/couriers (owner): the store's courier accounts with Test and Make default buttons,
against the fake Yalidine and Procolis; how to add one when there is none; nobody else
changes anything."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.couriers_cmd import COURIER_EXAMPLES
from bot.i18n import translator
from couriers.base import Account
from models.errors import InvalidInput
from models.shipping.tables import CourierAccount
from shipping.accounts import check_credentials
from shipping.service import CourierDispatch
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.couriers.fake_ecotrack import FakeEcotrack
from tests.couriers.fake_maystro import FakeMaystro
from tests.couriers.fake_noest import FakeNoest
from tests.couriers.fake_procolis import FakeProcolis
from tests.couriers.fake_yalidine import API_ID, API_TOKEN, FakeYalidine
from tests.couriers.fake_zrexpress import FakeZrExpress
from tests.factories import make_shop
from tests.fakes.telegram_api import StoredMessage
from tests.shipping.support import YALIDINE_CREDENTIALS, FakeBuilder, account, sealer

_ = translator("fr")  # make_shop's stores speak French


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()


async def command(desk: Desk, chat: int, user: Any, text: str) -> StoredMessage:
    """Type a command; the bot's reply (it may wait for the chat's budget)."""
    before = len(desk.fake.bot_messages(chat))
    await desk.say(chat, user, text)
    await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) > before, 10)
    return desk.fake.bot_messages(chat)[-1]


async def press(desk: Desk, chat: int, message: StoredMessage, label: str, user: Any) -> Any:
    """Press the button whose label contains `label`; the bot's answer."""
    data = next(b["callback_data"] for b in message.buttons if label in b["text"])
    assert len(data.encode()) <= 64
    query = await desk.press(chat, message.message_id, data, user)
    return desk.fake.query(query).answer or {}


async def test_without_accounts_it_explains_hanout_courier_add(
    db: str, yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    async with running_desk(dispatcher=CourierDispatch(sealer(), FakeBuilder(yalidine))) as desk:
        chat = await desk.bind(shop.store, OWNER)
        reply = await command(desk, chat, OWNER, "/couriers")
        assert f"hanout courier add {shop.store.slug} yalidine" in (reply.text or "")
        assert not reply.buttons


async def test_the_owner_tests_accounts_and_chooses_the_default(
    db: str, yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    good = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    wrong = {**YALIDINE_CREDENTIALS, "api_token": "not-the-token"}
    async with FakeProcolis() as procolis:
        creds = procolis.account()
        other = await account(shop.store, "procolis", creds.base_url, dict(creds.credentials))
        await CourierAccount.filter(id=other.id).update(label="ZR legacy")
        bad = await account(shop.store, "yalidine", yalidine.base_url, wrong)
        await CourierAccount.filter(id=bad.id).update(label="Yalidine Oran")
        dispatcher = CourierDispatch(sealer(), FakeBuilder(yalidine))
        async with running_desk(dispatcher=dispatcher) as desk:
            chat = await desk.bind(shop.store, OWNER)
            menu = await command(desk, chat, OWNER, "/couriers")
            lines = (menu.text or "").split("\n")
            assert lines[1].startswith("⭐ yalidine (Yalidine)")  # the default first
            assert sum(_("Make default") in b["text"] for b in menu.buttons) == 2

            answer = await press(desk, chat, menu, _("Test %(name)s", name="yalidine"), OWNER)
            assert answer["show_alert"] and answer["text"] == "✅ " + _(
                "%(name)s works.", name="yalidine"
            )
            answer = await press(desk, chat, menu, "Yalidine Oran", OWNER)
            assert answer["show_alert"] and answer["text"].startswith("⚠️ Yalidine Oran")
            menu = desk.fake.message(chat, menu.message_id)
            assert "⚠️" in (menu.text or "")  # the failed test shows in the list

            row = next(r for r in menu.reply_markup["inline_keyboard"] if "ZR legacy" in str(r))
            query = await desk.press(chat, menu.message_id, row[1]["callback_data"], OWNER)
            answer = desk.fake.query(query).answer or {}
            assert answer["text"] == _("%(name)s is now the default courier.", name="ZR legacy")
            menu = desk.fake.message(chat, menu.message_id)
            assert (menu.text or "").split("\n")[1].startswith("⭐ ZR legacy (Procolis)")
    defaults = await CourierAccount.filter(is_default=True).values_list("id", flat=True)
    assert list(defaults) == [other.id]
    assert (await CourierAccount.get(id=bad.id)).last_error
    assert not (await CourierAccount.get(id=good.id)).last_error


async def test_only_the_owner_sees_and_changes_couriers(db: str, yalidine: FakeYalidine) -> None:
    shop = await make_shop()
    await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    async with running_desk(dispatcher=CourierDispatch(sealer(), FakeBuilder(yalidine))) as desk:
        await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        refused = await command(desk, group, AGENT, "/couriers")
        assert refused.text == _("Only the store's owner can do this.")

        menu = await command(desk, group, OWNER, "/couriers")
        answer = await press(desk, group, menu, _("Make default"), AGENT)
        assert answer["show_alert"] and answer["text"] == _("Only the store's owner can do this.")
    defaults = await CourierAccount.filter(is_default=True).values_list("id", flat=True)
    assert len(defaults) == 1
    first = await CourierAccount.filter(store_id=shop.store.id).order_by("id").first()
    assert first is not None and list(defaults) == [first.id]


async def test_the_examples_show_what_each_courier_needs(db: str, yalidine: FakeYalidine) -> None:
    shop = await make_shop()
    async with running_desk(dispatcher=CourierDispatch(sealer(), FakeBuilder(yalidine))) as desk:
        chat = await desk.bind(shop.store, OWNER)
        text = (await command(desk, chat, OWNER, "/couriers")).text or ""
    for courier, args in COURIER_EXAMPLES:
        assert f"hanout courier add {shop.store.slug} {courier} {args}" in text
    assert "from_wilaya=16" in text
    assert _("A value written - is asked for when the command runs and is not shown.") in text


@asynccontextmanager
async def fake_account(courier: str, yalidine: FakeYalidine) -> AsyncIterator[Account]:
    """A working account of `courier` at its fake."""
    if courier == "yalidine":
        creds = {"api_id": API_ID, "api_token": API_TOKEN, "from_wilaya": "16"}
        yield Account("yalidine", yalidine.base_url, creds)
        return
    if courier == "manual":
        yield Account("manual", "", {})
        return
    fakes = {"ecotrack": FakeEcotrack, "zrexpress": FakeZrExpress, "procolis": FakeProcolis,
             "maystro": FakeMaystro, "noest": FakeNoest}  # fmt: skip
    async with fakes[courier]() as fake:
        yield fake.account()


@pytest.mark.parametrize(("courier", "args"), COURIER_EXAMPLES)
async def test_each_example_has_exactly_what_the_credentials_test_requires(
    db: str, yalidine: FakeYalidine, courier: str, args: str
) -> None:
    names = re.findall(r"--credential (\w+)=", args)
    async with fake_account(courier, yalidine) as working:
        given = {name: working.credentials[name] for name in names}
        await check_credentials(Account(courier, working.base_url, given))  # enough
        for name in names:  # and each one needed
            without = {k: v for k, v in given.items() if k != name}
            with pytest.raises(InvalidInput):
                await check_credentials(Account(courier, working.base_url, without))
        if "--base-url" in args:
            with pytest.raises(InvalidInput):
                await check_credentials(Account(courier, "", given))
