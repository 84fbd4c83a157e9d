"""A burst of 300 checkouts in 10 seconds against a fake Telegram that enforces the flood
limits: every order reaches the team group and the owner (its own card or a digest naming
it), none twice, and Telegram never answers 429."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.limits import GROUP_NEWS, GROUP_RATE, GROUP_RESERVE, FloodBudget, counted
from models.orders import intake
from models.orders.tables import Order
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_limits import ManualClock

ORDERS, SECONDS = 300, 10.0
NUMBER = re.compile(r"#(\d+)(?:–#(\d+))?")


async def checkouts(shop: Shop) -> list[int]:
    """ORDERS orders from distinct phones, spread evenly over SECONDS."""
    loop = asyncio.get_running_loop()
    start, numbers = loop.time(), []
    for i in range(ORDERS):
        await asyncio.sleep(max(0.0, start + i * SECONDS / ORDERS - loop.time()))
        request = checkout(shop.variants[i % 2].id, 1 + i % 3, phone=f"055{i:07d}")
        placed = await intake.place_order(shop.store, request)
        assert placed.created
        numbers.append(placed.order.number)
    return numbers


def shown_numbers(desk: Desk, chat: int) -> Counter[int]:
    """How often each order is shown in the chat: as a card, or inside a digest's ranges."""
    seen: Counter[int] = Counter()
    for message in desk.fake.bot_messages(chat):
        kinds = {d.split(":", 1)[0] for d in message.callback_data}
        if "o" in kinds:  # a card: its number heads the first line
            seen[int(NUMBER.search(message.text.split("\n", 1)[0]).group(1))] += 1  # type: ignore[union-attr]
        elif "dg" in kinds:
            for first, last in NUMBER.findall(message.text.split("\n", 1)[0]):
                seen.update(range(int(first), int(last or first) + 1))
    return seen


async def work_during_the_burst(desk: Desk, group: int) -> int:
    """The team keeps working while orders pour in: the first card's call menu opens and a
    call is logged (menu edit, answers, card edits all within the same budgets)."""
    await desk.fake.wait_for(lambda f: any(m.callback_data for m in f.bot_messages(group)), 10)
    await asyncio.sleep(2.0)  # well into the burst
    first = next(m for m in desk.fake.bot_messages(group) if m.callback_data)
    number = int(NUMBER.search(first.text).group(1))  # type: ignore[union-attr]
    menu = next(d for d in first.callback_data if ":cm:" in d)
    await desk.press(group, first.message_id, menu, AGENT)
    shown = desk.fake.message(group, first.message_id)
    no_answer = next(d for d in shown.callback_data if ":na:" in d)
    await desk.press(group, first.message_id, no_answer, AGENT)
    return number


async def reached(desk: Desk, chat: int, numbers: list[int], start: float) -> float:
    """Seconds from the first checkout until every order showed in the chat."""
    while not set(numbers) <= set(shown_numbers(desk, chat)):
        assert time.monotonic() - start < 120, "orders still missing after two minutes"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_300_checkouts_in_10_seconds_reach_every_chat_without_a_429(db: str) -> None:
    shop = await make_shop(stock=1000)
    async with running_desk(enforce_limits=True) as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        start = time.monotonic()
        placing = asyncio.create_task(checkouts(shop))
        pressed = await work_during_the_burst(desk, group)
        numbers = await placing
        placed_in = time.monotonic() - start
        to_group, to_owner = await asyncio.gather(
            reached(desk, group, numbers, start), reached(desk, owner_chat, numbers, start)
        )
        await desk.settle(timeout=120)

        assert len(set(numbers)) == ORDERS
        assert desk.fake.served_429 == 0
        for chat in (group, owner_chat):
            shown = shown_numbers(desk, chat)
            assert set(shown) == set(numbers)
            assert max(shown.values()) == 1, "an order was shown twice"
        group_messages = desk.fake.bot_messages(group)
        digests = [m for m in group_messages if any(d.startswith("dg:") for d in m.callback_data)]
        print(
            f"\nburst: {ORDERS} orders placed in {placed_in:.1f}s; all in the group after "
            f"{to_group:.1f}s, in the owner's chat after {to_owner:.1f}s; group messages "
            f"{len(group_messages)} ({len(digests)} digests); "
            f"owner messages {len(desk.fake.bot_messages(owner_chat))}; "
            f"429 served: {desk.fake.served_429}"
        )
        called = await Order.get(store_id=shop.store.id, number=pressed)
        assert called.call_attempts == 1
        assert "☎️" in desk.card(group, pressed).text


# --- the budget itself ----------------------------------------------------------------------

GROUP, PRIVATE = -4001, 1001


def test_every_message_telegram_counts_goes_through_the_budget() -> None:
    for endpoint in ("sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"):
        assert counted(endpoint)
    for endpoint in ("answerCallbackQuery", "deleteMessage", "getUpdates", "sendChatAction"):
        assert not counted(endpoint)


def test_a_group_paces_new_orders_and_keeps_room_for_presses() -> None:
    clock = ManualClock()
    budget = FloodBudget(clock)
    burst, every = GROUP_NEWS
    for _sent in range(burst):
        assert budget.room_for_news(GROUP) >= 1
        budget.took_news(GROUP)
        budget._try_take(GROUP)
    assert budget.room_for_news(GROUP) == 0 and budget.news_pace(GROUP) == 0
    assert budget.room_for_edits(GROUP) == GROUP_RATE - burst  # results first (MENU_SPARE)
    clock.advance(every)
    assert budget.room_for_news(GROUP) == 1
    for _sent in range(GROUP_RATE - burst - GROUP_RESERVE):
        budget._try_take(GROUP)
    assert budget.room_for_news(GROUP) == 0  # the reserve is for the team
    assert budget.available(GROUP) == GROUP_RESERVE


async def test_a_chat_waiting_for_its_minute_never_holds_up_another() -> None:
    budget = FloodBudget()
    for _sent in range(GROUP_RATE):
        budget._try_take(GROUP)
    waiting = asyncio.create_task(budget._acquire(GROUP))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(budget._acquire(PRIVATE), timeout=0.5)
    assert not waiting.done()
    waiting.cancel()


async def test_a_flood_wait_pauses_the_chat_and_retries_unless_told_not_to() -> None:
    budget = FloodBudget()
    tries: list[float] = []

    async def call() -> bool:
        tries.append(time.monotonic())
        if len(tries) == 1:
            raise RetryAfter(timedelta(seconds=1))
        return True

    data = {"chat_id": PRIVATE}
    assert await budget.process_request(call, (), {}, "sendMessage", data, None) is True
    assert len(tries) == 2 and tries[1] - tries[0] >= 1.0
    tries.clear()
    with pytest.raises(RetryAfter):
        await budget.process_request(call, (), {}, "sendMessage", data, {"retries": 0})
    assert len(tries) == 1 and budget.available(PRIVATE) == 0
    assert budget.available(GROUP) > 0  # only that chat waits
