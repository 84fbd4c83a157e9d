"""A fake Yalidine API (reference/couriers.md §2) for driving the real adapter: aiohttp on
127.0.0.1, stateful, speaking the documented wire format with its quirks: X-API-ID and
X-API-TOKEN, creates as a JSON array answered per order_id with a `success` flag each (HTTP
200 even when a parcel fails), names (accents matter) instead of ids, paginated envelopes
with `fields` projections and comma-OR filters, deletes only while "En préparation", public
label pages, and the four quota windows (each timer starts at its first request, as the newer
docs say) with `x-…-quota-left` headers and 429 + Retry-After once one is spent.

Test controls: `advance` moves a parcel, `seed` adds parcels in bulk, `spend` uses quota as
another process would, `force_429` and `break_after` inject faults, `create_delay` answers a
create late after it took effect. A FakeClock shared with the adapter drives the windows.

Webhooks as Yalidine's dashboard makes them (§2.8): `add_webhook` checks the address with
a GET `crc_token` handshake, then returns the webhook's secret key; from then on every
`advance` is also POSTed to it as a `parcel_status_updated` batch signed with hex
HMAC-SHA256 of the body (`X-YALIDINE-SIGNATURE`); `push` sends what is pending.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

API_ID, API_TOKEN = "94986571734304520846", "5MKfvcyQtO3eouL6tDv0VDFhUT8Sc7w5"
QUOTAS = {"second": (1.0, 5), "minute": (60.0, 50), "hour": (3600.0, 1000), "day": (86400.0, 10000)}
Row = dict[str, Any]

# wilaya id → (name, zone, deliverable); communes: id → (wilaya, name, stop desk, deliverable)
WILAYAS = {
    5: ("Batna", 2, 1), 6: ("Béjaïa", 2, 1), 16: ("Alger", 1, 1), 19: ("Sétif", 2, 1),
    21: ("Skikda", 2, 1), 33: ("Illizi", 4, 0),
}  # fmt: skip
COMMUNES = {
    501: (5, "Batna", 1, 1), 601: (6, "Béjaïa", 1, 1), 1601: (16, "Alger Centre", 1, 1),
    1630: (16, "Bordj El Kiffan", 1, 1), 1641: (16, "Ouled Fayet", 0, 1),
    1645: (16, "El Marsa", 0, 1), 1699: (16, "Zone Militaire", 0, 0),
    1901: (19, "Sétif", 1, 1), 1902: (19, "Aïn Arnat", 1, 1), 1920: (19, "Beni Fouda", 0, 1),
    2138: (21, "El Marsa", 0, 1), 3301: (33, "Illizi", 0, 1),
}  # fmt: skip
CENTERS = {
    50101: (501, "Centre de Batna", "Cité 1000 logements"),
    160101: (1601, "Centre Alger Centre", "Rue Didouche Mourad"),
    163001: (1630, "Centre de Bordj El Kiffan", "Cité Kaidi"),
    190201: (1902, "Centre de Aïn Arnat", "Route nationale 5"),
}
REMOTE = {1920}  # communes with a surcharge: the wilaya's usual fee is the others'
REQUIRED = (
    "order_id", "from_wilaya_name", "firstname", "familyname", "contact_phone", "address",
    "to_commune_name", "to_wilaya_name", "product_list", "price", "do_insurance",
    "declared_value", "length", "width", "height", "weight", "freeshipping", "is_stopdesk",
    "has_exchange",
)  # fmt: skip
SEED_ITEM = {
    "from_wilaya_name": "Batna", "firstname": "Amine", "familyname": "Saidi",
    "contact_phone": "0550123456", "address": "Cité", "to_wilaya_name": "Alger",
    "to_commune_name": "Bordj El Kiffan", "product_list": "Article", "price": 2900,
    "freeshipping": True, "is_stopdesk": False, "has_exchange": False, "declared_value": 2400,
}  # fmt: skip
PHONE = re.compile(r"0\d{8,9}(,0\d{8,9})*,?")
EPOCH = datetime(2026, 11, 20, 8, 0, 0)


class FakeClock:
    """Time for the quota windows on both sides; `sleep` moves it instead of waiting."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Windows:
    """Yalidine's four quotas; each timer starts at the first request after its reset."""

    def __init__(self) -> None:
        self.start: dict[str, float | None] = dict.fromkeys(QUOTAS)
        self.used = dict.fromkeys(QUOTAS, 0)

    def _roll(self, now: float) -> None:
        for name, (seconds, _) in QUOTAS.items():
            start = self.start[name]
            if start is not None and now - start >= seconds:
                self.start[name], self.used[name] = None, 0

    def spent(self, now: float) -> list[str]:
        self._roll(now)
        return [name for name, (_, allowed) in QUOTAS.items() if self.used[name] >= allowed]

    def count(self, now: float, n: int = 1, names: Iterable[str] = QUOTAS) -> None:
        self._roll(now)
        for name in names:
            self.start[name] = now if self.start[name] is None else self.start[name]
            self.used[name] += n

    def retry_after(self, now: float, names: list[str]) -> int:
        ends = [(self.start[n] or now) + QUOTAS[n][0] - now for n in names]
        return max(1, math.ceil(max(ends)))

    def headers(self) -> dict[str, str]:
        return {
            f"x-{name}-quota-left": str(max(0, allowed - self.used[name]))
            for name, (_, allowed) in QUOTAS.items()
        }


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    at: float
    status: int = 0


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message}}, status=status)


