"""A fake ZR Express new platform on 127.0.0.1, written from couriers/zrexpress.md (the wire
contract), not from the adapter.

It refuses what the contract says ZR refuses, as RFC 7807 problem+json: 401 without the
X-Api-Key + X-Tenant pair; 400 for a body of the wrong shape (customer name, a +213 phone,
a wilaya-level city, a commune that belongs to that city — "districtTerritoryId must belong
to cityTerritoryId" —, deliveryType `home`|`pickup-point`, a pickup point hub for
`pickup-point`, a known hub, products, a non-negative amount, a state of a workflow);
409 `ParcelErrors.DuplicateExternalId` for a second parcel with one externalId; 400
`ParcelErrors.CannotBeDeleted` once a parcel has left; 404 for unknown parcels; 429 with
Retry-After. Searches take `{keyword, pageNumber, pageSize}` and, as observed live, ignore
`filters`/`advancedFilter`. A create answers `{id}` only; the parcel starts in its
workflow's `commande_recue` unless `stateId` names another state (WBG, CDJ); the state is
changed with `PATCH parcels/{id}/state` `{parcelId, newStateId, comment}` (or `{stateId}`
when `state_body="stateId"`). Labels are PDFs behind short-lived URLs served without
credentials. Test levers: the workflows, a tracking number that comes a few reads late,
`stateId` in the body ignored, a create that stalls after taking effect, a create answered
in another shape, and a quota header (`remaining`).
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

NS = uuid.UUID("0b9a3c52-7d7e-4f6e-9f59-3b1e6f2d8c10")
# The default workflow as WBG lists it (couriers/zrexpress.md).
LIVE_STATES = ("commande_recue", "en_traitement", "appel_confirmation", "commande_confirmee",
               "en_preparation", "pret_a_expedier", "confirme_au_bureau",
               "remboursement_reinjecte", "dispatch", "vers_wilaya", "en_livraison",
               "en_attente_dechange", "colis_recupere", "attente_recuperation_fournisseur",
               "reinjecte_dans_stock", "recupere_par_fournisseur", "sortie_en_livraison",
               "livre", "encaisse", "recouvert")  # fmt: skip
DELETABLE = {"commande_recue", "en_traitement", "appel_confirmation", "commande_confirmee",
             "en_preparation", "pret_a_expedier", "OrderReceived", "ReadyToDispatch"}  # fmt: skip
_GEO = {16: ("Alger", ["Alger Centre", "Bab El Oued", "Hydra"]), 31: ("Oran", ["Oran"])}
_GEO[9] = ("Blida", ["Blida", "Boufarik"])
_PHONE = re.compile(r"\+213[567]\d{8}")


def tid(name: str) -> str:
    """The deterministic UUID of a territory, hub, workflow or state name."""
    return str(uuid.uuid5(NS, name))


def workflow(name: str, states: tuple[str, ...]) -> dict[str, Any]:
    flags = {"isBlocking": False, "isLocked": False, "color": "000000"}
    rows = [{"id": tid(f"{name}/{s}"), "name": s, "description": s.replace("_", " "), **flags}
            for s in states]  # fmt: skip
    return {"id": tid(f"workflow/{name}"), "name": name, "description": "", "states": rows}


def _territory(key: str, name: str, code: int, parent: str | None, pickup: bool) -> dict[str, Any]:
    level = "commune" if parent else "wilaya"
    delivery = {"hasHomeDelivery": True, "hasPickupPoint": pickup}
    return {"id": tid(key), "code": code, "name": name, "nameArabic": "", "level": level,
            "parentId": parent, "delivery": delivery}  # fmt: skip


def territory_rows() -> list[dict[str, Any]]:
    rows = []
    for code, (wilaya, communes) in _GEO.items():
        rows.append(_territory(wilaya, wilaya, code, None, True))
        for n, name in enumerate(communes):
            rows.append(_territory(f"{code}/{name}", name, code * 100 + n, tid(wilaya), n == 0))
    return rows


def _hub(name: str, code: int, district: str, pickup: bool) -> dict[str, Any]:
    address = {
        "city": _GEO[code][0],
        "district": district,
        "street": f"Cité {name}",
        "cityTerritoryId": tid(_GEO[code][0]),
        "districtTerritoryId": tid(f"{code}/{district}"),
    }
    return {"id": tid(name), "name": name, "isPickupPoint": pickup, "address": address}


HUBS = [
    _hub("Point relais Alger Centre", 16, "Alger Centre", True),
    _hub("Tri Alger", 16, "Hydra", False),
    _hub("Point relais Oran", 31, "Oran", True),
]


def _rate(key: str, code: int, level: str, prices: dict[str, int]) -> dict[str, Any]:
    listed = [{"deliveryType": k, "price": p, "discountedPrice": None} for k, p in prices.items()]
    return {"toTerritoryId": tid(key), "toTerritoryCode": code, "toTerritoryLevel": level,
            "deliveryPrices": listed}  # fmt: skip


RATES = {
    "rates": [
        _rate("Alger", 16, "wilaya", {"home": 400, "pickup-point": 250, "return": 200}),
        _rate("Oran", 31, "wilaya", {"home": 700}),
        _rate("16/Hydra", 1602, "commune", {"home": 500}),
    ]
}
RATES["rates"][1]["deliveryPrices"][0]["discountedPrice"] = 650  # the account's own price


def problem(status: int, title: str, detail: str = "", **errors: str) -> web.Response:
    body: dict[str, Any] = {"type": "https://tools.ietf.org/html/rfc9110", "title": title,
                            "status": status, "detail": detail, "traceId": "0HN:0001"}  # fmt: skip
    if errors:
        body["errors"] = {k: [v] for k, v in errors.items()}
    return web.json_response(body, status=status, content_type="application/problem+json")


class FakeZrExpress:
    def __init__(self, api_key: str = "zr-key-1", tenant: str | None = None) -> None:
        self.api_key, self.tenant = api_key, tenant or tid("tenant")
        self.territories = territory_rows()
        self.workflows = [workflow("Livraison", LIVE_STATES)]
        self.customers: dict[str, dict[str, Any]] = {}
        self.parcels: dict[str, dict[str, Any]] = {}  # by UUID
        self.calls: list[tuple[str, str, Any, float]] = []  # method, path, body, time
        self.file_headers: list[dict[str, str]] = []  # headers seen by the storage host
        self.throttle: list[float] = []
        self.remaining: int | None = None
        self.stall_create = 0.0
        self.tracking_lag = 0  # reads of a new parcel before its tracking number exists
        self.state_in_body = True  # False: `stateId` in the create body is ignored
        self.state_body = "newStateId"  # the PATCH …/state body taken: or "stateId", or none
        self.create_answer: Callable[[dict[str, Any]], Any] | None = None
        self._serial = 0
        app = web.Application(middlewares=[self._gate])
        self._routes(app)
        self.server = TestServer(app, host="127.0.0.1")

    def _routes(self, app: web.Application) -> None:
        api = "/api/v1/"
        for path, handler in (
            ("territories/search", self._search(lambda: self.territories)),
            ("hubs/search", self._search(lambda: HUBS)),
            ("workflows/search", self._search(lambda: self.workflows)),
            ("customers/search", self._search(lambda: list(self.customers.values()))),
            ("parcels/search", self._search(lambda: [_public(p) for p in self.parcels.values()])),
            ("customers/individual", self._customer),
            ("parcels", self._create),
            ("parcels/labels/individual/pdf", self._labels),
        ):
            app.router.add_post(api + path, handler)
        app.router.add_get(api + "parcels/{key}", self._get)
        app.router.add_get(api + "parcels/{key}/state-history", self._history)
        app.router.add_patch(api + "parcels/{key}/state", self._set_state)
        app.router.add_delete(api + "parcels/{key}", self._delete)
        app.router.add_get(api + "delivery-pricing/rates", self._rates)
        app.router.add_get("/blob/labels/{name}", self._file)

    async def __aenter__(self) -> FakeZrExpress:
        await self.server.start_server()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()

    @property
    def url(self) -> str:
        return str(self.server.make_url("/api/v1/"))

    def account(self, **credentials: str) -> Account:
        creds = {"api_key": self.api_key, "tenant": self.tenant, **credentials}
        return Account(courier="zrexpress", base_url=self.url, credentials=creds)

    def by_tracking(self, tracking: str) -> dict[str, Any]:
        return next(p for p in self.parcels.values() if p["trackingNumber"] == tracking)

    def advance(self, tracking: str, state: str, situation: str = "") -> None:
        """Move a parcel as the courier would (the state name need not be a known one)."""
        self._move(self.by_tracking(tracking), state, situation)

    def paths(self, method: str, path: str) -> list[Any]:
        return [body for m, p, body, _ in self.calls if (m, p) == (method, path)]

    # --- middleware ------------------------------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        path = request.path.removeprefix("/api/v1/")
        self.calls.append((request.method, path, body, time.monotonic()))
        if self.throttle:
            wait = self.throttle.pop(0)
            return web.json_response(
                {"title": "Too Many Requests", "status": 429},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        if request.path.startswith("/blob/"):
            self.file_headers.append(dict(request.headers))
        elif (request.headers.get("X-Api-Key"), request.headers.get("X-Tenant")) != (
            self.api_key,
            self.tenant,
        ):
            return web.Response(status=401, text="Invalid API Key")
        response = await handler(request)
        if self.remaining is not None:  # a quota header, should the API ever send one
            response.headers["X-RateLimit-Remaining"] = str(self.remaining)
        return response

    # --- search ----------------------------------------------------------------------

    def _search(self, rows: Callable[[], list[dict[str, Any]]]) -> Any:
        """`{keyword, pageNumber, pageSize}`; filters are ignored, as observed live."""

        async def handler(request: web.Request) -> web.Response:
            body = await request.json()
            if not isinstance(body, dict):
                return problem(400, "ValidationError", "a search takes an object")
            keyword = str(body.get("keyword") or "").lower()
            found = [row for row in rows() if not keyword or keyword in _text(row)]
            page, size = int(body.get("pageNumber", 1)), min(int(body.get("pageSize", 10)), 1000)
            items = found[(page - 1) * size : page * size]
            pages = max(1, -(-len(found) // size))
            return web.json_response(
                {"items": items, "pageNumber": page, "pageSize": size, "totalCount": len(found),
                 "totalPages": pages, "hasPrevious": page > 1, "hasNext": page < pages}
            )  # fmt: skip

        return handler

    # --- customers and parcels -------------------------------------------------------

    async def _customer(self, request: web.Request) -> web.Response:
        body = await request.json()
        phone = ((body or {}).get("phone") or {}).get("number1")
        if not (body or {}).get("name") or not _PHONE.fullmatch(str(phone)):
            return problem(400, "ValidationError", "name and phone.number1 (+213…) are required")
        customer = {"id": str(uuid.uuid4()), "name": body["name"], "phone": {"number1": phone}}
        self.customers[customer["id"]] = customer
        return web.json_response({"id": customer["id"]}, status=201)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict):
            return problem(400, "ValidationError", "a parcel is an object")
        refusal = self._refusal(body)
        if refusal:
            return problem(400, "ValidationError", refusal)
        if any(p["externalId"] == body.get("externalId") for p in self.parcels.values()):
            return problem(
                409,
                "ParcelErrors.DuplicateExternalId",
                "A parcel with this external id already exists.",
            )
        parcel = self._store(body)
        if self.stall_create:
            stall, self.stall_create = self.stall_create, 0.0
            await asyncio.sleep(stall)
        answer = {"id": parcel["id"]} if self.create_answer is None else self.create_answer(parcel)
        return web.json_response(answer, status=201)

    def _territory(self, territory_id: object) -> dict[str, Any]:
        return next((t for t in self.territories if t["id"] == territory_id), {})

    def _state(self, state_id: object) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for flow in self.workflows:
            for state in flow["states"]:
                if state["id"] == state_id:
                    return flow, state
        return None

    def _refusal(self, body: dict[str, Any]) -> str:
        customer, address = body.get("customer") or {}, body.get("deliveryAddress") or {}
        city = self._territory(address.get("cityTerritoryId"))
        district = self._territory(address.get("districtTerritoryId"))
        phone = str((customer.get("phone") or {}).get("number1"))
        hubs = {h["id"]: h for h in HUBS}
        kind, hub = body.get("deliveryType"), body.get("hubId")
        products = body.get("orderedProducts")
        amount = body.get("amount")
        if not customer.get("name") or not _PHONE.fullmatch(phone):
            return "customer.name and customer.phone.number1 (+213…) are required"
        if city.get("level") != "wilaya":
            return "cityTerritoryId is not a wilaya"
        if district.get("parentId") != city["id"]:
            return "districtTerritoryId must belong to cityTerritoryId"
        if kind not in ("home", "pickup-point"):
            return "DeliveryType accepts 'home' or 'pickup-point'"
        if hub is not None and hub not in hubs:
            return "hubId is not a hub"
        if kind == "pickup-point" and not (hub and hubs[hub]["isPickupPoint"]):
            return "a pickup-point parcel needs a pickup point hubId"
        if (
            not isinstance(products, list)
            or not products
            or not all(
                isinstance(p, dict) and p.get("productName") and int(p.get("quantity") or 0) >= 1
                for p in products
            )
        ):
            return "orderedProducts: at least one product with a name and a quantity"
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            return "amount must be a number >= 0"
        if "stateId" in body and self._state(body["stateId"]) is None:
            return "stateId is not a state of the supplier's workflows"
        return ""

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        self._serial += 1
        city = self._territory(body["deliveryAddress"]["cityTerritoryId"])
        found = self._state(body.get("stateId")) if self.state_in_body else None
        flow, state = found or (self.workflows[0], self.workflows[0]["states"][0])
        parcel = {
            **{k: v for k, v in body.items() if k != "stateId"},
            "id": str(uuid.uuid4()),
            "trackingNumber": None,
            "pendingTracking": f"{city['code']:02d}-{self._serial:06d}-ZR",
            "lagLeft": self.tracking_lag,
            "deliveryPrice": 400.0,
            "isReturn": False,
            "createdAt": "2026-11-26T09:00:00",
            "workflow": flow,
            "history": [],
        }
        self._move(parcel, state["name"])
        self.parcels[parcel["id"]] = parcel
        if not self.tracking_lag:
            parcel["trackingNumber"] = parcel["pendingTracking"]
        return parcel

    def _move(self, parcel: dict[str, Any], name: str, situation: str = "") -> None:
        at = f"2026-11-26T{9 + len(parcel['history']):02d}:00:00"
        state = next((s for s in parcel["workflow"]["states"] if s["name"] == name), None)
        state_id = state["id"] if state else tid(f"unknown/{name}")
        parcel["state"] = {"id": state_id, "name": name, "description": name.replace("_", " ")}
        parcel["situation"] = {"name": situation, "description": situation} if situation else None
        parcel["lastStateUpdateAt"] = at
        parcel["history"].append(
            {"newState": {"name": name, "description": situation}, "createdAt": at}
        )

    def _find(self, key: str) -> dict[str, Any] | None:
        if key in self.parcels:
            return self.parcels[key]
        return next((p for p in self.parcels.values() if p["trackingNumber"] == key), None)

    async def _get(self, request: web.Request) -> web.Response:
        parcel = self._find(request.match_info["key"])
        if parcel is None:
            return problem(404, "Parcel not found")
        if parcel["trackingNumber"] is None:
            parcel["lagLeft"] -= 1
            if parcel["lagLeft"] < 0:
                parcel["trackingNumber"] = parcel["pendingTracking"]
        return web.json_response(_public(parcel))

    async def _history(self, request: web.Request) -> web.Response:
        parcel = self.parcels.get(request.match_info["key"])  # by UUID only
        if parcel is None:
            return problem(404, "Parcel not found")
        return web.json_response(parcel["history"])

    async def _set_state(self, request: web.Request) -> web.Response:
        parcel = self.parcels.get(request.match_info["key"])  # by UUID only
        body = await request.json()
        if parcel is None:
            return problem(404, "Parcel not found")
        if not isinstance(body, dict):
            return problem(400, "ValidationError", "an object is expected")
        if self.state_body == "newStateId":
            if body.get("parcelId") != parcel["id"] or "newStateId" not in body:
                return problem(400, "ValidationError", "", newStateId="'New State Id' is required")
            state_id = body["newStateId"]
        elif self.state_body != "stateId":  # a tenant where suppliers may not move parcels
            return problem(400, "ParcelErrors.StateChangeNotAllowed", "not allowed")
        else:
            if "stateId" not in body:
                return problem(400, "ValidationError", "", stateId="'State Id' is required")
            state_id = body["stateId"]
        state = next((s for s in parcel["workflow"]["states"] if s["id"] == state_id), None)
        if state is None:
            return problem(400, "ParcelErrors.InvalidState", "not a state of the parcel's workflow")
        self._move(parcel, state["name"])
        return web.json_response({"id": parcel["id"]})

    async def _delete(self, request: web.Request) -> web.Response:
        parcel = self.parcels.get(request.match_info["key"])  # by UUID only
        if parcel is None:
            return problem(404, "Parcel not found")
        if parcel["state"]["name"] not in DELETABLE:
            return problem(
                400,
                "ParcelErrors.CannotBeDeleted",
                "The parcel cannot be deleted in its current state.",
            )
        del self.parcels[parcel["id"]]
        return web.Response(status=204)

    # --- labels and pricing ----------------------------------------------------------

    async def _labels(self, request: web.Request) -> web.Response:
        body = await request.json()
        wanted = body.get("trackingNumbers") if isinstance(body, dict) else None
        if not isinstance(wanted, list) or not wanted:
            return problem(400, "ValidationError", "", trackingNumbers="required")
        known = {p["trackingNumber"] for p in self.parcels.values()}
        expires = f"?se={time.time() + 60:.0f}&sig=abc"
        files = [
            {"trackingNumber": t,
             "fileUrl": str(self.server.make_url(f"/blob/labels/{t}.pdf")) + expires}
            for t in wanted if t in known
        ]  # fmt: skip
        failed = [t for t in wanted if t not in known]
        return web.json_response({"parcelLabelFiles": files, "failedTrackingNumbers": failed})

    async def _file(self, request: web.Request) -> web.Response:
        if float(request.query.get("se", 0)) < time.time():
            return web.Response(status=403, text="AuthenticationFailed: signature expired")
        tracking = request.match_info["name"].removesuffix(".pdf")
        pdf = f"%PDF-1.4\n% ZR Express A6\n({tracking}) Tj\n%%EOF\n".encode()
        return web.Response(body=pdf, content_type="application/pdf")

    async def _rates(self, request: web.Request) -> web.Response:
        return web.json_response(RATES)


def _text(row: object) -> str:
    """What a keyword search looks into: every string of a row, nested ones included."""
    if isinstance(row, dict):
        return " ".join(_text(v) for v in row.values())
    if isinstance(row, list):
        return " ".join(_text(v) for v in row)
    return str(row).lower() if isinstance(row, str | int) else ""


def _public(parcel: dict[str, Any]) -> dict[str, Any]:
    hidden = ("history", "pendingTracking", "lagLeft", "workflow")
    return {k: v for k, v in parcel.items() if k not in hidden}
