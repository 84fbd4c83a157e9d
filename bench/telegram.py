"""Telegram benchmarks against the fake Bot API of the test suite (tests/fakes), served by
this process on 127.0.0.1, with Hanout running as `hanout run` in its own process:

- order → card: from the order's row (its `created_at`, written inside the checkout's
  transaction, so a little before the commit) to the `sendMessage` of its card reaching
  the fake; then a button press (the call menu, then "no answer", each 0.3 s after the
  previous step, as a person reads first) → `answerCallbackQuery` and → the card edited.
  Every order goes to a different store's team group, so no group comes near its flood
  budget and nothing waits for one. The baseline is the bare bot of bench.server.
- burst: N checkouts spread over S seconds into one store (a team group and the owner's
  chat) with the fake enforcing Telegram's limits: time until every order shows in each
  chat (its own card or a digest naming it), and the 429s the fake served.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import db, load, procs
from bench.web import PREFIXES, SECRET_KEY
from tests.fakes.telegram_api import FakeTelegram, RecordedRequest

NUMBER = re.compile(r"#(\d+)(?:–#(\d+))?")
THANKS = re.compile(r"/merci/(\d+)/")
OWNER = {"id": 1001, "first_name": "Nadia", "last_name": "Owner"}
AGENT = {"id": 2002, "first_name": "Yacine"}
EDITS = ("editMessageText", "editMessageReplyMarkup")
# Between a card and a press, and between two presses: people read before they press.
PAUSE = 0.3
LOAD_RUN = 10  # s, one wrk run of the checkout load (30 runs at most: one phone prefix each)
CARD_WITHIN = 5.0  # under the checkout load, an order whose card takes longer is counted


def _env(url: str, fake: FakeTelegram) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "TELEGRAM_MODE": "polling",
        "LOG_LEVEL": "INFO",
    }


def percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)

    return {
        "n": len(values),
        "p50": round(statistics.median(ordered), 1),
        "p90": at(90),
        "p99": at(99),
        "max": round(ordered[-1], 1),
    }


async def _say(fake: FakeTelegram, chat: int, user: dict[str, Any], text: str) -> None:
    """A person writes; returns once the bot has answered in that chat."""
    before = len(fake.bot_messages(chat))
    await fake.send_update(fake.user_message(chat, user, text))
    await fake.wait_for(lambda f: len(f.bot_messages(chat)) > before, timeout=30)


async def _start(url: str, fake: FakeTelegram, folder: Path, name: str) -> procs.Process:
    port = procs.free_port()
    server = procs.spawn(name, procs.app_argv("run"), _env(url, fake), port, folder)
    await server.wait_ready()
    await fake.wait_for(lambda f: bool(f.calls("getUpdates")), timeout=30)
    return server


def _first(
    fake: FakeTelegram, methods: tuple[str, ...], since: int, match: Any
) -> RecordedRequest | None:
    for request in fake.requests[since:]:
        if request.method in methods and request.ok and match(request):
            return request
    return None


async def _wait_first(
    fake: FakeTelegram, methods: tuple[str, ...], since: int, match: Any, within: float = 30
) -> RecordedRequest:
    """The first call of `methods` after request number `since` that `match`es, polled every
    millisecond (its time is the fake's record, not when this loop saw it)."""
    deadline = time.monotonic() + within
    while (found := _first(fake, methods, since, match)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {methods} after {within}s")
        await asyncio.sleep(0.001)
    return found


def _is_card(fake: FakeTelegram, request: RecordedRequest, chat: int, number: int) -> bool:
    """Whether a sendMessage put the card of order `number` in `chat`."""
    if str(request.params.get("chat_id")) != str(chat):
        return False
    message = fake.message(chat, request.result["message_id"])
    found = NUMBER.search((message.text or "").split("\n", 1)[0])
    return found is not None and int(found.group(1)) == number and not found.group(2)


async def _press(
    fake: FakeTelegram, chat: int, message_id: int, marker: str, user: dict[str, Any]
) -> tuple[float, float]:
    """Press the card's button whose data holds `marker`: ms to the answer, to the edit."""
    data = next(d for d in fake.message(chat, message_id).callback_data if marker in d)
    update = fake.press(chat, message_id, data, user)
    query = update["callback_query"]["id"]
    since = len(fake.requests)
    pressed = time.time()
    await fake.send_update(update)
    answer = await _wait_first(
        fake,
        ("answerCallbackQuery",),
        since,
        lambda r: str(r.params.get("callback_query_id")) == query,
    )
    edit = await _wait_first(
        fake,
        EDITS,
        since,
        lambda r: (
            str(r.params.get("chat_id")) == str(chat) and r.params.get("message_id") == message_id
        ),
    )
    return 1000 * (answer.at - pressed), 1000 * (edit.at - pressed)


@dataclass
class Desk:
    """Where the orders of one measurement go: a checkout form and its team group."""

    form: load.CheckoutForm
    group: int
    member: dict[str, Any]


@dataclass
class Timings:
    cards: list[tuple[int, int, float, str]] = field(default_factory=list)  # desk, number, at, text
    answers: dict[str, list[float]] = field(default_factory=lambda: {"menu": [], "outcome": []})
    edits: dict[str, list[float]] = field(default_factory=lambda: {"menu": [], "outcome": []})
    missing: int = 0  # orders whose card did not come within the wait
    missing_presses: int = 0  # presses not answered or not edited within 30 s

    def presses(self) -> dict[str, Any]:
        return {
            "press_to_answer_ms": {k: percentiles(v) for k, v in self.answers.items()},
            "press_to_edit_ms": {k: percentiles(v) for k, v in self.edits.items()},
        }


async def _measure(
    fake: FakeTelegram,
    desks: list[Desk],
    orders: int,
    phones: str = "0770",
    card_within: float = 30,
) -> Timings:
    """One order at a time, each to the next desk: the card, then two presses on it."""
    timings = Timings()
    async with aiohttp.ClientSession() as session:
        for i in range(orders):
            n = i % len(desks)
            desk = desks[n]
            since = len(fake.requests)
            number = await _post(session, desk.form, f"{phones}{i:06d}")
            try:
                card = await _wait_first(
                    fake,
                    ("sendMessage",),
                    since,
                    lambda r, g=desk.group, num=number: _is_card(fake, r, g, num),
                    within=card_within,
                )
            except TimeoutError:
                timings.missing += 1  # no card within `card_within` s: counted, not pressed
                continue
            message_id = card.result["message_id"]
            text = fake.message(desk.group, message_id).text or ""
            timings.cards.append((n, number, card.at, text))
            for step, marker in (("menu", ":cm:"), ("outcome", ":na:")):
                await asyncio.sleep(PAUSE)  # a person reads before pressing
                answered, edited = await _press(fake, desk.group, message_id, marker, desk.member)
                timings.answers[step].append(answered)
                timings.edits[step].append(edited)
            await asyncio.sleep(PAUSE)
    return timings


async def latency(
    folder: Path,
    orders: int,
    stores: int,
    load_config: Any = None,
    kinds: tuple[str, ...] = ("sqlite",),
) -> dict[str, Any]:
    """Hanout (`hanout run`, on each database of `kinds`) beside the bare bot, on the same
    fake; then, given a `load_config` (bench.web.Config), Hanout again while wrk runs the
    checkout load on another store of the same process (issue 14 §6). The first database's
    figures are under "hanout", PostgreSQL's (when it is not the first) "hanout_postgres"."""
    result: dict[str, Any] = {"orders": orders, "stores": stores}
    for n, kind in enumerate(kinds):
        key = "hanout" if n == 0 else f"hanout_{kind}"
        result[key] = await _hanout_latency(folder, orders, stores, load_config, kind)
        result[key]["database"] = kind
    result["bare"] = await _bare_latency(folder, orders)
    return result


async def _hanout_latency(
    folder: Path, orders: int, stores: int, load_config: Any = None, kind: str = "sqlite"
) -> dict[str, Any]:
    url = await db.fresh(kind, folder, "telegram")
    *shops, busy = await db.seed(url, stores + 1)  # the last one takes the checkout load
    async with FakeTelegram() as fake:
        server = await _start(url, fake, folder, "hanout-telegram")
        try:
            desks = []
            for n, shop in enumerate(shops):
                member = {"id": 3000 + n, "first_name": f"Agent {n}"}
                group = fake.add_group(f"Équipe {n}", members=[member])
                await _say(fake, group, member, f"/start@hanout_test_bot {shop.group_invite}")
                form = await load.checkout_form(server.url, shop.slug, shop.product)
                desks.append(Desk(form, group, member))
            await asyncio.sleep(3)
            idle = server.memory_mb()
            timings = await _measure(fake, desks, orders)
            served_429 = fake.served_429
            loaded: Timings | None = None
            if load_config is not None:
                form = await load.checkout_form(server.url, busy.slug, busy.product)
                loaded, runs = await _under_load(fake, desks, orders, form, load_config, timings)
        finally:
            await server.stop()
    created = await db.created(url)
    slugs = [shop.slug for shop in shops]

    def to_card(t: Timings) -> list[float]:
        return [1000 * (at - created[(slugs[n], num)]) for n, num, at, _ in t.cards]

    result = {
        "order_to_card_ms": percentiles(to_card(timings)),
        **timings.presses(),
        "served_429": served_429,
        "memory_mb_idle_with_bot": idle,
    }
    if loaded is not None:
        done = sum(r.count(303) for r in runs)
        seconds = sum(r.seconds for r in runs)
        refused = {str(c): n for r in runs for c, n in r.statuses.items() if not 300 <= c < 400}
        result["under_checkout_load"] = {
            "order_to_card_ms": percentiles(to_card(loaded)),
            "orders": orders,
            "cards_not_within_s": {"s": CARD_WITHIN, "orders": loaded.missing},
            "presses_not_done_within_30_s": loaded.missing_presses,
            **loaded.presses(),
            "checkout": {
                "connections": load_config.connections,
                "orders_per_s": round(done / seconds, 1) if seconds else None,
                "p99_ms_per_run": [r.latency_ms.get("p99") for r in runs],
                "non_3xx": refused,
            },
        }
    return result


async def _press_again(fake: FakeTelegram, desks: list[Desk], idle: Timings, into: Timings) -> None:
    """Press the call menu and "no answer" again on the cards the idle run showed (the
    load's cards may never come): press → answer and → card edited, into `into`."""
    for n, _number, _at, _text in idle.cards:
        desk = desks[n]
        sent = [r for r in fake.requests if r.method == "sendMessage" and r.ok]
        card = next((r for r in sent if _is_card(fake, r, desk.group, _number)), None)
        if card is None:
            continue
        message_id = card.result["message_id"]
        for step, marker in (("menu", ":cm:"), ("outcome", ":na:")):
            if not any(marker in d for d in fake.message(desk.group, message_id).callback_data):
                continue
            await asyncio.sleep(PAUSE)
            try:
                answered, edited = await _press(fake, desk.group, message_id, marker, desk.member)
            except TimeoutError:  # not answered or not edited within 30 s: counted
                into.missing_presses += 1
                break
            into.answers[step].append(answered)
            into.edits[step].append(edited)


async def _under_load(
    fake: FakeTelegram,
    desks: list[Desk],
    orders: int,
    form: load.CheckoutForm,
    config: Any,
    idle: Timings,
) -> tuple[Timings, list[load.Run]]:
    """The same measurement while wrk posts checkouts into another store of the same
    process (its connections and threads; runs of LOAD_RUN s back to back, each with its
    own phones, until the measurement ends)."""
    runs: list[load.Run] = []
    stop = asyncio.Event()

    async def checkouts() -> None:
        prefixes = iter(PREFIXES)  # another store than the measured orders'
        while not stop.is_set() and (prefix := next(prefixes, None)) is not None:
            args = (config.connections, config.threads, "POST", form.body, form.cookie)
            runs.append(await load.wrk("load", form.url, LOAD_RUN, *args, prefix))

    loader = asyncio.ensure_future(checkouts())
    try:
        await asyncio.sleep(2)  # the load settles first
        timings = await _measure(fake, desks, orders, phones="0771", card_within=CARD_WITHIN)
        await _press_again(fake, desks, idle, timings)
    finally:
        stop.set()
        await loader  # the current run ends within LOAD_RUN s
    return timings, runs


async def _bare_latency(folder: Path, orders: int) -> dict[str, Any]:
    async with FakeTelegram() as fake:
        member = {"id": 3999, "first_name": "Agent"}
        group = fake.add_group("Bare", members=[member])
        port = procs.free_port()
        env = {"BARE_BOT_API": fake.url, "BARE_BOT_TOKEN": fake.token, "BARE_BOT_CHAT": str(group)}
        server = procs.spawn("bare-bot", procs.bare_bot_argv(port), env, port, folder)
        try:
            await server.wait_ready()
            await fake.wait_for(lambda f: bool(f.calls("getUpdates")), timeout=30)
            form = load.CheckoutForm(f"{server.url}/order", "", "phone=PHONE")
            timings = await _measure(fake, [Desk(form, group, member)], orders)
        finally:
            await server.stop()
    placed = [float(text.rpartition("placed=")[2]) for *_, text in timings.cards]
    to_card = [1000 * (at - t) for (_, _, at, _), t in zip(timings.cards, placed, strict=True)]
    return {"order_to_card_ms": percentiles(to_card), **timings.presses()}


async def _post(session: aiohttp.ClientSession, form: load.CheckoutForm, phone: str) -> int:
    headers = {"Cookie": form.cookie, "Content-Type": "application/x-www-form-urlencoded"}
    async with session.post(
        form.url, data=form.for_phone(phone), headers=headers, allow_redirects=False
    ) as response:
        found = THANKS.search(response.headers.get("Location", ""))
        if response.status != 303 or found is None:
            raise RuntimeError(f"checkout answered {response.status}")
        return int(found.group(1))


def shown_numbers(fake: FakeTelegram, chat: int) -> Counter[int]:
    """How often each order shows in the chat: as a card, or inside a digest's ranges."""
    seen: Counter[int] = Counter()
    for message in fake.bot_messages(chat):
        kinds = {d.split(":", 1)[0] for d in message.callback_data}
        head = (message.text or "").split("\n", 1)[0]
        if "o" in kinds and (card := NUMBER.search(head)):
            seen[int(card.group(1))] += 1
        elif "dg" in kinds:
            for first, last in NUMBER.findall(head):
                seen.update(range(int(first), int(last or first) + 1))
    return seen


async def burst(folder: Path, orders: int, seconds: float) -> dict[str, Any]:
    url = await db.fresh("sqlite", folder, "burst")
    shop = (await db.seed(url))[0]
    async with FakeTelegram(enforce_limits=True) as fake:
        server = await _start(url, fake, folder, "hanout-burst")
        try:
            owner_chat = fake.add_private_chat(OWNER)
            await _say(fake, owner_chat, OWNER, f"/start {shop.owner_invite}")
            group = fake.add_group("Équipe", members=[OWNER, AGENT])
            await _say(fake, group, OWNER, f"/start@hanout_test_bot {shop.group_invite}")
            form = await load.checkout_form(server.url, shop.slug, shop.product)
            connector = aiohttp.TCPConnector(limit=64)
            async with aiohttp.ClientSession(connector=connector) as session:
                start = time.monotonic()

                async def one(i: int) -> int:
                    await asyncio.sleep(max(0.0, start + i * seconds / orders - time.monotonic()))
                    return await _post(session, form, f"0660{i:06d}")

                numbers = await asyncio.gather(*(one(i) for i in range(orders)))
                placed_in = time.monotonic() - start
            reached = {}
            for name, chat in (("group", group), ("owner", owner_chat)):
                while not set(numbers) <= set(shown_numbers(fake, chat)):
                    if time.monotonic() - start > seconds + 300:
                        raise TimeoutError(f"orders still missing in the {name} chat")
                    await asyncio.sleep(0.05)
                reached[name] = round(time.monotonic() - start, 1)
            await asyncio.sleep(2)
            peak = server.memory_mb()
            shown = {
                name: shown_numbers(fake, chat)
                for name, chat in (("group", group), ("owner", owner_chat))
            }
            messages = {
                name: len(fake.bot_messages(chat))
                for name, chat in (("group", group), ("owner", owner_chat))
            }
        finally:
            await server.stop()
    return {
        "orders": orders,
        "over_seconds": seconds,
        "placed_in_s": round(placed_in, 1),
        "all_in_group_after_s": reached["group"],
        "all_in_owner_chat_after_s": reached["owner"],
        "messages": messages,
        "shown_twice": sum(1 for seen in shown.values() for n in seen.values() if n > 1),
        "served_429": fake.served_429,
        "memory_mb_under_load": peak,
    }
