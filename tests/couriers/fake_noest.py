"""A fake NOEST on 127.0.0.1, written from the wire contract (couriers/README.md §NOEST,
NOEST Public API v2.3), not from the adapter. It refuses what the documentation says NOEST
refuses: a commune not spelled as in its own list or inactive (`inactive_commune`), a desk
code of another wilaya (`station_code`), `type_id` outside 1-3, `stop_desk` outside 0/1,
a wilaya outside 1-58, over-long or missing fields (Laravel 422 bags). `get/orders` is
paginated as on EcoTrack [its shape on NOEST is unverified]. With its quirks: Bearer token plus
`user_guid` in the body of write calls (422 without it), drafts until `valid/order`,
business errors as `success:false` + code in HTTP 200 bodies, tracking by POST answered
keyed by tracking (a bare `[]` when nothing matched), event_key feeds with finance events
mixed in, 60 requests a minute, 429 with Retry-After, labels as a 302 to a pre-signed
"S3" PDF that refuses a second credential and expires after 300 s, and a create that takes
effect then stalls.

    async with FakeNoest() as fake:
        courier = NoestCourier(fake.account(), quota=fake.quota())
        ...
        fake.advance(tracking, "fdr_activated")
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from couriers.base import Account
from couriers.ecotrack_wire import ALGIERS
from couriers.http import Quota
from couriers.noest import QUOTA
from tests.couriers.fake_ecotrack import FakeClock

TOKEN = "noest-token-1"
GUID = "a1b2c3-d4e5f6-0789ab"
WILAYAS = [
    {"code": 16, "nom": "Alger", "is_active": 1},
    {"code": 31, "nom": "Oran", "is_active": 1},
    {"code": 9, "nom": "Blida", "is_active": 1},
    {"code": 33, "nom": "Illizi", "is_active": 0},
]
COMMUNES = [
    {"nom": "Bab Ezzouar", "wilaya_id": 16, "code_postal": "16111", "is_active": 1},
    {"nom": "Bordj El Kiffan", "wilaya_id": 16, "code_postal": "16120", "is_active": 1},
    {"nom": "Hydra", "wilaya_id": 16, "code_postal": "16035", "is_active": 1},
    {"nom": "Rais Hamidou", "wilaya_id": 16, "code_postal": "16016", "is_active": 0},
    {"nom": "Oran", "wilaya_id": 31, "code_postal": "31000", "is_active": 1},
    {"nom": "Blida", "wilaya_id": 9, "code_postal": "09000", "is_active": 1},
]
DESKS = {
    "16A": {"code": "16A", "name": "Agence Bab Ezzouar", "commune": "Bab Ezzouar"},
    "16B": {"code": "16B", "name": "Agence Cheraga", "commune": "Cheraga"},
    "31A": {"code": "31A", "name": "Agence Oran", "commune": "Oran"},
}
PRICES = {"16": ("450", "300"), "31": ("650", "450"), "9": ("500", "350")}  # home, desk
WRITES = ("create/order", "valid/order", "delete/order")
_PHONE = re.compile(r"\d{9,10}")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Order:
    tracking: str
    body: dict[str, Any]
    created: datetime
    validated: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


class FakeNoest:
    def __init__(self, limit: int = 60) -> None:
        self.clock = FakeClock()
        self.limit = limit
        self.orders: dict[str, Order] = {}
        self.calls: list[tuple[str, str, Any, dict[str, str]]] = []  # method, path, body, headers
        self.hits: list[float] = []
        self.paths_429: list[str] = []  # requests answered 429 for the minute window
        self.throttle: list[float] = []  # Retry-After of the next requests, each a 429
        self.fail: dict[str, list[int]] = {}  # path → statuses of its next answers (0: pass)
        self.refuse: list[str] = []  # business error codes of the next creates
        self.stall_create = 0.0
        self.label_age = 0.0  # seconds a link has aged when it is fetched
        self.odd: dict[str, web.Response] = {}  # path → an undocumented 200 answer, once
        self.fees_as_list = False  # tarifs.delivery as a list of rows with wilaya_id
        self.orders_listed = True  # False: get/orders answers 404 (not offered)
        app = web.Application(middlewares=[self._gate])
        for method, path, handler in (
            ("POST", "create/order", self._create),
            ("POST", "valid/order", self._valid),
            ("POST", "delete/order", self._delete),
            ("POST", "get/trackings/info", self._trackings),
            ("GET", "get/orders", self._orders_page),
            ("GET", "get/order/label", self._label),
            ("GET", "get/wilayas", self._wilayas),
            ("GET", "get/communes/{wilaya}", self._communes),
            ("GET", "desks", self._desks),
            ("GET", "fees", self._fees),
        ):
            app.router.add_route(method, f"/api/public/{path}", handler)
        app.router.add_get("/s3/labels/{tracking}.pdf", self._s3)
        self.server = TestServer(app, host="127.0.0.1")

    async def __aenter__(self) -> FakeNoest:
        await self.server.start_server()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()

    def account(self, token: str = TOKEN, guid: str = GUID) -> Account:
        base = str(self.server.make_url("/api/public/"))
        return Account("noest", base, {"api_token": token, "user_guid": guid})

    def quota(self) -> Quota:
        return Quota(QUOTA, clock=self.clock, sleep=self.clock.sleep)

    def bodies(self, path: str) -> list[Any]:
        return [body for _, p, body, _ in self.calls if p == path]

    # --- test controls -----------------------------------------------------------------

    def seed(self, reference: str, /, **body: Any) -> Order:
        tracking = f"NOE{len(self.orders) + 1:08d}"
        order = Order(tracking, {"reference": reference, **body}, datetime.now(ALGIERS))
        self.orders[tracking] = order
        self.advance(tracking, "upload")
        return order

    def advance(self, tracking: str, event_key: str, **extra: str) -> None:
        order = self.orders[tracking]
        at = order.created + timedelta(minutes=len(order.events))
        label = event_key.replace("_", " ").capitalize()
        event = {"event_key": event_key, "event": label, "date": f"{at:%Y-%m-%d %H:%M:%S}"}
        order.events.append(event | extra)

    # --- gate: record, limit, authenticate ----------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/s3/"):
            return await handler(request)
        path = request.path.removeprefix("/api/public/")
        body = await request.json() if request.can_read_body else None
        self.calls.append((request.method, path, body, dict(request.headers)))
        if self.throttle:
            return _too_many(self.throttle.pop(0))
        now = self.clock()
        recent = [t for t in self.hits if now - t < 60]
        if len(recent) >= self.limit:
            self.paths_429.append(path)
            return _too_many(recent[0] + 60 - now)
        self.hits.append(now)
        if (queue := self.fail.get(path)) and (status := queue.pop(0)):
            return web.json_response({"message": "Server Error"}, status=status)
        if path in self.odd:
            return self.odd.pop(path)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"message": "Unauthenticated."}, status=401)
        if path in WRITES and not (body or {}).get("user_guid"):
            return _invalid({"user_guid": ["Le champ user guid est obligatoire."]})
        if path in WRITES and body["user_guid"] != GUID:
            return _invalid({"user_guid": ["Le user guid sélectionné est invalide."]})
        response = await handler(request)
        response.headers["X-RateLimit-Limit"] = str(self.limit)
        response.headers["X-RateLimit-Remaining"] = str(self.limit - len(recent) - 1)
        return response

    # --- endpoints ---------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        errors = _create_errors(body)
        if errors:
            return _invalid(errors)
        if code := (self.refuse.pop(0) if self.refuse else _business_error(body)):
            return web.json_response({"success": False, "error": code, "message": code})
        order = self.seed(body.get("reference", ""), **body)
        if self.stall_create:
            stall, self.stall_create = self.stall_create, 0.0
            await asyncio.sleep(stall)
        wilaya = body["wilaya_id"]
        return web.json_response(
            {"success": True, "tracking": order.tracking, "reference": body.get("reference")}
            | {"regional_hub_name": "W", "wilaya_rank": f"{wilaya}B"}
        )

    async def _valid(self, request: web.Request) -> web.Response:
        order = self.orders.get((await request.json()).get("tracking", ""))
        if order is None:
            return _business("order_not_found")
        if order.validated:
            return _business("already_validated")
        order.validated = True
        self.advance(order.tracking, "customer_validation")
        return web.json_response({"success": True})

    async def _delete(self, request: web.Request) -> web.Response:
        order = self.orders.get((await request.json()).get("tracking", ""))
        if order is None or order.validated:
            return _business("already_validated" if order else "order_not_found")
        del self.orders[order.tracking]
        return web.json_response({"success": True})

    async def _trackings(self, request: web.Request) -> web.Response:
        wanted = (await request.json()).get("trackings") or []
        found = {t: self._info(o) for t in wanted if (o := self.orders.get(t))}
        return web.json_response(found or [])  # PHP's empty array, not an object

    def _info(self, order: Order) -> dict[str, Any]:
        info = {k: order.body.get(k) for k in ("reference", "client", "phone", "montant")}
        return {"OrderInfo": info | {"tracking": order.tracking}, "activity": order.events}

    async def _label(self, request: web.Request) -> web.Response:
        tracking = request.query.get("tracking", "")
        if tracking not in self.orders:
            return _invalid({"tracking": ["Le tracking sélectionné est invalide."]})
        issued = self.clock() - self.label_age
        query = f"X-Amz-Date={issued}&X-Amz-Expires=300&X-Amz-Signature={_sign(tracking, issued)}"
        raise web.HTTPFound(str(self.server.make_url(f"/s3/labels/{tracking}.pdf?{query}")))

    async def _s3(self, request: web.Request) -> web.Response:
        tracking, q = request.match_info["tracking"], request.query
        if "Authorization" in request.headers:
            return web.Response(status=400, text="<Error>Only one auth mechanism allowed</Error>")
        issued = float(q.get("X-Amz-Date", "0"))
        if q.get("X-Amz-Signature") != _sign(tracking, issued):
            return web.Response(status=403, text="<Error>SignatureDoesNotMatch</Error>")
        if self.clock() - issued > 300:
            return web.Response(status=403, text="<Error>Request has expired</Error>")
        pdf = b"%PDF-1.7\n% NOEST label " + tracking.encode() + b"\n%%EOF\n"
        return web.Response(body=pdf, content_type="application/pdf")

    async def _orders_page(self, request: web.Request) -> web.Response:
        if not self.orders_listed:
            return web.json_response({"message": "Not Found"}, status=404)
        rows = [
            {"tracking": o.tracking, "reference": o.body.get("reference"),
             "client": o.body.get("client"), "status": "validated" if o.validated else "upload"}
            for o in reversed(self.orders.values())
        ]  # fmt: skip
        page = int(request.query.get("page", "1"))
        last = max(1, -(-len(rows) // 40))
        body = {"current_page": page, "data": rows[(page - 1) * 40 : page * 40], "last_page": last}
        return web.json_response(body)

    async def _wilayas(self, request: web.Request) -> web.Response:
        return web.json_response(WILAYAS)

    async def _communes(self, request: web.Request) -> web.Response:
        wilaya = int(request.match_info["wilaya"])
        return web.json_response([c for c in COMMUNES if c["wilaya_id"] == wilaya])

    async def _desks(self, request: web.Request) -> web.Response:
        return web.json_response(DESKS)

    async def _fees(self, request: web.Request) -> web.Response:
        delivery: Any = {w: {"tarif": h, "tarif_stopdesk": d} for w, (h, d) in PRICES.items()}
        if self.fees_as_list:
            delivery = [{"wilaya_id": int(w)} | row for w, row in delivery.items()]
        returns = {w: {"tarif": "200"} for w in PRICES}
        return web.json_response({"tarifs": {"delivery": delivery, "return": returns}})


def _create_errors(body: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("client", "phone", "adresse", "montant", "produit", "type_id", "stop_desk"):
        if body.get(name) in (None, ""):
            errors[name] = [f"Le champ {name} est obligatoire."]
    if body.get("phone") and not _PHONE.fullmatch(str(body["phone"])):
        errors["phone"] = ["Le format du téléphone est invalide."]
    if "reference" in body and len(str(body["reference"])) < 5:
        errors["reference"] = ["Le champ reference doit contenir au moins 5 caractères."]
    if not isinstance(body.get("montant"), int | float):
        errors.setdefault("montant", ["Le champ montant doit être un nombre."])
    if body.get("stop_desk") == 1 and not body.get("station_code"):
        errors["station_code"] = ["Le champ station code est obligatoire."]
    if body.get("stop_desk") not in (0, 1, "0", "1", None):
        errors["stop_desk"] = ["Le champ stop desk doit être 0 ou 1."]
    if body.get("type_id") not in (1, 2, 3, "1", "2", "3", None):
        errors["type_id"] = ["Le type sélectionné est invalide."]
    if "zip_code" not in body and not (
        str(body.get("wilaya_id", "")).isdigit() and 1 <= int(body["wilaya_id"]) <= 58
    ):
        errors["wilaya_id"] = ["La wilaya sélectionnée est invalide."]
    for name in ("client", "adresse", "remarque"):
        if len(str(body.get(name) or "")) > 255:
            errors[name] = [f"Le champ {name} ne doit pas dépasser 255 caractères."]
    if "poids" in body and not isinstance(body["poids"], int | float):
        errors["poids"] = ["Le poids doit être un nombre."]
    return errors


def _business_error(body: dict[str, Any]) -> str:
    wilaya = next((w for w in WILAYAS if w["code"] == body.get("wilaya_id")), None)
    in_wilaya = [c for c in COMMUNES if c["wilaya_id"] == body.get("wilaya_id")]
    commune = next((c for c in in_wilaya if c["nom"] == body.get("commune")), None)
    if wilaya is None or not wilaya["is_active"] or commune is None or not commune["is_active"]:
        return "inactive_commune"
    station = str(body.get("station_code") or "")
    desk_wilaya = re.match(r"\d*", station).group()  # type: ignore[union-attr]
    if body.get("stop_desk") == 1 and (station not in DESKS or desk_wilaya != str(wilaya["code"])):
        return "station_code"
    return ""


def _sign(tracking: str, issued: float) -> str:
    return hashlib.sha256(f"{tracking}:{issued}".encode()).hexdigest()[:16]


def _business(code: str) -> web.Response:
    return web.json_response({"success": False, "error": code, "message": code})


def _invalid(errors: dict[str, list[str]]) -> web.Response:
    first = next(iter(errors.values()))[0]
    return web.json_response({"message": first, "errors": errors}, status=422)


def _too_many(wait: float) -> web.Response:
    headers = {"Retry-After": str(max(1, round(wait)))}
    return web.json_response({"message": "Too Many Attempts."}, status=429, headers=headers)
