"""A fake ZR Express new platform (reference/couriers.md §6) on 127.0.0.1, with its quirks:
X-Api-Key + X-Tenant (401 otherwise), ProblemDetails 400s, territory UUIDs checked on create,
parcels created in OrderReceived until their state is set, `{"id"}` as the only answer to a
create and a tracking number that may come a few reads later, bulk creates answering
`successes`/`failures` by index (≤100), paged `…/search` with advanced filters, state
history, labels as short-lived storage URLs (served without our credentials), delete by
UUID only before pickup, 429 with Retry-After, and a create that stalls after taking effect.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from couriers.base import Account

NS = uuid.UUID("0b9a3c52-7d7e-4f6e-9f59-3b1e6f2d8c10")
STATES = ("OrderReceived", "InProcessing", "ConfirmationCall", "OrderConfirmed", "InPreparation",
          "ReadyToDispatch", "ConfirmedAtBranch", "Dispatched", "InterWilayaTransit", "InDelivery",
          "OutForDelivery", "Delivered", "Collected", "Encaissé", "FailedDelivery", "OrderRefused",
          "InReturn", "Returned", "ReturnConfirmed", "Cancelled", "ReadyForPickup",
          "WaitingClient")  # fmt: skip
DELETABLE = {"OrderReceived", "InProcessing", "ConfirmationCall", "OrderConfirmed"}
DELETABLE |= {"InPreparation", "ReadyToDispatch"}
_GEO = {16: ("Alger", ["Alger Centre", "Bab El Oued", "Hydra"]), 31: ("Oran", ["Oran"])}
_GEO[9] = ("Blida", ["Blida", "Boufarik"])
_PHONE = re.compile(r"\+213[567]\d{8}")


def tid(name: str) -> str:
    """The deterministic UUID of a territory, hub or state name."""
    return str(uuid.uuid5(NS, name))


def _territory(key: str, name: str, code: int, parent: str | None, pickup: bool) -> dict[str, Any]:
    level = "commune" if parent else "wilaya"
    delivery = {"hasHomeDelivery": True, "hasPickupPoint": pickup}
    return {"id": tid(key), "code": code, "name": name, "nameArabic": "", "level": level,
            "parentId": parent, "delivery": delivery}  # fmt: skip


def _territories() -> list[dict[str, Any]]:
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
    listed = [{"deliveryType": kind, "price": price} for kind, price in prices.items()]
    return {"toTerritoryId": tid(key), "toTerritoryCode": code, "toTerritoryLevel": level,
            "deliveryPrices": listed}  # fmt: skip


RATES = {
    "rates": [
        _rate("Alger", 16, "wilaya", {"home": 400, "pickup-point": 250, "return": 200}),
        _rate("Oran", 31, "wilaya", {"home": 700}),
        _rate("16/Hydra", 1602, "commune", {"home": 500}),
    ]
}


def problem(status: int, title: str, **errors: str) -> web.Response:
    body = {"title": title, "status": status, "errors": {k: [v] for k, v in errors.items()}}
    return web.json_response(body, status=status, content_type="application/problem+json")


class FakeZrExpress:
    def __init__(self, api_key: str = "zr-key-1", tenant: str | None = None) -> None:
        self.api_key, self.tenant = api_key, tenant or tid("tenant")
        self.territories = _territories()
        self.parcels: dict[str, dict[str, Any]] = {}  # by UUID
        self.calls: list[tuple[str, str, Any, float]] = []  # method, path, body, time
        self.file_headers: list[dict[str, str]] = []  # headers seen by the storage host
        self.throttle: list[float] = []
        self.stall_create = 0.0
        self.tracking_lag = 0  # reads of a new parcel before its tracking number exists
        self._serial = 0
        app = web.Application(middlewares=[self._gate])
        self._routes(app)
        self.server = TestServer(app, host="127.0.0.1")

    def _routes(self, app: web.Application) -> None:
        api = "/api/v1/"
        for path, handler in (
            ("territories/search", self._search_rows(lambda: self.territories)),
            ("hubs/search", self._search_rows(lambda: HUBS)),
            ("workflows/search", self._search_rows(self._workflows)),
            (
                "parcels/search",
                self._search_rows(lambda: [_public(p) for p in self.parcels.values()]),
            ),
            ("parcels", self._create),
            ("parcels/bulk", self._bulk),
            ("parcels/labels/individual", self._labels),
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
            return web.Response(status=429, headers={"Retry-After": str(wait)})
        if request.path.startswith("/blob/"):
            self.file_headers.append(dict(request.headers))
        elif (request.headers.get("X-Api-Key"), request.headers.get("X-Tenant")) != (
            self.api_key,
            self.tenant,
        ):
            return problem(401, "Unauthorized")
        return await handler(request)

    # --- search ----------------------------------------------------------------------

    def _workflows(self) -> list[dict[str, Any]]:
        states = [{"id": tid(f"state/{name}"), "name": name} for name in STATES]
        return [{"id": tid("workflow"), "name": "Livraison standard", "states": states}]

    def _search_rows(self, rows: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            body = await request.json()
            found = [row for row in rows() if _matches(row, body.get("advancedFilter"))]
            page, size = int(body.get("pageNumber", 1)), min(int(body.get("pageSize", 10)), 100)
            items = found[(page - 1) * size : page * size]
            pages = max(1, -(-len(found) // size))
            return web.json_response({"items": items, "hasNext": page < pages, "totalPages": pages})

        return handler

    # --- parcels ---------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        refusal = self._refusal(body)
        if refusal:
            return problem(400, "One or more validation errors occurred.", **refusal)
        parcel = self._store(body)
        if self.stall_create:
            stall, self.stall_create = self.stall_create, 0.0
            await asyncio.sleep(stall)
        return web.json_response({"id": parcel["id"]}, status=201)

    async def _bulk(self, request: web.Request) -> web.Response:
        parcels = (await request.json()).get("parcels") or []
        if len(parcels) > 100:
            return problem(400, "Too many parcels", parcels="100 at most")
        successes, failures = [], []
        for index, body in enumerate(parcels):
            refusal = self._refusal(body)
            if refusal:
                failures.append({"index": index, "errors": refusal})
            else:
                successes.append({"index": index, "parcelId": self._store(body)["id"]})
        return web.json_response({"successes": successes, "failures": failures})

    def _territory(self, territory_id: object) -> dict[str, Any]:
        return next((t for t in self.territories if t["id"] == territory_id), {})

    def _refusal(self, body: dict[str, Any]) -> dict[str, str]:
        customer, address = body.get("customer") or {}, body.get("deliveryAddress") or {}
        city = self._territory(address.get("cityTerritoryId"))
        district = self._territory(address.get("districtTerritoryId"))
        phone = str((customer.get("phone") or {}).get("number1"))
        pickup_points = {h["id"] for h in HUBS if h["isPickupPoint"]}
        pickup = body.get("deliveryType") == "pickup-point"
        checks = {
            "customer.name": bool(customer.get("name")),
            "customer.phone.number1": bool(_PHONE.fullmatch(phone)),
            "deliveryAddress.cityTerritoryId": city.get("level") == "wilaya",
            "deliveryAddress.districtTerritoryId": bool(city)
            and district.get("parentId") == city["id"],
            "deliveryType": pickup or body.get("deliveryType") == "home",
            "hubId": not pickup or body.get("hubId") in pickup_points,
            "amount": isinstance(body.get("amount"), int) and body["amount"] >= 0,
            "orderedProducts": bool(body.get("orderedProducts")),
        }
        return {field: "invalid" for field, ok in checks.items() if not ok}

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        self._serial += 1
        city = self._territory(body["deliveryAddress"]["cityTerritoryId"])
        parcel = {
            **body,
            "id": str(uuid.uuid4()),
            "trackingNumber": None,
            "pendingTracking": f"{city['code']:02d}-{self._serial:06d}-ZR",
            "lagLeft": self.tracking_lag,
            "deliveryPrice": 400,
            "createdAt": "2026-11-26T09:00:00Z",
            "history": [],
        }
        self._move(parcel, "OrderReceived")
        self.parcels[parcel["id"]] = parcel
        if not self.tracking_lag:
            parcel["trackingNumber"] = parcel["pendingTracking"]
        return parcel

    def _move(self, parcel: dict[str, Any], state: str, situation: str = "") -> None:
        at = f"2026-11-26T{9 + len(parcel['history']):02d}:00:00Z"
        parcel["state"] = {"id": tid(f"state/{state}"), "name": state}
        parcel["situation"] = {"name": situation} if situation else None
        parcel["lastStateUpdateAt"] = at
        parcel["history"].append(
            {"newState": {"name": state, "description": situation}, "createdAt": at}
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
        parcel = self.parcels.get(request.match_info["key"])
        state_id = (await request.json()).get("stateId")
        names = {tid(f"state/{name}"): name for name in STATES}
        if parcel is None:
            return problem(404, "Parcel not found")
        if state_id not in names:
            return problem(400, "Unknown state", stateId="invalid")
        self._move(parcel, names[state_id])
        return web.Response(status=204)

    async def _delete(self, request: web.Request) -> web.Response:
        parcel = self.parcels.get(request.match_info["key"])  # by UUID only
        if parcel is None:
            return problem(404, "Parcel not found")
        if parcel["state"]["name"] not in DELETABLE:
            return problem(409, "Parcel already picked up")
        del self.parcels[parcel["id"]]
        return web.Response(status=204)

    # --- labels and pricing ----------------------------------------------------------

    async def _labels(self, request: web.Request) -> web.Response:
        wanted = (await request.json()).get("trackingNumbers") or []
        known = {p["trackingNumber"] for p in self.parcels.values()}
        files = [
            {
                "trackingNumber": t,
                "fileUrl": str(self.server.make_url(f"/blob/labels/{t}.html"))
                + f"?se={time.time() + 60:.0f}&sig=abc",
            }
            for t in wanted
            if t in known
        ]
        failed = [t for t in wanted if t not in known]
        return web.json_response({"parcelLabelFiles": files, "failedTrackingNumbers": failed})

    async def _file(self, request: web.Request) -> web.Response:
        if float(request.query.get("se", 0)) < time.time():
            return web.Response(status=403, text="AuthenticationFailed: signature expired")
        tracking = request.match_info["name"].removesuffix(".html")
        html = f"<html><body><h1>ZR Express</h1><p>{tracking}</p></body></html>"
        return web.Response(text=html, content_type="text/html")

    async def _rates(self, request: web.Request) -> web.Response:
        return web.json_response(RATES)


def _matches(row: dict[str, Any], advanced: dict[str, Any] | None) -> bool:
    if not advanced or not advanced.get("filters"):
        return True
    hits = [
        f.get("operator") == "eq" and row.get(f["field"]) == f.get("value")
        for f in advanced["filters"]
    ]
    return any(hits) if advanced.get("logic") == "or" else all(hits)


def _public(parcel: dict[str, Any]) -> dict[str, Any]:
    hidden = ("history", "pendingTracking", "lagLeft")
    return {k: v for k, v in parcel.items() if k not in hidden}
