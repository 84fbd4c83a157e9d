"""Presses stay quick in a busy group (issue 11 §6): the card edits a press produces come
before the sub-menus presses open, and the usual call outcomes cost one message of the
group's budget. Order of operations and budget use only: no timings."""

from __future__ import annotations

import asyncio

from bot.limits import (
    GROUP_RATE,
    GROUP_RESERVE,
    MENU,
    MENU_SPARE,
    OVERDUE_RESERVE,
    FloodBudget,
)
from models.orders import intake
from models.orders.tables import Order
from tests.bot.harness import AGENT, OWNER, running_desk
from tests.factories import checkout, make_shop
from tests.fakes.telegram_limits import LIMITED_METHODS, ManualClock

GROUP, PRIVATE = -4001, 1001
WINDOW = 61.0  # bot.limits.GROUP_WINDOW, a little over Telegram's minute


def spend(budget: FloodBudget, chat: int, count: int) -> None:
    for _sent in range(count):
        assert budget._try_take(chat) == 0.0


def test_results_may_take_the_room_a_menu_must_leave() -> None:
    clock = ManualClock()
    budget = FloodBudget(clock)
    spend(budget, GROUP, GROUP_RATE - MENU_SPARE)
    assert budget.room_for_edits(GROUP) == MENU_SPARE
    assert budget.room_for_menus(GROUP) == 0
    menu_spare = budget._spare(GROUP, MENU)
    assert budget._try_take(GROUP, menu_spare) > 0  # the menu waits, nothing taken
    assert budget.available(GROUP) == MENU_SPARE
    spend(budget, GROUP, MENU_SPARE)  # the results still go, to the last message
    assert budget.available(GROUP) == 0
    clock.advance(WINDOW)
    assert budget.room_for_menus(GROUP) == GROUP_RATE - MENU_SPARE
    assert budget._try_take(GROUP, menu_spare) == 0.0


def test_results_then_overdue_orders_then_menus_then_fresh_orders() -> None:
    """Each kind of message leaves more of the group's room to the ones before it."""
    budget = FloodBudget(ManualClock())
    leave = {
        "result": 0,
        "overdue order": OVERDUE_RESERVE,
        "menu": MENU_SPARE,
        "fresh order": GROUP_RESERVE,
    }
    assert list(leave.values()) == sorted(set(leave.values()))
    spend(budget, GROUP, GROUP_RATE - GROUP_RESERVE)
    assert budget.room_for_news(GROUP) == 0
    assert budget.room_for_menus(GROUP) == GROUP_RESERVE - MENU_SPARE
    assert budget.room_for_news(GROUP, overdue=True) == GROUP_RESERVE - OVERDUE_RESERVE
    assert budget.room_for_edits(GROUP) == GROUP_RESERVE


def test_a_private_chat_has_no_menu_spare() -> None:
    budget = FloodBudget(ManualClock())
    assert budget._spare(PRIVATE, MENU) == 0 and budget._spare(GROUP, None) == 0
    assert budget.room_for_menus(PRIVATE) == budget.room_for_edits(PRIVATE) == 1


async def test_a_waiting_menu_lets_the_results_behind_it_go_first() -> None:
    clock = ManualClock()
    budget = FloodBudget(clock)
    spend(budget, GROUP, GROUP_RATE - MENU_SPARE)
    done: list[str] = []

    def call(name: str) -> object:
        async def send() -> bool:
            done.append(name)
            return True

        return send

    data = {"chat_id": GROUP}
    menu = asyncio.create_task(
        budget.process_request(call("menu"), (), {}, "editMessageReplyMarkup", data, MENU)
    )
    await asyncio.sleep(0.05)
    for n in range(MENU_SPARE):
        await budget.process_request(call(f"result {n}"), (), {}, "editMessageText", data, None)
    assert done == ["result 0", "result 1"] and not menu.done()
    clock.advance(WINDOW)  # the window moves on: the menu goes at its next look
    await asyncio.wait_for(menu, timeout=5)
    assert done == ["result 0", "result 1", "menu"]


async def test_a_call_logged_from_the_card_costs_the_group_one_message(db: str) -> None:
    shop = await make_shop(stock=5)
    async with running_desk(enforce_limits=True) as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
        number = placed.order.number
        await desk.settle()
        card = desk.card(group, number)

        def group_messages() -> int:
            return sum(
                1
                for r in desk.fake.requests
                if r.ok
                and r.method in LIMITED_METHODS
                and str(r.params.get("chat_id")) == str(group)
            )

        before = group_messages()
        for action in ("na", "bz"):
            card = desk.card(group, number)
            data = next(d for d in card.callback_data if f":{action}:" in d)
            await desk.press(group, card.message_id, data, AGENT)
            await desk.settle()
        order = await Order.get(id=placed.order.id)
        assert order.call_attempts == 2 and order.last_call_outcome == "busy"
        assert group_messages() - before == 2  # one edit per call, no menu
        assert desk.fake.served_429 == 0


async def test_a_menu_the_group_has_no_room_for_follows_the_results(db: str) -> None:
    """The group's budget down to what results keep: "Call outcome ▸" is answered at once
    and its menu waits, a "No answer" pressed meanwhile edits the card, and the menu of the
    card that moved on is dropped; a menu on an unchanged card shows once there is room."""
    shop = await make_shop(stock=5)
    async with running_desk() as desk:
        clock = ManualClock()
        budget = desk.runtime.budget
        budget.clock = clock
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        first = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
        second = await intake.place_order(
            shop.store, checkout(shop.variants[0].id, 1, phone="0661223344")
        )
        await desk.settle()
        while budget.room_for_menus(group) > 0:
            budget._try_take(group)

        def markup_edits() -> list[int]:
            return [
                int(r.params["message_id"])
                for r in desk.fake.requests
                if r.method == "editMessageReplyMarkup" and r.ok
            ]

        cards = [desk.card(group, o.order.number) for o in (first, second)]
        for card in cards:
            menu = next(d for d in card.callback_data if ":cm:" in d)
            query = await desk.press(group, card.message_id, menu, AGENT)
            answer = desk.fake.query(query).answer or {}
            assert "limite de messages" in str(answer.get("text"))
        assert markup_edits() == []  # both menus wait

        no_answer = next(d for d in cards[0].callback_data if ":na:" in d)
        await desk.press(group, cards[0].message_id, no_answer, AGENT)
        await desk.settle()
        called = await Order.get(id=first.order.id)
        result = desk.card(group, first.order.number)
        assert called.call_attempts == 1
        assert any(d.endswith(f":na:{called.version}") for d in result.callback_data)  # edited
        assert markup_edits() == []  # the result went before either menu

        clock.advance(WINDOW)
        await desk.fake.wait_for(lambda f: markup_edits() == [cards[1].message_id], timeout=10)
        shown = desk.fake.message(group, cards[1].message_id)
        assert any(":wn:" in d for d in shown.callback_data)  # the call menu
        # The first card moved on: it keeps its own buttons, no stale menu over them.
        await desk.say(group, OWNER, "/help")  # one more round trip through the bot
        assert markup_edits() == [cards[1].message_id]
        assert any(":na:" in d for d in desk.card(group, first.order.number).callback_data)
