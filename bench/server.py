"""The processes a benchmark measures, started by `bench.procs`:

    python -m bench.server app --role run|web   # Hanout, exactly `hanout run` / `hanout web`
    python -m bench.server app --role web --workers 2   # `hanout web --workers 2`
    python -m bench.server bare                 # the baseline: a bare aiohttp handler
    python -m bench.server naive                # the baseline: a naive ORM checkout

`app` reads the same environment as `hanout` (DATABASE_URL, PORT, TELEGRAM_…) and runs the
same `hanout.processes.serve`; the only difference is the per-IP checkout limit, raised by
BENCH_CHECKOUT_IP_LIMIT because every benchmark client comes from 127.0.0.1. Every other
check of the checkout (CSRF, honeypot, validation, blacklist, per-phone limit, duplicate
window) stays on.

`bare` answers GET /page with a small HTML page and POST /order by reading the form and
answering 303, behind the same AppRunner settings as Hanout's web process (no access log).

`naive` is the checkout a competent developer would write first: a plain aiohttp handler
that reads the same form and, through Tortoise ORM in one transaction, takes the store's
next order number, creates the order, two lines and one timeline event, then answers 303.
No CSRF, validation, blacklist, duplicate window, limits, customer, outbox or relay: what
Hanout's checkout does on top is the difference. It runs on its own fresh database
(DATABASE_URL, seeded like Hanout's, BENCH_STORE the store's slug).

`bare-bot` is the Telegram baseline: the same POST /order, which then sends a card (the time
it took the order in its text, two buttons) to BARE_BOT_CHAT; and a long-polling loop that
answers every button press and edits the pressed message's buttons. What Hanout adds on top
(the outbox, the relay, the card sender, python-telegram-bot) is the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import time
from typing import Any

import aiohttp
from aiohttp import web

PAGE = (
    "<!doctype html><html lang=fr><head><meta charset=utf-8><title>Produit</title></head>"
    "<body><h1>Robe kabyle</h1><p>4 500 DA</p><form method=post action=/order>"
    "<input name=name><button>Commander</button></form></body></html>"
)


def run_app(role: str, workers: int = 1) -> None:
    from hanout import logs, processes
    from hanout.settings import Settings

    limit = int(os.environ.get("BENCH_CHECKOUT_IP_LIMIT", "100000000"))
    web_config = processes.web_config

    def bench_web_config(settings: Settings) -> processes.WebConfig:
        return dataclasses.replace(web_config(settings), checkout_ip_limit=limit)

    processes.web_config = bench_web_config
    settings = Settings()
    logs.configure(settings.log_level)
    if workers > 1:  # exactly `hanout web --workers N`
        processes.run_workers(
            workers,
            lambda: processes.serve(settings, with_web=True, with_worker=False, reuse_port=True),
        )
        return
    main = processes.serve(settings, with_web=role != "worker", with_worker=role != "web")
    processes.run(_probed(main))


async def _probed(main: Any) -> None:
    """`main`, watched by bench.probe when BENCH_PROBE names a file (SIGUSR1 starts over)."""
    from bench import probe

    found = probe.install()
    if found is None:
        return await main  # type: ignore[no-any-return]
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, found.reset)
    watcher = asyncio.ensure_future(found.watch())
    try:
        await main
    finally:
        watcher.cancel()


async def _page(_: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


async def _order(request: web.Request) -> web.Response:
    form = await request.post()
    location = f"/thanks/{len(form)}"
    return web.Response(status=303, headers={"Location": location})


async def _serve_naive(host: str, port: int) -> None:
    from tortoise.expressions import F
    from tortoise.transactions import in_transaction

    from models.catalog.tables import Variant
    from models.customers.tables import Customer
    from models.orders.tables import Order, OrderEvent, OrderLine
    from models.session import close_db, open_db
    from models.stores.tables import Store

    await open_db(os.environ["DATABASE_URL"])
    store = await Store.get(slug=os.environ.get("BENCH_STORE", "bench"))
    variants = await Variant.filter(store_id=store.id).order_by("id").limit(2)
    customer = await Customer.create(store=store, phone="+213550000000", name="Amina")

    async def order(request: web.Request) -> web.Response:
        form = await request.post()
        async with in_transaction() as conn:
            await (
                Store.filter(id=store.id)
                .using_db(conn)
                .update(last_order_number=F("last_order_number") + 1)
            )
            number = (await Store.get(id=store.id).using_db(conn)).last_order_number
            total = sum(v.price for v in variants)
            placed = await Order.create(
                using_db=conn,
                store_id=store.id,
                number=number,
                customer_id=customer.id,
                name=str(form.get("name", "")),
                phone=str(form.get("phone", "")),
                wilaya_code=16,
                wilaya_code_58=16,
                commune_code="1601",
                commune_name="Alger Centre",
                address=str(form.get("address", "")),
                delivery_type="home",
                subtotal=total,
                delivery_fee=400,
                total=total + 400,
                fingerprint="",
            )
            for variant in variants:
                await OrderLine.create(
                    using_db=conn,
                    order=placed,
                    variant_id=variant.id,
                    product_name="Robe kabyle",
                    sku=variant.sku,
                    unit_price=variant.price,
                    quantity=1,
                )
            await OrderEvent.create(
                using_db=conn, order=placed, type="created", actor_kind="customer"
            )
        return web.Response(status=303, headers={"Location": f"/merci/{number}"})

    app = web.Application()
    app.router.add_post("/order", order)
    app.router.add_get("/healthz", _page)
    try:
        await _run_until_signal(app, host, port)
    finally:
        await close_db()


async def _serve_bare(host: str, port: int) -> None:
    app = web.Application()
    app.router.add_get("/page", _page)
    app.router.add_post("/order", _order)
    app.router.add_get("/healthz", _page)
    await _run_until_signal(app, host, port)


class BareBot:
    """Plain aiohttp against the Bot API: no framework, no database, no outbox."""

    def __init__(self, api: str, token: str, chat: str) -> None:
        self.base, self.chat = f"{api.rstrip('/')}/bot{token}", chat
        self.session: aiohttp.ClientSession | None = None
        self.cards: set[asyncio.Task[None]] = set()
        self.number = 0

    async def call(self, method: str, **params: object) -> Any:
        assert self.session is not None
        async with self.session.post(f"{self.base}/{method}", json=params) as response:
            return (await response.json()).get("result")

    async def order(self, request: web.Request) -> web.Response:
        await request.post()
        placed = time.time()
        self.number += 1
        task = asyncio.create_task(self.card(self.number, placed))
        self.cards.add(task)
        task.add_done_callback(self.cards.discard)
        return web.Response(status=303, headers={"Location": f"/merci/{self.number}/x"})

    async def card(self, number: int, placed: float) -> None:
        keyboard = [[{"text": "☎️", "callback_data": f"o:{number}:cm:1"}],
                    [{"text": "📵", "callback_data": f"o:{number}:na:1"}]]  # fmt: skip
        await self.call(
            "sendMessage",
            chat_id=self.chat,
            text=f"🆕 #{number} placed={placed:.6f}",
            reply_markup={"inline_keyboard": keyboard},
        )

    async def poll(self) -> None:
        offset = 0
        while True:
            updates = await self.call("getUpdates", offset=offset, timeout=10)
            for update in updates or []:
                offset = update["update_id"] + 1
                query = update.get("callback_query")
                if query is None:
                    continue
                await self.call("answerCallbackQuery", callback_query_id=query["id"])
                message = query["message"]
                rows = message.get("reply_markup", {}).get("inline_keyboard", [])
                keyboard = [
                    [b | {"text": "✓" + b["text"]} if b.get("callback_data") == query["data"]
                     else b for b in row]
                    for row in rows
                ]  # fmt: skip
                await self.call(
                    "editMessageReplyMarkup",
                    chat_id=message["chat"]["id"],
                    message_id=message["message_id"],
                    reply_markup={"inline_keyboard": keyboard},
                )


async def _serve_bare_bot(host: str, port: int) -> None:
    bot = BareBot(os.environ["BARE_BOT_API"], os.environ["BARE_BOT_TOKEN"],
                  os.environ["BARE_BOT_CHAT"])  # fmt: skip
    async with aiohttp.ClientSession() as session:
        bot.session = session
        poller = asyncio.create_task(bot.poll())
        app = web.Application()
        app.router.add_post("/order", bot.order)
        app.router.add_get("/healthz", _page)
        try:
            await _run_until_signal(app, host, port)
        finally:
            poller.cancel()


async def _run_until_signal(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    sub = parser.add_subparsers(dest="what", required=True)
    app = sub.add_parser("app")
    app.add_argument("--role", choices=("run", "web", "worker"), default="run")
    app.add_argument("--workers", type=int, default=1, help="with --role web")
    for name in ("bare", "naive", "bare-bot"):
        bare = sub.add_parser(name)
        bare.add_argument("--host", default="127.0.0.1")
        bare.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.what == "app":
        run_app(args.role, args.workers)
    elif args.what == "bare":
        asyncio.run(_serve_bare(args.host, args.port))
    elif args.what == "naive":
        asyncio.run(_serve_naive(args.host, args.port))
    else:
        asyncio.run(_serve_bare_bot(args.host, args.port))


if __name__ == "__main__":
    main()
