"""The fake Telegram Bot API, driven by the real python-telegram-bot over loopback."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakes.telegram_api import FakeTelegram, FloodLimits, ManualClock
from tests.fakes.telegram_spec import SPEC_PATH

# PTB 22 warns that RetryAfter.retry_after becomes a timedelta; `seconds` handles both.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

AMINA: dict[str, Any] = {
    "id": 42,
    "first_name": "Amina",
    "username": "amina",
    "language_code": "fr",
}
KARIM: dict[str, Any] = {"id": 43, "first_name": "Karim"}
CARD_KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="o:17:cf:1")]])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url) as client:
        yield client


def seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def raw_call(fake: FakeTelegram, method: str, data: dict[str, Any]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.api_url}{fake.token}/{method}", data=data) as response,
    ):
        return response.status, await response.json()


# --- identity and routing ---------------------------------------------------------------------


async def test_get_me_names_the_bot_behind_the_token(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "hanout_test_bot", True)


async def test_unknown_token_and_unknown_method_are_refused(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.api_url):
            pass
    status, body = await raw_call(fake, "sendTelepathy", {})
    assert (status, body["description"]) == (404, "Not Found")


async def test_spec_rejects_a_call_missing_a_required_field(fake: FakeTelegram) -> None:
    chat_id = fake.add_private_chat(AMINA)
    status, body = await raw_call(fake, "sendMessage", {"chat_id": str(chat_id)})
    assert (status, body["ok"]) == (400, False)
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await raw_call(fake, "deleteMessage", {"chat_id": "42", "message_id": "x"})
    assert status == 400 and "message_id" in body["description"]
    assert fake.messages(chat_id) == []


async def test_without_the_spec_file_the_fallback_table_still_validates(tmp_path: Path) -> None:
    assert SPEC_PATH.name == "telegram-bot-api.json"
    async with FakeTelegram(spec_path=tmp_path / "absent.json") as fake:
        fake.add_private_chat(AMINA)
        status, body = await raw_call(fake, "sendMessage", {"chat_id": "42"})
        assert (status, body["description"]) == (400, "Bad Request: message text is empty")
        status, _ = await raw_call(fake, "sendMessage", {"chat_id": "42", "text": "ok"})
        assert status == 200


async def test_json_bodies_are_accepted_like_forms(fake: FakeTelegram) -> None:
    chat_id = fake.add_private_chat(AMINA)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.api_url}{fake.token}/sendMessage", json={"chat_id": chat_id, "text": "hi"}
        ) as response,
    ):
        assert response.status == 200
    assert [m.text for m in fake.messages(chat_id)] == ["hi"]


# --- receiving updates ------------------------------------------------------------------------


async def test_long_polling_application_answers_a_command(fake: FakeTelegram) -> None:
    chat_id = fake.add_private_chat(AMINA)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        token = html.escape(" ".join(context.args or []))
        await update.effective_message.reply_html(f"<b>Welcome</b> {token}")

    app = Application.builder().token(fake.token).base_url(fake.api_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await fake.send_update(fake.user_message(chat_id, AMINA, "/start <inv&1>"))
        await fake.wait_for(lambda f: len(f.bot_messages(chat_id)) == 1)
        await app.updater.stop()
        await app.stop()
    assert fake.calls("getUpdates", ok=True)
    reply = fake.bot_messages(chat_id)[0]
    assert reply.text == "Welcome <inv&1>"
    assert reply.entities == [{"offset": 0, "length": 7, "type": "bold"}]


async def test_get_updates_honours_offset_and_waits_for_new_updates(
    fake: FakeTelegram, bot: Bot
) -> None:
    chat_id = fake.add_private_chat(AMINA)
    first = await fake.send_update(fake.user_message(chat_id, AMINA, "one"))
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first["update_id"]]
    assert await bot.get_updates(offset=first["update_id"] + 1, timeout=0) == ()

    async def later() -> None:
        await asyncio.sleep(0.1)
        await fake.send_update(fake.user_message(chat_id, AMINA, "two"))

    task = asyncio.create_task(later())
    waited = await bot.get_updates(offset=first["update_id"] + 1, timeout=5)
    await task
    assert [u.message.text for u in waited if u.message] == ["two"]

    await fake.send_update(fake.user_message(chat_id, AMINA, "three"))
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    assert fake.pending_updates() == []  # unwanted kinds are dropped, as Telegram does


async def test_webhook_posts_updates_with_the_secret_header(fake: FakeTelegram) -> None:
    chat_id = fake.add_private_chat(AMINA)
    app = Application.builder().token(fake.token).base_url(fake.api_url).updater(None).build()
    seen: list[str] = []

    async def start(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        seen.append(update.effective_message.text or "" if update.effective_message else "")

    app.add_handler(CommandHandler("start", start))

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret_-X":
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/telegram", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    try:
        async with app:
            await app.start()
            await app.bot.set_webhook(hook_url, secret_token="s3cret_-X")
            assert (await app.bot.get_webhook_info()).url == hook_url
            with pytest.raises(Conflict):
                await app.bot.get_updates()
            update = fake.user_message(chat_id, AMINA, "/start")
            assert await fake.post_webhook(update, secret_token="wrong") == 403
            assert await fake.post_webhook(update, omit_secret=True) == 403
            assert await fake.post_webhook(update) == 200
            await fake.wait_for(lambda f: seen == ["/start"])
            assert "403" in ((await app.bot.get_webhook_info()).last_error_message or "")
            await app.stop()
    finally:
        await runner.cleanup()
    assert seen == ["/start"]


async def test_set_webhook_validates_the_secret(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://shop.example/telegram", secret_token="has space")
    with pytest.raises(BadRequest, match=r"(?i)https url"):
        await bot.set_webhook("http://shop.example/telegram")
    assert fake.webhook is None


# --- sending and formatting -----------------------------------------------------------------


async def test_html_message_is_stored_as_the_text_people_see(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)
    name = html.escape("Ali <3 & \"Co\" 'x'")
    sent = await bot.send_message(chat_id, f"<b>Order #17</b> for {name}", parse_mode="HTML")
    stored = fake.message(chat_id, sent.message_id)
    assert stored.text == sent.text == "Order #17 for Ali <3 & \"Co\" 'x'"
    assert stored.entities == [{"offset": 0, "length": 9, "type": "bold"}]
    assert stored.source == f"<b>Order #17</b> for {name}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Ali <3 you", 'unsupported start tag "3"'),
        ("Salim & sons", 'unescaped "&"'),
        ("<b>bold", "can't find end tag"),
        ("<b>x</i>", "unmatched end tag"),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<span>x</span>", "tg-spoiler"),
    ],
)
async def test_malformed_html_is_rejected(
    fake: FakeTelegram, bot: Bot, text: str, why: str
) -> None:
    chat_id = fake.add_private_chat(AMINA)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(chat_id, text, parse_mode="HTML")
    assert "can't parse entities" in caught.value.message.lower()
    assert why in caught.value.message.lower()
    assert fake.messages(chat_id) == []


async def test_length_is_counted_after_parsing(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)
    await bot.send_message(chat_id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(chat_id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(chat_id, "<b> </b>", parse_mode="HTML")


async def test_keyboard_limits(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)

    def keyboard(rows: list[list[str]]) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton("b", callback_data=data) for data in row] for row in rows]
        )

    await bot.send_message(chat_id, "ok", reply_markup=keyboard([["é" * 32]]))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(chat_id, "x", reply_markup=keyboard([["a" * 63 + "é"]]))
    with pytest.raises(BadRequest, match=r"(?i)REPLY_MARKUP_TOO_LONG"):
        await bot.send_message(chat_id, "x", reply_markup=keyboard([["a"] * 9]))
    with pytest.raises(BadRequest, match=r"(?i)REPLY_MARKUP_TOO_LONG"):
        await bot.send_message(chat_id, "x", reply_markup=keyboard([["a"] * 5] * 21))
    assert len(fake.messages(chat_id)) == 1


async def test_document_upload_is_stored_and_downloadable(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.add_group("Team", [KARIM], owner=AMINA)
    sent = await bot.send_document(group, b"number;total\n17;4500\n", filename="orders.csv")
    assert sent.document is not None and sent.document.file_name == "orders.csv"
    assert fake.file_bytes(sent.document.file_id) == b"number;total\n17;4500\n"
    photo = await bot.send_photo(group, b"\x89PNG fake", caption="<i>Red</i>", parse_mode="HTML")
    assert photo.caption == "Red" and fake.message(group, photo.message_id).photo
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"number;total\n17;4500\n"


async def test_bot_downloads_a_photo_a_person_sent(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)
    update = Update.de_json(fake.user_photo(chat_id, AMINA, b"JPEGDATA", "Red dress"), bot)
    assert update.message is not None and update.message.caption == "Red dress"
    file = await bot.get_file(update.message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"JPEGDATA"


# --- editing and buttons ----------------------------------------------------------------------


async def test_web_app_buttons_open_from_private_chats_only(fake: FakeTelegram, bot: Bot) -> None:
    desk = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Desk", web_app=WebAppInfo("https://shop.example/desk/s/"))]]
    )
    private = fake.add_private_chat(KARIM)
    sent = await bot.send_message(private, "Desk", reply_markup=desk)
    assert fake.message(private, sent.message_id).buttons[0]["web_app"]["url"].endswith("/s/")
    group = fake.add_group("Team", [KARIM])
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await bot.send_message(group, "Desk", reply_markup=desk)
    card = await bot.send_message(group, "#17", reply_markup=CARD_KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await bot.edit_message_reply_markup(group, card.message_id, reply_markup=desk)


async def test_edits_detect_identical_content_and_unknown_messages(
    fake: FakeTelegram, bot: Bot
) -> None:
    group = fake.add_group("Team", [KARIM])
    card = await bot.send_message(group, "<b>#17</b> pending", "HTML", reply_markup=CARD_KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified: specified new message"):
        await bot.edit_message_text(
            "<b>#17</b> pending",
            group,
            card.message_id,
            parse_mode="HTML",
            reply_markup=CARD_KEYBOARD,
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(group, card.message_id, reply_markup=CARD_KEYBOARD)
    await bot.edit_message_text("<b>#17</b> confirmed", group, card.message_id, parse_mode="HTML")
    stored = fake.message(group, card.message_id)
    assert (stored.text, stored.reply_markup) == ("#17 confirmed", None)
    assert stored.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", group, 999)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-1, "x")


async def test_press_is_answered_once_and_the_card_edited(fake: FakeTelegram) -> None:
    group = fake.add_group("Team", [KARIM])
    app = Application.builder().token(fake.token).base_url(fake.api_url).updater(None).build()

    async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.from_user is not None
        await query.answer(f"Confirmed by {query.from_user.first_name}")
        await query.edit_message_text("#17 confirmed")

    app.add_handler(CallbackQueryHandler(confirm, pattern=r"o:\d+:cf"))
    async with app:
        card = await app.bot.send_message(group, "#17 pending", reply_markup=CARD_KEYBOARD)
        update = fake.press(group, card.message_id, "o:17:cf:1", KARIM)
        await app.process_update(Update.de_json(update, app.bot))
        query = fake.query(update["callback_query"]["id"])
        assert query.answered and query.answer == {"text": "Confirmed by Karim"}
        assert fake.message(group, card.message_id).text == "#17 confirmed"
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await app.bot.answer_callback_query(query.id)
        with pytest.raises(LookupError):
            fake.press(group, card.message_id, "o:17:cf:1", KARIM)  # keyboard is gone


async def test_late_answer_is_too_old() -> None:
    clock = ManualClock()
    async with FakeTelegram(clock=clock) as fake:
        chat_id = fake.add_private_chat(AMINA)
        async with Bot(fake.token, base_url=fake.api_url) as bot:
            card = await bot.send_message(chat_id, "#17", reply_markup=CARD_KEYBOARD)
            query_id = fake.press(chat_id, card.message_id, "o:17:cf:1", AMINA)["callback_query"]
            clock.advance(15.5)
            with pytest.raises(BadRequest, match=r"(?i)query is too old"):
                await bot.answer_callback_query(query_id["id"])
            with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
                await bot.answer_callback_query(query_id["id"], text="x" * 201)


# --- failures a bot must survive --------------------------------------------------------------


async def test_injected_flood_error_raises_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)

    def to_amina(params: dict[str, Any]) -> bool:
        return bool(params["chat_id"] == chat_id)

    flood = "Too Many Requests: retry after 7"
    fake.inject("sendMessage", 429, flood, {"retry_after": 7}, match=to_amina)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id, "#17")
    assert seconds(caught.value) == 7
    await bot.send_message(chat_id, "#17")  # injected once only
    assert len(fake.messages(chat_id)) == 1 and fake.served_429 == 0


async def test_blocked_and_kicked_chats_are_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)
    group = fake.add_group("Team", [KARIM])
    stranger = fake.add_private_chat(KARIM, started=False)
    fake.block(chat_id)
    fake.kick(group)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(chat_id, "#17")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group, "#17")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger, "#17")
    fake.user_message(chat_id, AMINA, "/start")  # writing to the bot again unblocks it
    await bot.send_message(chat_id, "#17")


async def test_kick_reported_by_my_chat_member_update(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.add_group("Team", [KARIM], owner=AMINA)
    update = Update.de_json(fake.my_chat_member(group, "kicked", by=AMINA), bot)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden):
        await bot.send_message(group, "#17")
    fake.my_chat_member(group, "member", by=AMINA)
    joined = Update.de_json(fake.new_chat_members(group, [{"id": 44, "first_name": "Nour"}]), bot)
    assert joined.message is not None and joined.message.new_chat_members[0].first_name == "Nour"
    assert (await bot.get_chat_member(group, 44)).status == "member"
    await bot.send_message(group, "#17")


async def test_migrated_group_raises_chat_migrated(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.add_group("Team", [KARIM], owner=AMINA)
    new_id, service = fake.migration_updates(group)
    assert service[0]["message"]["migrate_to_chat_id"] == new_id
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group, "#17")
    assert caught.value.new_chat_id == new_id < -1_000_000_000_000
    await bot.send_message(new_id, "#17")
    assert (await bot.get_chat_member(new_id, KARIM["id"])).status == "member"


async def test_slow_and_broken_responses(fake: FakeTelegram, bot: Bot) -> None:
    chat_id = fake.add_private_chat(AMINA)
    fake.delay("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(chat_id, "#17", read_timeout=0.1)
    await fake.wait_for(lambda f: len(f.messages(chat_id)) == 1)  # delivered all the same
    fake.fail_with_status("sendMessage", 502)
    with pytest.raises(NetworkError):
        await bot.send_message(chat_id, "#18")
    assert [r.status for r in fake.calls("sendMessage")] == [200, 502]


# --- flood limits -------------------------------------------------------------------------


async def test_group_limit_is_twenty_messages_a_minute_edits_included() -> None:
    clock = ManualClock()
    async with FakeTelegram(enforce_limits=True, clock=clock) as fake:
        group = fake.add_group("Team", [KARIM])
        async with Bot(fake.token, base_url=fake.api_url) as bot:
            card = await bot.send_message(group, "#0")
            for number in range(1, 19):
                await bot.send_message(group, f"#{number}")
                clock.advance(1)
            await bot.edit_message_text("#0 confirmed", group, card.message_id)
            press = fake.press(group, card.message_id, "x", KARIM, check_button=False)
            await bot.answer_callback_query(press["callback_query"]["id"])  # not counted
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(group, "#21")
            assert fake.served_429 == 1
            assert 0 < seconds(caught.value) <= 60
            clock.advance(seconds(caught.value))
            await bot.send_message(group, "#21")
    assert len(fake.messages(group)) == 20


async def test_private_chat_allows_a_short_burst_then_one_a_second() -> None:
    clock = ManualClock()
    limits = FloodLimits(private_burst=3)
    async with FakeTelegram(enforce_limits=True, limits=limits, clock=clock) as fake:
        chat_id = fake.add_private_chat(AMINA)
        other = fake.add_private_chat(KARIM)
        async with Bot(fake.token, base_url=fake.api_url) as bot:
            for _ in range(3):
                await bot.send_message(chat_id, "#")
            with pytest.raises(RetryAfter):
                await bot.send_message(chat_id, "#")
            await bot.send_message(other, "#")  # budgets are per chat
            await bot.get_chat(chat_id)  # reads are free
            clock.advance(1)
            await bot.send_message(chat_id, "#")
        assert fake.served_429 == 1


# --- bot settings -----------------------------------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("orders", "Commandes")], language_code="fr")
    await bot.set_my_commands([("orders", "Orders"), ("stats", "Stats")])
    assert [c.description for c in await bot.get_my_commands(language_code="fr")] == ["Commandes"]
    assert [c["command"] for c in fake.commands()] == ["orders", "stats"]
    await bot.delete_my_commands(language_code="fr")
    assert await bot.get_my_commands(language_code="fr") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Orders", "bad")])