def _project(row: Row, fields: str | None, always: str) -> Row:
    keep = set(fields.split(",")) | {always} if fields else None
    return {k: v for k, v in row.items() if not k.startswith("_") and (keep is None or k in keep)}


def _matches(row: Row, query: Any, filters: Iterable[str]) -> bool:
    return all(str(row.get(f)) in query[f].split(",") for f in filters if f in query)


class FakeYalidine:
    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.windows = Windows()
        self.parcels: dict[str, Row] = {}
        self.events: dict[str, list[Row]] = {}
        self.seen: list[Seen] = []
        self.creates: list[list[Row]] = []
        self.label_requests: list[dict[str, str]] = []
        # Replaces the label page for a valid link (a redirect, a huge or odd document).
        self.label_answer: Callable[[web.Request], Awaitable[web.StreamResponse]] | None = None
        self.over_quota = 0  # 429s the quota windows caused (not forced ones)
        self.create_delay = 0.0
        self._forced: list[int] = []  # Retry-After of forced 429s still to send
        self.odd: dict[tuple[str, str], web.Response] = {}  # (method, path) → odd 200, once
        self._break: tuple[int, int] | None = None  # (requests left before, status)
        self._seq = 0
        self.webhooks: list[tuple[str, str]] = []  # (address, secret key)
        self.pending: list[Row] = []  # webhook events not pushed yet
        self.pushed: list[int] = []  # the HTTP status each webhook delivery got
        self.origin = self.base_url = ""
        self.app = web.Application(middlewares=[self._gate])
        self.app.add_routes(
            [
                web.post("/v1/parcels/", self._create),
                web.get("/v1/parcels/", self._parcels),
                web.get("/v1/parcels/{tracking}", self._parcels),
                web.delete("/v1/parcels/", self._delete),
                web.delete("/v1/parcels/{tracking}", self._delete),
                web.get("/v1/histories/", self._histories),
                web.get("/v1/histories/{tracking}", self._histories),
                web.get("/v1/wilayas/", self._wilayas),
                web.get("/v1/communes/", self._communes),
                web.get("/v1/centers/", self._centers),
                web.get("/v1/fees/", self._fees),
                web.get("/app/bordereau.php", self._label),
            ]
        )
        self._server: TestServer | None = None

    # --- lifecycle and controls ---------------------------------------------------------------

    async def start(self) -> str:
        self._server = TestServer(self.app, host="127.0.0.1")
        await self._server.start_server()
        self.origin = str(self._server.make_url("/")).rstrip("/")
        self.base_url = f"{self.origin}/v1/"
        return self.base_url

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def spend(self, n: int, names: Iterable[str] = QUOTAS) -> None:
        """Another process with the same keys made `n` requests just now."""
        self.windows.count(self.clock(), n, names)

    def force_429(self, times: int, retry_after: int) -> None:
        self._forced += [retry_after] * times

    def break_after(self, requests: int, status: int = 503) -> None:
        """Answer `status` to every request after the next `requests` ones."""
        self._break = (requests, status)

    def admitted(self) -> list[Seen]:
        return [s for s in self.seen if s.status != 429]

    def _date(self) -> str:
        self._seq += 1
        return (EPOCH + timedelta(seconds=self.clock() + self._seq)).strftime("%Y-%m-%d %H:%M:%S")

    def advance(self, tracking: str, status: str, reason: str = "") -> None:
        """The courier moves the parcel: a history event and a new last status."""
        parcel = self.parcels[tracking]
        date = self._date()
        parcel.update(last_status=status, date_last_status=date)
        commune = COMMUNES[parcel["to_commune_id"]]
        self.events[tracking].append(
            {"date_status": date, "tracking": tracking, "status": status, "reason": reason,
             "center_id": None, "center_name": None, "wilaya_id": commune[0],
             "wilaya_name": WILAYAS[commune[0]][0], "commune_id": parcel["to_commune_id"],
             "commune_name": commune[1], "_seq": self._seq}
        )  # fmt: skip
        if self.webhooks:
            self.pending.append(
                {"event_id": secrets.token_hex(8), "occurred_at": date,
                 "data": {"tracking": tracking, "status": status, "reason": reason}}
            )  # fmt: skip

    async def add_webhook(self, url: str) -> str:
        """The merchant adds a webhook in the dashboard: Yalidine checks the address first
        (GET with crc_token, echoed back within 10 s) and then shows its secret key."""
        token = secrets.token_urlsafe(12)
        query = {"subscribe": "parcel_status_updated", "crc_token": token}
        async with ClientSession() as http, http.get(url, params=query, timeout=10) as answer:
            body = await answer.json(content_type=None) if answer.status == 200 else None
        if body != {"crc_token": token}:
            raise ValueError(f"webhook check failed: HTTP {answer.status} {body!r}")
        secret = secrets.token_hex(16)
        self.webhooks.append((url, secret))
        return secret

    async def push(self) -> list[int]:
        """Deliver the pending events to every webhook, as one signed batch."""
        events, self.pending = self.pending, []
        if not events:
            return []
        body = json.dumps({"type": "parcel_status_updated", "events": events}).encode()
        statuses = []
        async with ClientSession() as http:
            for url, secret in self.webhooks:
                signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                headers = {"X-YALIDINE-SIGNATURE": signature, "Content-Type": "application/json"}
                async with http.post(url, data=body, headers=headers) as answer:
                    statuses.append(answer.status)
        self.pushed += statuses
        return statuses

    def seed(self, count: int, statuses: list[str], reason: str = "") -> list[str]:
        """`count` parcels made elsewhere, their statuses cycling through `statuses`."""
        made = []
        for n in range(count):
            item = SEED_ITEM | {"order_id": f"SEED-{n}"}
            tracking = self._store(item, import_id=0)["tracking"]
            if statuses[n % len(statuses)] != "En préparation":
                self.advance(tracking, statuses[n % len(statuses)], reason)
            made.append(tracking)
        return made

    # --- the gate: credentials, faults, quotas ------------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/v1/"):
            return await handler(request)
        if (request.headers.get("X-API-ID"), request.headers.get("X-API-TOKEN")) != (
            API_ID,
            API_TOKEN,
        ):
            return _error(401, "Unauthorized: wrong X-API-ID or X-API-TOKEN")
        now = self.clock()
        seen = Seen(request.method, request.path, dict(request.query), now)
        self.seen.append(seen)
        response = self._refusal(now)
        if response is None and (odd := self.odd.pop((request.method, request.path), None)):
            self.windows.count(now)
            response = odd
        if response is None:
            self.windows.count(now)
            response = await handler(request)
        response.headers.update(self.windows.headers())
        seen.status = response.status
        return response

    def _refusal(self, now: float) -> web.Response | None:
        if self._forced:
            return self._too_many(self._forced.pop(0))
        if spent := self.windows.spent(now):
            self.over_quota += 1
            return self._too_many(self.windows.retry_after(now, spent))
        if self._break is not None:
            left, status = self._break
            self._break = (left - 1, status)
            if left <= 0:
                return _error(status, "Service unavailable")
        return None

    def _too_many(self, retry_after: int) -> web.Response:
        response = _error(429, "Too many requests")
        response.headers["Retry-After"] = str(retry_after)
        return response

    # --- parcels ------------------------------------------------------------------------------

    def _invalid(self, item: Row) -> str | None:
        for key in REQUIRED:
            if item.get(key) is None or item.get(key) == "":
                return f"The {key} parameter is required"
        for key in ("do_insurance", "freeshipping", "is_stopdesk", "has_exchange"):
            if not isinstance(item[key], bool) and item[key] not in (0, 1):
                return f"The {key} parameter must be of type boolean"
        for key in ("price", "declared_value", "length", "width", "height", "weight"):
            value = item[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                return f"The {key} parameter must be a positive integer"
        if item["price"] > 150_000 or item["declared_value"] > 150_000:
            return "The price and declared_value must be between 0 and 150000"
        if not PHONE.fullmatch(str(item["contact_phone"])):
            return "The contact_phone parameter is not a valid phone number"
        return self._invalid_place(item)

    def _invalid_place(self, item: Row) -> str | None:
        names = {w[0]: code for code, w in WILAYAS.items() if w[2]}
        if item["from_wilaya_name"] not in names:
            return "The from_wilaya_name parameter is not a valid wilaya name"
        wilaya = names.get(item["to_wilaya_name"])
        if wilaya is None:
            return "The to_wilaya_name parameter is not a valid wilaya name"
        if not any(c[:2] == (wilaya, item["to_commune_name"]) and c[3] for c in COMMUNES.values()):
            return "The to_commune_name parameter is not a commune of to_wilaya_name"
        if item["is_stopdesk"]:
            center = CENTERS.get(item.get("stopdesk_id") or 0)
            if center is None or COMMUNES[center[0]][0] != wilaya:
                return "The stopdesk_id parameter is not a center of to_wilaya_name"
        if item["has_exchange"] and not item.get("product_to_collect"):
            return "The product_to_collect parameter is required when has_exchange is true"
        return None

    def _store(self, item: Row, import_id: int) -> Row:
        tracking, token = f"yal-{len(self.parcels) + 1:06X}", secrets.token_hex(8)
        wilaya = next(c for c, w in WILAYAS.items() if w[0] == item["to_wilaya_name"])
        commune = next(i for i, c in COMMUNES.items() if c[:2] == (wilaya, item["to_commune_name"]))
        desk = bool(item["is_stopdesk"])
        center = CENTERS.get(item.get("stopdesk_id") or 0) if desk else None
        date = self._date()
        self.parcels[tracking] = {
            **{k: item.get(k) for k in REQUIRED}, "tracking": tracking,
            "is_stopdesk": int(desk), "stopdesk_id": item.get("stopdesk_id") if desk else None,
            "stopdesk_name": center[1] if center else None, "to_wilaya_id": wilaya,
            "to_commune_id": commune, "from_wilaya_id": 5,
            "delivery_fee": fee_of(commune, desk), "import_id": import_id,
            "date_creation": date, "date_expedition": None, "date_last_status": date,
            "last_status": "En préparation", "payment_status": "not-ready", "_seq": self._seq,
            "label": f"{self.origin}/app/bordereau.php?tracking={tracking}&token={token}",
        }  # fmt: skip
        self.events[tracking] = []
        self.advance(tracking, "En préparation")
        return self.parcels[tracking]

    async def _create(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "The body must be JSON")
        if not isinstance(body, list) or not body or not all(isinstance(i, dict) for i in body):
            return _error(400, "Send an array of one or many parcels")
        self.creates.append(body)
        answer: dict[str, Row] = {}
        import_id = len(self.creates)
        for item in body:
            order_id = str(item.get("order_id", ""))
            problem = self._invalid(item)
            if order_id in answer:
                problem = "The order_id must be unique within the request"
            answer[order_id] = self._answer(item, order_id, problem, import_id)
        if self.create_delay:  # the parcels exist; the answer comes too late
            await asyncio.sleep(self.create_delay)
        return web.json_response(answer)

    def _answer(self, item: Row, order_id: str, problem: str | None, import_id: int) -> Row:
        if problem:
            empty = dict.fromkeys(("tracking", "import_id", "label", "labels"))
            return {"success": False, "order_id": order_id, **empty, "message": problem}
        parcel = self._store(item, import_id)
        labels = f"{self.origin}/app/bordereau.php?import_id={import_id}&token=all"
        return {"success": True, "order_id": order_id, "tracking": parcel["tracking"],
                "import_id": import_id, "label": parcel["label"], "labels": labels,
                "message": ""}  # fmt: skip

    async def _parcels(self, request: web.Request) -> web.Response:
        query = request.query
        wanted = request.match_info.get("tracking") or query.get("tracking")
        rows = (
            [self.parcels[t] for t in dict.fromkeys(wanted.split(",")) if t in self.parcels]
            if wanted
            else list(self.parcels.values())
        )
        rows = [r for r in rows if _matches(r, query, ("order_id", "last_status", "to_wilaya_id"))]
        return self._listing(request, rows, "date_creation", "tracking")

    async def _delete(self, request: web.Request) -> web.Response:
        wanted = request.match_info.get("tracking") or request.query.get("tracking", "")
        answer = []
        for tracking in filter(None, wanted.split(",")):
            parcel = self.parcels.get(tracking)
            ok = parcel is not None and parcel["last_status"] == "En préparation"
            if ok:
                del self.parcels[tracking], self.events[tracking]
            answer.append({"tracking": tracking, "deleted": ok})
        return web.json_response(answer)

    async def _histories(self, request: web.Request) -> web.Response:
        query = request.query
        wanted = request.match_info.get("tracking") or query.get("tracking")
        trackings = wanted.split(",") if wanted else list(self.events)
        rows = [e for t in dict.fromkeys(trackings) for e in self.events.get(t, [])]
        rows = [r for r in rows if _matches(r, query, ("status", "reason"))]
        return self._listing(request, rows, "date_status", "tracking")

    def _listing(self, request: web.Request, rows: list[Row], order: str, always: str) -> Any:
        query = request.query
        size, page = int(query.get("page_size", 100)), int(query.get("page", 1))
        if not 1 <= size <= 1000:
            return _error(400, "page_size must be between 1 and 1000")
        key = query.get("order_by", order)
        descending = "asc" not in query and ("desc" in query or key == order)
        rows = sorted(rows, key=lambda r: (str(r.get(key)), r.get("_seq", 0)), reverse=descending)
        chunk = rows[(page - 1) * size : page * size]
        more = page * size < len(rows)
        links = {"self": str(request.url)} | ({"next": f"?page={page + 1}"} if more else {})
        data = [_project(row, query.get("fields"), always) for row in chunk]
        body = {"has_more": more, "total_data": len(rows), "data": data, "links": links}
        return web.json_response(body)

    async def _label(self, request: web.Request) -> web.StreamResponse:
        self.label_requests.append(dict(request.headers))
        tracking = request.query.get("tracking", "")
        parcel = self.parcels.get(tracking)
        if parcel is None or not parcel["label"].endswith(f"token={request.query.get('token')}"):
            return web.Response(status=403, text="Lien invalide")
        if self.label_answer is not None:
            return await self.label_answer(request)
        page = f"<html><body><h1>Bordereau {tracking}</h1><p>{parcel['price']} DA</p></body></html>"
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    # --- reference data -----------------------------------------------------------------------

    async def _wilayas(self, request: web.Request) -> web.Response:
        rows = [
            {"id": code, "name": name, "zone": zone, "is_deliverable": ok}
            for code, (name, zone, ok) in WILAYAS.items()
        ]
        return self._listing(request, rows, "id", "id")

    async def _communes(self, request: web.Request) -> web.Response:
        rows = [
            {"id": i, "name": name, "wilaya_id": w, "wilaya_name": WILAYAS[w][0],
             "has_stop_desk": desk, "is_deliverable": ok, "delivery_time_parcel": 2,
             "delivery_time_payment": 7}
            for i, (w, name, desk, ok) in COMMUNES.items()
        ]  # fmt: skip
        rows = [r for r in rows if _matches(r, request.query, ("wilaya_id", "id"))]
        return self._listing(request, sorted(rows, key=lambda r: r["id"]), "id", "id")

    async def _centers(self, request: web.Request) -> web.Response:
        rows = [
            {"center_id": cid, "name": name, "address": address, "gps": "36.7,3.2",
             "commune_id": commune, "commune_name": COMMUNES[commune][1],
             "wilaya_id": COMMUNES[commune][0], "wilaya_name": WILAYAS[COMMUNES[commune][0]][0]}
            for cid, (commune, name, address) in CENTERS.items()
        ]  # fmt: skip
        rows = [r for r in rows if _matches(r, request.query, ("wilaya_id", "center_id"))]
        return self._listing(request, rows, "center_id", "center_id")

    async def _fees(self, request: web.Request) -> web.Response:
        try:
            origin, to = int(request.query["from_wilaya_id"]), int(request.query["to_wilaya_id"])
        except (KeyError, ValueError):
            return _error(400, "You must supply both from_wilaya_id and to_wilaya_id")
        communes = {i: c for i, c in COMMUNES.items() if c[0] == to}
        per_commune = {
            str(i): {"commune_id": i, "commune_name": c[1], "express_home": fee_of(i, False),
                     "express_desk": fee_of(i, True) if c[2] else None,
                     "economic_home": None, "economic_desk": None}
            for i, c in communes.items()
        }  # fmt: skip
        return web.json_response(
            {"from_wilaya_name": WILAYAS[origin][0], "to_wilaya_name": WILAYAS[to][0],
             "zone": WILAYAS[to][1], "retour_fee": 250, "cod_percentage": 0.75,
             "insurance_percentage": 0.75, "oversize_fee": 100, "per_commune": per_commune}
        )  # fmt: skip


def fee_of(commune: int, desk: bool) -> int:
    """Express fee to a commune: by its wilaya's zone, with a surcharge for remote ones."""
    zone = WILAYAS[COMMUNES[commune][0]][1]
    return (300 + 100 * zone if desk else 400 + 150 * zone) + (200 if commune in REMOTE else 0)
