"""A busy team group (issue 11, point 6): two agents each logging a call every 10 s while
an order arrives every minute, the fake Bot API enforcing Telegram's limits (20 messages a
minute per group, edits included), Hanout running as `hanout run`.

An agent's call is the shortest path the card offers to the outcome: one tap when the
outcome is on the card, else "📞 Call outcome ▸" first, then the outcome once the menu shows.
Outcomes cycle through no answer, busy, unreachable and wrong number, so every order stays
pending and there is always a card to call. Each agent works on its own cards (even and odd
order numbers), as two people sharing a queue would.

Measured for every press: press → `answerCallbackQuery`, and press → the group card edited
(the menu shown, or the outcome shown). Agents press on a fixed schedule: a call still
waiting for the card when its next turn comes skips that turn (counted), as a person would.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import db, load
from bench.telegram import (
    EDITS,
    NUMBER,
    OWNER,
    _post,
    _say,
    _start,
    _wait_first,
    percentiles,
)
from tests.fakes.telegram_api import FakeTelegram, RecordedRequest

AGENTS = (
    {"id": 2101, "first_name": "Yacine"},
    {"id": 2102, "first_name": "Lina"},
)
OUTCOMES = ("na", "bz", "na", "ur", "na", "wn")
MENU = "cm"
# Orders waiting when the agents start (placed a second apart: cards, not a digest).
BACKLOG = 4
# A person reads the menu before choosing.
READ = 0.5
# Telegram takes a press's answer for this long; the fake as well.
QUERY_TTL = 15.0
# The longest a press's edit is waited for; past it the press counts as never edited.
GIVE_UP = 60.0


@dataclass
class Figures:
    answer_ms: dict[str, list[float]] = field(default_factory=lambda: {"menu": [], "outcome": []})
    edit_ms: dict[str, list[float]] = field(default_factory=lambda: {"menu": [], "outcome": []})
    calls: int = 0
    skipped_turns: int = 0
    gave_up: int = 0
    unanswered: int = 0
    cards_never_shown: int = 0
    order_to_card_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        every = [ms for values in self.edit_ms.values() for ms in values]
        return {
            "calls": self.calls,
            "skipped_turns": self.skipped_turns,
            "presses_never_edited": self.gave_up,
            "presses_unanswered": self.unanswered,
            "press_to_edit_ms": percentiles(every),
            "press_to_edit_ms_by_step": {k: percentiles(v) for k, v in self.edit_ms.items()},
            "press_to_answer_ms_by_step": {k: percentiles(v) for k, v in self.answer_ms.items()},
            "order_to_card_ms": percentiles(self.order_to_card_ms),
            "cards_never_shown": self.cards_never_shown,
        }


def _cards(fake: FakeTelegram, group: int) -> dict[int, int]:
    """Order number → message id of its live card (the latest one with buttons)."""
    found: dict[int, int] = {}
    for message in fake.bot_messages(group):
        kinds = {d.split(":", 1)[0] for d in message.callback_data}
        head = NUMBER.search((message.text or "").split("\n", 1)[0])
        if "o" in kinds and head and not head.group(2):
            found[int(head.group(1))] = message.message_id
    return found


def _button(fake: FakeTelegram, group: int, message_id: int, action: str) -> str | None:
    return next(
        (d for d in fake.message(group, message_id).callback_data if f":{action}:" in d), None
    )


async def _press(
    fake: FakeTelegram, group: int, message_id: int, data: str, agent: dict[str, Any]
) -> tuple[float | None, float | None]:
    """ms from the press to the first edit of the card after it, and to the press's answer;
    None for what did not come within GIVE_UP seconds (or an answer Telegram refused)."""
    update = fake.press(group, message_id, data, agent)
    query = update["callback_query"]["id"]
    since = len(fake.requests)
    pressed = time.time()
    await fake.send_update(update)
    try:
        edit = await _wait_first(
            fake,
            EDITS,
            since,
            lambda r: (
                str(r.params.get("chat_id")) == str(group)
                and r.params.get("message_id") == message_id
            ),
            GIVE_UP,
        )
    except TimeoutError:
        edit = None
    try:  # a menu is answered once it shows, an outcome before its card is edited
        answer: RecordedRequest | None = await _wait_first(
            fake,
            ("answerCallbackQuery",),
            since,
            lambda r: str(r.params.get("callback_query_id")) == query,
            QUERY_TTL,
        )
    except TimeoutError:
        answer = None
    return (
        None if edit is None else 1000 * (edit.at - pressed),
        None if answer is None else 1000 * (answer.at - pressed),
    )


def _count(f: Figures, step: str, edited: float | None, answered: float | None) -> bool:
    """Record one press; False when its card was never edited (given up on)."""
    # A press given up on counts as GIVE_UP in the percentiles: the tail is at least that.
    f.edit_ms[step].append(1000 * GIVE_UP if edited is None else edited)
    if answered is None:
        f.unanswered += 1
    else:
        f.answer_ms[step].append(answered)
    if edited is None:
        f.gave_up += 1
    return edited is not None


async def _call(
    fake: FakeTelegram, group: int, agent: dict[str, Any], number: int, outcome: str, f: Figures
) -> None:
    message_id = _cards(fake, group)[number]
    data = _button(fake, group, message_id, outcome)
    if data is None:  # behind the call menu
        menu = _button(fake, group, message_id, MENU)
        if menu is None:
            raise RuntimeError(f"#{number}: neither {outcome} nor the call menu on the card")
        if not _count(f, "menu", *await _press(fake, group, message_id, menu, agent)):
            return
        await asyncio.sleep(READ)
        data = _button(fake, group, message_id, outcome)
        if data is None:
            raise RuntimeError(f"#{number}: the call menu has no {outcome}")
    if _count(f, "outcome", *await _press(fake, group, message_id, data, agent)):
        f.calls += 1


async def _agent(
    fake: FakeTelegram,
    group: int,
    n: int,
    start: float,
    seconds: float,
    every: float,
    f: Figures,
) -> None:
    agent, turn = AGENTS[n], 0
    first = start + n * every / len(AGENTS)  # the agents take turns, not the same second
    while True:
        at = first + turn * every
        if at - start >= seconds:
            return
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        mine = sorted(
            number
            for number, message_id in _cards(fake, group).items()
            if number % len(AGENTS) == n and _button(fake, group, message_id, MENU)
        )  # its own orders still to call (a card whose order ended keeps only 🕓 Timeline)
        if mine:
            number = mine[turn % len(mine)]
            await _call(fake, group, agent, number, OUTCOMES[turn % len(OUTCOMES)], f)
        done = time.monotonic()
        late = int((done - first) // every) + 1  # the next turn not yet passed
        f.skipped_turns += max(0, late - turn - 1)
        turn = max(turn + 1, late)


async def _orders(
    fake: FakeTelegram,
    session: aiohttp.ClientSession,
    form: load.CheckoutForm,
    group: int,
    start: float,
    seconds: float,
    every: float,
    f: Figures,
) -> None:
    """An order every `every` seconds; order → its card in the group (placed → sendMessage)."""
    i = 0
    waits = []
    while (at := start + i * every) - start < seconds:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        placed = time.time()
        number = await _post(session, form, f"0550{i:06d}")
        waits.append(asyncio.create_task(_card_shown(fake, group, number, placed, f)))
        i += 1
    await asyncio.gather(*waits)


async def _card_shown(
    fake: FakeTelegram, group: int, number: int, placed: float, f: Figures
) -> None:
    """Records order → its card's sendMessage (GIVE_UP, counted, when it never came)."""
    deadline = time.monotonic() + GIVE_UP
    while number not in _cards(fake, group):
        if time.monotonic() > deadline:
            f.cards_never_shown += 1
            f.order_to_card_ms.append(1000 * GIVE_UP)
            return
        await asyncio.sleep(0.005)
    request = next(
        r
        for r in fake.calls("sendMessage", ok=True)
        if str(r.params.get("chat_id")) == str(group)
        and r.result["message_id"] == _cards(fake, group)[number]
    )
    f.order_to_card_ms.append(1000 * (request.at - placed))


