"""A fake Maystro Delivery API on 127.0.0.1, written from couriers/maystro.md (the wire
contract), not from the adapter.

It refuses what the contract says Maystro refuses, in Django REST Framework's shapes:
401 `{"detail"}` without `Authorization: Token …`; 400 `{field: [msg]}` for a missing or
malformed field (wilaya 1–58, a commune id of that wilaya, a 9–10 digit phone, an integer
price, `source` 4, products with a description, `express` boolean, texts of 255 at most),
for a `delivery_type` outside the account's coding (`coding="0/1"` by default, `"1/2"` for
accounts on the newer one), and for the same-day rule (one order per customer name + phone
a day) as `non_field_errors`; 404 `{"detail": "Not found."}`; 429 with Retry-After.

It answers the documented shapes: `[[id, name]]` wilayas, commune rows, order lists as
`{list:{results,next,count}}` (filterable by `external_order_id` and `display_id`), integer
statuses, history rows, cancel by PATCHing status 50 before the order leaves, PDF
bordereaux (v1 blank for uuids). Test levers: a create that stalls after taking effect, a
create answered in another shape (`create_answer`), a quota header (`remaining`).
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from couriers.base import Account

WILAYAS = [[16, "Alger"], [31, "Oran"], [9, "Blida"]]
COMMUNES = {
    16: [{"id": 501, "name": "Alger Centre"}, {"id": 502, "name": "Bab El Oued"}],
    31: [{"id": 2101, "name": "Oran"}, {"id": 2102, "name": "Bir El Djir"}],
    9: [{"id": 301, "name": "Blida"}],
}
PRICES = {(501, 1): 450, (501, 2): 300, (2101, 1): 650}  # (commune, 1 home | 2 desk) → DZD
CODINGS = {"0/1": {"home": 0, "desk": 1}, "1/2": {"home": 1, "desk": 2}}
SHIPPED = 31  # from here on an order can no longer be cancelled
PAGE = 20
_PHONE = re.compile(r"0\d{8,9}")
REQUIRED = ("wilaya", "commune", "customer_name", "customer_phone", "product_price",
            "delivery_type", "products", "source")  # fmt: skip


def drf_error(code: int, **fields: Any) -> web.Response:
    return web.json_response(fields, status=code)


class FakeMaystro:
    def __init__(self, token: str = "maystro-token-1", coding: str = "0/1") -> None:
        self.token = token
        self.coding = CODINGS[coding]
        self.orders: dict[str, dict[str, Any]] = {}  # by UUID
        self.calls: list[tuple[str, str, Any, float]] = []
        self.throttle: list[float] = []
        self.remaining: int | None = None
        self.stall_create = 0.0
        # Replaces the order in the create's answer (None: the documented full order).
        self.create_answer: Callable[[dict[str, Any]], Any] | None = None
        self.today = "2026-11-26"
        self._display = 100_000
        app = web.Application(middlewares=[self._gate])
        routes = app.router
        routes.add_get("/api/shared/wilayas/", self._wilayas)
        routes.add_get("/api/shared/communes/", self._communes)
        routes.add_get("/api/stores/delivery_price/", self._price)
        routes.add_post("/api/stores/orders/", self._create)
        routes.add_get("/api/stores/orders/", self._list)
        routes.add_get("/api/stores/orders/{id}/", self._get)
        routes.add_get("/api/stores/history_order/{id}", self._history)
        routes.add_patch("/api/shared/status/{id}/", self._status)
        routes.add_post("/api/delivery/starter/starter_bordureau/", self._bordereau_v1)
        routes.add_post("/api/delivery/starter/v2/starter_bordureau/", self._bordereau_v2)
        self.server = TestServer(app, host="127.0.0.1")

    async def __aenter__(self) -> FakeMaystro:
        await self.server.start_server()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()

    @property
    def url(self) -> str:
        return str(self.server.make_url("/api/"))

    def account(self, **credentials: str) -> Account:
        creds = {"token": self.token, **credentials}
        return Account(courier="maystro", base_url=self.url, credentials=creds)

    def by_display(self, display_id: str) -> dict[str, Any]:
        return next(o for o in self.orders.values() if str(o["display_id"]) == display_id)

    def kind_of(self, order: dict[str, Any]) -> str:
        """ "home" or "desk", as this account's coding reads the order's delivery_type."""
        return next(k for k, v in self.coding.items() if v == order["delivery_type"])

    def set_status(self, display_id: str, status: int, comment: str = "") -> None:
        self._move(self.by_display(display_id), status, comment)

    def set_status_by_id(self, order_id: str, status: int) -> None:
        self._move(self.orders[order_id], status)

    def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        """An order made outside the adapter (as the merchant's dashboard would)."""
        return self._store(body)

    def paths(self, method: str, path: str) -> list[tuple[Any, float]]:
        return [(body, at) for m, p, body, at in self.calls if (m, p) == (method, path)]

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        path = request.path.removeprefix("/api/")
        self.calls.append((request.method, path, body, time.monotonic()))
        if self.throttle:
            wait = self.throttle.pop(0)
            detail = f"Request was throttled. Expected available in {wait} seconds."
            return web.json_response(
                {"detail": detail}, status=429, headers={"Retry-After": str(wait)}
            )
        if request.headers.get("Authorization") != f"Token {self.token}":
            return drf_error(401, detail="Invalid token.")
        response = await handler(request)
        if self.remaining is not None:  # a quota header, should the API ever send one
            response.headers["X-RateLimit-Remaining"] = str(self.remaining)
        return response

    # --- reference data --------------------------------------------------------------

    async def _wilayas(self, request: web.Request) -> web.Response:
        return web.json_response(WILAYAS)

    async def _communes(self, request: web.Request) -> web.Response:
        wilaya = int(request.query.get("wilaya", 0))
        return web.json_response([{**c, "wilaya": wilaya} for c in COMMUNES.get(wilaya, [])])

    async def _price(self, request: web.Request) -> web.Response:
        key = (int(request.query["commune"]), int(request.query["delivery_type"]))
        if key not in PRICES:
            return drf_error(404, detail="Not found.")
        return web.json_response({"delivery_price": PRICES[key]})

    # --- orders ----------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict):
            return drf_error(400, non_field_errors=["Invalid data. Expected a dictionary."])
        errors = self._errors(body)
        if errors:
            return drf_error(400, **errors)
        order = self._store(body)
        if self.stall_create:
            stall, self.stall_create = self.stall_create, 0.0
            await asyncio.sleep(stall)
        answer = _public(order) if self.create_answer is None else self.create_answer(order)
        return web.json_response(answer, status=201)

    def _errors(self, body: dict[str, Any]) -> dict[str, list[str]]:
        missing = {f: ["Ce champ est obligatoire."] for f in REQUIRED if body.get(f) is None}
        if missing:
            return missing
        wilaya, communes = body["wilaya"], COMMUNES.get(body["wilaya"], [])
        products = body["products"]
        kind = body["delivery_type"]
        checks = {
            "wilaya": isinstance(wilaya, int) and 1 <= wilaya <= 58 and wilaya in COMMUNES,
            "commune": body["commune"] in {c["id"] for c in communes},
            "customer_phone": bool(_PHONE.fullmatch(str(body["customer_phone"]))),
            "customer_name": bool(str(body["customer_name"]).strip()),
            "product_price": isinstance(body["product_price"], int),
            "express": isinstance(body.get("express", False), bool),
            "source": body["source"] == 4,
            "products": isinstance(products, list)
            and bool(products)
            and all(isinstance(p, dict) and p.get("logistical_description") for p in products),
        }
        for text in ("destination_text", "customer_name", "note_to_driver"):
            checks[text] = checks.get(text, True) and len(str(body.get(text) or "")) <= 255
        errors = {field: ["Valeur invalide."] for field, ok in checks.items() if not ok}
        if kind not in self.coding.values():
            errors["delivery_type"] = [f'"{kind}" is not a valid choice.']
        if not errors and self._same_day(body):
            errors["non_field_errors"] = ["Une commande existe déjà pour ce client aujourd'hui."]
        return errors

    def _same_day(self, body: dict[str, Any]) -> bool:
        who = (body["customer_name"], body["customer_phone"], self.today)
        return any(
            (o["customer_name"], o["customer_phone"], o["created_at"][:10]) == who
            for o in self.orders.values()
        )

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        self._display += 1
        price_kind = 2 if body["delivery_type"] == self.coding["desk"] else 1
        order = {
            **body,
            "id": str(uuid.uuid4()),
            "display_id": self._display,
            "delivery_price": PRICES.get((body["commune"], price_kind), 500),
            "created_at": f"{self.today}T09:00:00Z",
            "history": [],
        }
        self._move(order, 4)
        self.orders[order["id"]] = order
        return order

    def _move(self, order: dict[str, Any], status: int, comment: str = "") -> None:
        at = f"{self.today}T{9 + len(order['history']):02d}:00:00Z"
        order["status"], order["updated_at"] = status, at
        order["history"].append({"status": status, "created_at": at, "comment": comment})

    async def _list(self, request: web.Request) -> web.Response:
        rows = [_public(o) for o in self.orders.values()]
        for field in ("external_order_id", "display_id"):
            if field in request.query:
                rows = [r for r in rows if str(r.get(field)) == request.query[field]]
        page = int(request.query.get("page", 1))
        chunk = rows[(page - 1) * PAGE : page * PAGE]
        more = page * PAGE < len(rows)
        nxt = str(request.url.update_query(page=page + 1)) if more else None
        return web.json_response({"list": {"results": chunk, "next": nxt, "count": len(rows)}})

    async def _get(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        return web.json_response(_public(order)) if order else drf_error(404, detail="Not found.")

    async def _history(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        return web.json_response(order["history"]) if order else drf_error(404, detail="Not found.")

    async def _status(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        body = await request.json()
        if order is None:
            return drf_error(404, detail="Not found.")
        if body.get("status") != 50 or "abort_reason" not in body:
            return drf_error(400, status=["Transition non autorisée."])
        if order["status"] >= SHIPPED:
            return drf_error(400, detail="Commande déjà expédiée, annulation impossible.")
        self._move(order, 50, comment=f"abort reason {body['abort_reason']}")
        return web.json_response(_public(order))

    # --- bordereaux ------------------------------------------------------------------

    async def _bordereau_v1(self, request: web.Request) -> web.Response:
        return web.Response(body=_pdf(""), content_type="application/pdf")  # blank for UUIDs

    async def _bordereau_v2(self, request: web.Request) -> web.Response:
        ids = (await request.json()).get("orders_ids") or []
        orders = [self.orders[i] for i in ids if i in self.orders]
        if not orders:
            return drf_error(400, orders_ids=["Aucune commande valide."])
        text = " ".join(f"Maystro {o['display_id']}" for o in orders)
        return web.Response(body=_pdf(text), content_type="application/pdf")


def _public(order: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in order.items() if k != "history"}


def _pdf(text: str) -> bytes:
    return f"%PDF-1.4\n% bordereau\n({text}) Tj\n%%EOF\n".encode()
