"""A fake EcoTrack company on 127.0.0.1, written from the wire contract (couriers/README.md
§EcoTrack, reference/couriers.md §3), not from the adapter. What the documentation says the
API refuses, it refuses: parameters anywhere but the query string, a commune not spelled as
in its own `get/communes` list, an unknown type or stop_desk value, a desk code that is no
desk, missing or over-long fields (Laravel 422 bags). With its quirks: Bearer
token (and `api_token` in the query for validate/token and get/orders/status), create from
query parameters only, drafts until `valid/order`, `success:false` + code in HTTP 200
bodies, Laravel 422 bags, objects keyed by index, 100 trackings a call, PDF labels,
deletes only before validation, 50 requests a minute with X-RateLimit-* headers, 429 with
Retry-After, a tenant that moved (301), and a create that takes effect then stalls.

    async with FakeEcotrack() as fake:
        courier = EcotrackCourier(fake.account(), quota=fake.quota())
        ...
        fake.advance(tracking, "en_livraison", event="dispatched_to_driver")

Time for the rate limit runs on `fake.clock`, which the adapter's Quota may share.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from couriers.base import Account
from couriers.ecotrack import QUOTA
from couriers.ecotrack_wire import ALGIERS
from couriers.http import Quota

TOKEN = "eco-token-1"
DISABLED_TOKEN = "eco-token-off"  # API access switched off for the account
WILAYAS = {16: "Alger", 31: "Oran", 9: "Blida"}  # the only ones this company serves
COMMUNES = [
    {"nom": "Bab Ezzouar", "wilaya_id": 16, "code_postal": "16033", "has_stop_desk": 1},
    {"nom": "Aïn Bénian", "wilaya_id": 16, "code_postal": "16040", "has_stop_desk": 0},
    {"nom": "Hydra", "wilaya_id": 16, "code_postal": "16023", "has_stop_desk": 0},
    {"nom": "Alger Centre", "wilaya_id": 16, "code_postal": "16001", "has_stop_desk": 1},
    {"nom": "Oran", "wilaya_id": 31, "code_postal": "31001", "has_stop_desk": 1},
    {"nom": "Bir El Djir", "wilaya_id": 31, "code_postal": "31022", "has_stop_desk": 0},
    {"nom": "Blida", "wilaya_id": 9, "code_postal": "09001", "has_stop_desk": 0},
    {"nom": "Djanet", "wilaya_id": 33, "code_postal": "33001", "has_stop_desk": 0},  # not served
]
PRICES = {16: ("400", "300"), 31: ("600", "450"), 9: ("500", "400")}  # home, desk
_PHONE = re.compile(r"\d{9,10}")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeClock:
    """Monotonic seconds that only move when someone sleeps on them."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Order:
    tracking: str
    params: dict[str, str]
    created: datetime
    status: str = "prete_a_expedier"
    validated: bool = False
    ask_collection: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)