async def busy_group(
    folder: Path, seconds: float, call_every: float = 10.0, order_every: float = 60.0
) -> dict[str, Any]:
    url = await db.fresh("sqlite", folder, "desk")
    shop = (await db.seed(url))[0]
    f = Figures()
    async with FakeTelegram(enforce_limits=True) as fake:
        server = await _start(url, fake, folder, "hanout-desk")
        try:
            group = fake.add_group("Équipe", members=[OWNER, *AGENTS])
            await _say(fake, group, OWNER, f"/start@hanout_test_bot {shop.group_invite}")
            form = await load.checkout_form(server.url, shop.slug, shop.product)
            async with aiohttp.ClientSession() as session:
                for i in range(BACKLOG):
                    await _post(session, form, f"0551{i:06d}")
                    await asyncio.sleep(1.0)
                await fake.wait_for(lambda fk: len(_cards(fk, group)) >= BACKLOG, timeout=60)
                start = time.monotonic()
                await asyncio.gather(
                    _orders(fake, session, form, group, start, seconds, order_every, f),
                    *(
                        _agent(fake, group, n, start, seconds, call_every, f)
                        for n in range(len(AGENTS))
                    ),
                )
            group_messages = sum(
                1
                for r in fake.requests
                if r.ok
                and r.method in ("sendMessage", *EDITS)
                and str(r.params.get("chat_id")) == str(group)
            )
        finally:
            await server.stop()
    return {
        "seconds": seconds,
        "agents": len(AGENTS),
        "call_every_s": call_every,
        "order_every_s": order_every,
        **f.summary(),
        "group_messages": group_messages,
        "served_429": fake.served_429,
    }