class FakeEcotrack:
    def __init__(self, limit: int = 50) -> None:
        self.clock = FakeClock()
        self.limit = limit
        self.orders: dict[str, Order] = {}
        self.calls: list[tuple[str, str, dict[str, str], bytes]] = []  # method, path, query, body
        self.hits: list[float] = []  # accepted requests, for the minute window
        self.throttle: list[float] = []  # Retry-After of the next requests, each a 429
        self.fail: dict[str, list[int]] = {}  # path → statuses of its next answers (0: pass)
        self.stall_create = 0.0  # the next create sleeps this long after storing
        self.moved_to = ""  # when set, every request answers 301 to it
        self.fees_per_wilaya = False  # the other get/fees shape one digest shows
        self.legacy_delete = False  # {"delete": "success"|"fail"}
        self.odd: dict[str, web.Response] = {}  # path → an undocumented 200 answer, once
        app = web.Application(middlewares=[self._gate])
        for method, path, handler in (
            ("GET", "validate/token", self._validate_token),
            ("POST", "create/order", self._create),
            ("POST", "valid/order", self._valid),
            ("DELETE", "delete/order", self._delete),
            ("GET", "get/orders", self._orders),
            ("GET", "get/orders/status", self._orders_status),
            ("GET", "get/tracking/info", self._tracking_info),
            ("GET", "get/order/label", self._label),
            ("GET", "get/wilayas", self._wilayas),
            ("GET", "get/communes", self._communes),
            ("GET", "get/fees", self._fees),
        ):
            app.router.add_route(method, f"/api/v1/{path}", handler)
        self.server = TestServer(app, host="127.0.0.1")

    async def __aenter__(self) -> FakeEcotrack:
        await self.server.start_server()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("/api/v1"))

    def account(self, token: str = TOKEN, **extra: str) -> Account:
        return Account("ecotrack", self.base_url, {"api_token": token, **extra})

    def quota(self) -> Quota:
        return Quota(QUOTA, clock=self.clock, sleep=self.clock.sleep)

    def paths(self, path: str) -> list[dict[str, str]]:
        """The query of every call made to `path`."""
        return [query for _, p, query, _ in self.calls if p == path]

    # --- test controls -----------------------------------------------------------------

    def spend(self, requests: int) -> None:
        """Another app on the same token used part of this minute's quota."""
        self.hits += [self.clock()] * requests

    def seed(self, reference: str, /, **params: str) -> Order:
        tracking = f"ECT{len(self.orders) + 1:09d}"
        order = Order(tracking, {"reference": reference, **params}, datetime.now(ALGIERS))
        self.orders[tracking] = order
        self._event(order, "order_information_received_by_carrier")
        return order

    def advance(self, tracking: str, status: str, *, event: str = "", reason: str = "") -> None:
        order = self.orders[tracking]
        order.status = status
        self._event(order, event or status, reason)

    def _event(self, order: Order, key: str, reason: str = "") -> None:
        at = order.created + timedelta(minutes=len(order.events))
        order.events.append(
            {"status": key, "reason": reason, "date": f"{at:%Y-%m-%d}", "time": f"{at:%H:%M:%S}"}
        )

    # --- gate: record, move, limit, authenticate ----------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path.removeprefix("/api/v1/")
        self.calls.append((request.method, path, dict(request.query), await request.read()))
        if self.moved_to:
            raise web.HTTPMovedPermanently(self.moved_to)
        if self.throttle:
            wait = self.throttle.pop(0)
            return _too_many(wait)
        now = self.clock()
        recent = [t for t in self.hits if now - t < 60]
        if len(recent) >= self.limit:
            return _too_many(recent[0] + 60 - now)
        self.hits.append(now)
        if (queue := self.fail.get(path)) and (status := queue.pop(0)):
            return web.json_response({"message": "Server Error"}, status=status)
        if path in self.odd:
            return self.odd.pop(path)
        bearer = request.headers.get("Authorization") == f"Bearer {TOKEN}"
        if path not in ("validate/token", "get/orders/status") and not bearer:
            return web.json_response({"message": "Unauthenticated."}, status=401)
        response = await handler(request)
        response.headers["X-RateLimit-Limit"] = str(self.limit)
        response.headers["X-RateLimit-Remaining"] = str(self.limit - len(recent) - 1)
        response.headers["X-RateLimit-Limit-Hour"] = "1500"
        response.headers["X-RateLimit-Remaining-Hour"] = str(1500 - len(self.hits))
        return response

    # --- endpoints ---------------------------------------------------------------------

    async def _validate_token(self, request: web.Request) -> web.Response:
        token = request.query.get("api_token")
        if token == DISABLED_TOKEN:
            return web.json_response({"success": False, "message": "TOKEN_NOT_ALLOWED"})
        ok = token == TOKEN
        return web.json_response({"success": ok, "message": ("" if ok else "IN") + "VALID_TOKEN"})

    async def _create(self, request: web.Request) -> web.Response:
        q = dict(request.query)  # the documented API reads the query string, never a body
        if await request.read():
            return _invalid({"body": ["Les paramètres sont attendus dans la requête."]})
        errors = _create_errors(q)
        if errors:
            return _invalid(errors)
        if int(q["code_wilaya"]) not in WILAYAS:
            return web.json_response(
                {"success": False, "error": 10002, "message": "Pas de livraison pour la wilaya"}
            )
        order = self.seed(q.get("reference", ""), **q)
        if self.stall_create:
            stall, self.stall_create = self.stall_create, 0.0
            await asyncio.sleep(stall)
        return web.json_response({"success": True, "tracking": order.tracking})

    async def _valid(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.query.get("tracking", ""))
        if order is None:
            return web.json_response({"success": False, "message": "Commande introuvable"})
        if order.validated:
            return _not_modifiable()
        order.validated, order.ask_collection = True, request.query.get("ask_collection", "")
        return web.json_response({"success": True, "message": "Commande expedier avec succès"})

    async def _delete(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.query.get("tracking", ""))
        if order is None or order.validated:
            legacy = {"delete": "fail"}
            return web.json_response(legacy if self.legacy_delete else _not_modifiable_body())
        del self.orders[order.tracking]
        if self.legacy_delete:
            return web.json_response({"delete": "success"})
        return web.json_response({"success": True, "message": "Commande supprimée"})

    async def _orders(self, request: web.Request) -> web.Response:
        since = request.query.get("start_date", "")
        rows = [
            _row(o)
            for o in reversed(self.orders.values())
            if f"{o.created:%Y-%m-%d}" >= since
            and request.query.get("tracking", o.tracking) == o.tracking
        ]
        page = int(request.query.get("page", "1"))
        last = max(1, -(-len(rows) // 40))
        body = {"current_page": page, "data": rows[(page - 1) * 40 : page * 40], "last_page": last}
        return web.json_response(body | {"per_page": 40, "total": len(rows)})

    async def _orders_status(self, request: web.Request) -> web.Response:
        if request.query.get("api_token") != TOKEN:
            return web.json_response({"message": "Unauthenticated."}, status=401)
        wanted = [t for t in request.query.get("trackings", "").split(",") if t]
        if len(wanted) > 100:
            return _invalid({"trackings": ["100 trackings au maximum."]})
        data = {
            t: {
                "status": o.status,
                "order_id": str(i),
                "activity": [_activity(e) for e in o.events],
            }
            for i, t in enumerate(wanted)
            if (o := self.orders.get(t))
        }
        return web.json_response({"data": data})

    async def _tracking_info(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.query.get("tracking", ""))
        if order is None:
            return _invalid({"tracking": ["Le tracking sélectionné est invalide."]})
        events = [
            {k: e[k] for k in ("date", "time", "status")} | {"station": ""} for e in order.events
        ]
        return web.json_response(
            {"recipientName": order.params.get("nom_client", ""), "activity": events, "reasons": []}
        )

    async def _label(self, request: web.Request) -> web.Response:
        tracking = request.query.get("tracking", "")
        if tracking not in self.orders:
            return _invalid({"tracking": ["Le tracking sélectionné est invalide."]})
        pdf = b"%PDF-1.4\n% EcoTrack label " + tracking.encode() + b"\n%%EOF\n"
        return web.Response(body=pdf, content_type="application/pdf")

    async def _wilayas(self, request: web.Request) -> web.Response:
        return web.json_response([{"wilaya_id": k, "wilaya_name": v} for k, v in WILAYAS.items()])

    async def _communes(self, request: web.Request) -> web.Response:
        wilaya = request.query.get("wilaya_id")
        rows = [c for c in COMMUNES if wilaya is None or str(c["wilaya_id"]) == wilaya]
        return web.json_response({str(i): row for i, row in enumerate(rows)})  # keyed by index

    async def _fees(self, request: web.Request) -> web.Response:
        rows = [
            {"wilaya_id": w, "tarif": home, "tarif_stopdesk": desk}
            for w, (home, desk) in PRICES.items()
        ]
        if self.fees_per_wilaya:
            nested = [{"wilaya_id": r["wilaya_id"], "livraison": r} for r in rows]
            return web.json_response(nested)
        return web.json_response({"livraison": rows, "retour": rows})


def _create_errors(q: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("nom_client", "telephone", "adresse", "commune", "code_wilaya", "montant", "type"):
        if not q.get(name):
            errors[name] = [f"Le champ {name} est obligatoire."]
    if q.get("telephone") and not _PHONE.fullmatch(q["telephone"]):
        errors["telephone"] = ["Le téléphone doit contenir entre 9 et 10 chiffres."]
    for name in ("nom_client", "adresse", "commune", "produit", "remarque", "reference"):
        if len(q.get(name, "")) > 255:
            errors[name] = [f"Le champ {name} ne doit pas dépasser 255 caractères."]
    if q.get("type") and q["type"] not in ("1", "2", "3", "4"):
        errors["type"] = ["Le type sélectionné est invalide."]
    if q.get("stop_desk", "0") not in ("0", "1"):
        errors["stop_desk"] = ["Le champ stop desk doit être 0 ou 1."]
    if q.get("montant") and not re.fullmatch(r"\d+(\.\d+)?", q["montant"]):
        errors["montant"] = ["Le montant doit être un nombre."]
    if not q.get("code_wilaya", "").isdigit() or not 1 <= int(q["code_wilaya"]) <= 58:
        errors.setdefault("code_wilaya", ["La wilaya sélectionnée est invalide."])
    communes = [c for c in COMMUNES if str(c["wilaya_id"]) == q.get("code_wilaya")]
    if WILAYAS.get(int(q.get("code_wilaya") or 0)) and q.get("commune") not in {
        c["nom"] for c in communes
    }:
        errors["commune"] = ["La commune sélectionnée est invalide."]
    desks = {c["code_postal"] for c in communes if c["has_stop_desk"]}
    if q.get("stop_desk") == "1" and q.get("code_postal") not in desks:
        errors["code_postal"] = ["Le code postal ne correspond à aucun stop desk."]
    return errors


def _row(order: Order) -> dict[str, Any]:
    q = order.params
    home, desk = PRICES.get(int(q.get("code_wilaya") or 0), ("0", "0"))
    return {
        "tracking": order.tracking,
        "reference": q.get("reference") or None,
        "client": q.get("nom_client", ""),
        "commune": q.get("commune", ""),
        "wilaya_id": int(q.get("code_wilaya") or 0),
        "montant": q.get("montant", "0"),
        "tarif_prestation": desk if q.get("stop_desk") == "1" else home,
        "created_at": f"{order.created:%Y-%m-%d}",
        "status": order.status,
    }


def _activity(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event[k] for k in ("reason", "date", "time")} | {"details": "", "station": ""}


def _invalid(errors: dict[str, list[str]]) -> web.Response:
    return web.json_response(
        {"message": "The given data was invalid.", "errors": errors}, status=422
    )


def _not_modifiable_body() -> dict[str, Any]:
    return {"success": False, "error": 10001, "message": "Commande non modifiable"}


def _not_modifiable() -> web.Response:
    return web.json_response(_not_modifiable_body())


def _too_many(wait: float) -> web.Response:
    headers = {"Retry-After": str(max(1, round(wait))), "X-RateLimit-Remaining": "0"}
    return web.json_response({"message": "Too Many Attempts."}, status=429, headers=headers)
