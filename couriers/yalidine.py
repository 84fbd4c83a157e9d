"""Yalidine and its clone hosts (reference/couriers.md §2): one API, several companies.

    courier       company         default base URL
    yalidine      Yalidine        https://api.yalidine.app/v1/
    yalitec       Yalitec         https://api.yalitec.me/v1/
    guepex        Guepex          https://api.guepex.app/v1/
    economiqua    Economiqua      https://api.economiqua.app/v1/
    easyandspeed  Easy & Speed    https://api.easyandspeed.app/v1/
    wecan         WeCan Services  https://api.wecanservices.me/v1/

Clones differ only by host (their `/v1/` path is assumed to be Yalidine's); an account's
`base_url` wins. Credentials: `api_id`, `api_token` (X-API-ID, X-API-TOKEN) and
`from_wilaya`, the sender's wilaya (code 1-58 or name), which creates and fees need.
Wilaya and commune travel by name, in Yalidine's own spelling found by code and folded name
within the wilaya ("Ain Arnat" ships as "Aïn Arnat"). COD semantics: wire.parcel_payload.
Labels are public HTML pages (bordereau.php): their bytes are downloaded without our keys.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from couriers import yalidine_statuses as wire
from couriers.base import (
    NEEDS_ACTION,
    Account,
    Capabilities,
    CourierCommune,
    CourierError,
    CourierRejected,
    CourierUnavailable,
    CourierWilaya,
    CreatedParcel,
    Fee,
    Label,
    ParcelNotFound,
    ParcelRequest,
    ParcelState,
    StopDesk,
    fold,
)
from couriers.http import TIMEOUT, HttpClient, Quota

log = logging.getLogger(__name__)
Row = dict[str, Any]

BASE_URLS = {
    "yalidine": "https://api.yalidine.app/v1/",
    "yalitec": "https://api.yalitec.me/v1/",
    "guepex": "https://api.guepex.app/v1/",
    "economiqua": "https://api.economiqua.app/v1/",
    "easyandspeed": "https://api.easyandspeed.app/v1/",
    "wecan": "https://api.wecanservices.me/v1/",
}
CLONES = tuple(name for name in BASE_URLS if name != "yalidine")
# 5/s, 50/min, 1000/h, 10000/day as sliding windows, padded because we count departures and
# Yalidine arrivals; its x-…-quota-left headers tell us what other processes spent.
WINDOWS = {1.25: 5, 61.0: 50, 3601.0: 1000, 86401.0: 10000}
QUOTA_HEADERS = dict(
    zip(("x-second-quota-left", "x-minute-quota-left", "x-hour-quota-left", "x-day-quota-left"),
        WINDOWS, strict=True)
)  # fmt: skip
MAX_WAIT = 120.0  # an hour or day window spent: CourierRateLimited, the caller retries later
# no documented cap on ?tracking=a,b,…; 500 keeps the URL near 6 KB, under the usual 8 KB
TRACK_BATCH, TRACK_CHARS = 500, 6000
MAX_PAGES, MAX_LABEL_BYTES = 100, 5_000_000
# A label is a PDF or Yalidine's bordereau page (HTML, reference/couriers.md §2.9); a PDF
# must look like one. Anything else (an image, a login page's JSON, a binary) is no label.
LABEL_TYPES = {"application/pdf": b"%PDF-", "text/html": b""}


class YalidineCourier:
    """The Yalidine API for one account (Yalidine or a clone host)."""

    name = "yalidine"
    capabilities = Capabilities(
        webhooks=True, cancel=True, labels="url", create_batch=1, track_batch=TRACK_BATCH
    )

    def __init__(
        self,
        account: Account,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        api_id, api_token = account.need("api_id", "api_token")
        self.name = account.courier if account.courier in BASE_URLS else "yalidine"
        self.origin = account.credentials.get("from_wilaya", "").strip()
        self.quota = Quota(WINDOWS, clock, sleep)
        self.quota.header_windows, self.quota.max_wait = dict(QUOTA_HEADERS), MAX_WAIT
        headers = {"X-API-ID": api_id, "X-API-TOKEN": api_token, "Accept": "application/json"}
        base_url = account.base_url or BASE_URLS[self.name]
        self.http = HttpClient(base_url, headers, self.quota, transport, timeout)
        self.public = httpx.AsyncClient(timeout=timeout, transport=transport)  # labels: no keys
        self._wilayas: dict[int, Row] = {}
        self._communes: dict[int, list[Row]] = {}
        self._labels: dict[str, str] = {}

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return wire.answer(await self.http.request(method, path, **kwargs))

    async def _list(self, path: str, **params: Any) -> list[Row]:
        """Every row of a paginated list ({has_more, total_data, data, links})."""
        rows: list[Row] = []
        for page in range(1, MAX_PAGES + 1):
            if not wire.page(await self._json("GET", path, params={**params, "page": page}), rows):
                return rows
        log.warning("yalidine list cut path=%s pages=%d", path, MAX_PAGES)
        return rows

    async def _parcel(self, tracking: str, fields: str) -> Row:
        rows = await self._list(f"parcels/{quote(tracking, safe='')}", fields=fields)
        if not rows:
            raise ParcelNotFound(f"yalidine: no parcel {tracking}")
        return rows[0]

    # --- reference data --------------------------------------------------------------------

    async def test_credentials(self) -> None:
        """The keys read the wilayas (Yalidine's own test call) and from_wilaya is one."""
        await self._origin_code()

    async def _wilaya_rows(self) -> dict[int, Row]:
        if not self._wilayas:
            rows = await self._list("wilayas/", page_size=1000)
            self._wilayas = {wire.number(row.get("id")) or 0: row for row in rows}
        return self._wilayas

    async def _commune_rows(self, wilaya: int) -> list[Row]:
        if wilaya not in self._communes:
            self._communes[wilaya] = await self._list("communes/", wilaya_id=wilaya, page_size=1000)
        return self._communes[wilaya]

    async def wilayas(self) -> list[CourierWilaya]:
        rows = sorted((await self._wilaya_rows()).items())
        return [CourierWilaya(code, str(row["name"])) for code, row in rows if wire.served(row)]

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        rows = await self._commune_rows(wilaya_code_58)
        return [wire.commune(row, wilaya_code_58) for row in rows if wire.served(row)]

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        where = {} if wilaya_code_58 is None else {"wilaya_id": wilaya_code_58}
        rows = await self._list("centers/", page_size=1000, **where)
        return [wire.stop_desk(row) for row in rows]

    async def fees(self) -> list[Fee]:
        """Express fees from the sender's wilaya, one request per wilaya. Yalidine prices
        each commune; our table is per wilaya, so each gets what most of its communes pay."""
        origin, table = await self._origin_code(), []
        for wilaya in await self.wilayas():
            where = {"from_wilaya_id": origin, "to_wilaya_id": wilaya.code_58}
            body = await self._json("GET", "fees/", params=where)
            per_commune = body.get("per_commune") if isinstance(body, dict) else None
            rows = [r for r in (per_commune or {}).values() if isinstance(r, dict)]
            home, desk = (wire.typical(row.get(key) for row in rows) for key in wire.EXPRESS)
            table.append(Fee(wilaya.code_58, home, desk))
        return table

    async def _origin_code(self) -> int:
        if not self.origin:
            raise CourierRejected(
                "yalidine: the sender's wilaya (from_wilaya) is missing; creates and fees need"
                " it: give its code (1-58) or its name"
            )
        for code, row in (await self._wilaya_rows()).items():
            if self.origin and fold(self.origin) in (str(code), fold(row.get("name", ""))):
                return code
        raise CourierRejected(f"yalidine: from_wilaya {self.origin!r} is not a wilaya code or name")

    async def _wilaya_name(self, code: int) -> str:
        row = (await self._wilaya_rows()).get(code)
        if row is None or not wire.served(row):
            raise CourierRejected(f"yalidine does not deliver to wilaya {code}")
        return str(row["name"])

    async def _commune_name(self, wilaya: int, name: str) -> str:
        for row in await self._commune_rows(wilaya):  # homonyms: only within the wilaya
            if fold(row.get("name", "")) == fold(name) and wire.served(row):
                return str(row["name"])
        raise CourierRejected(f"yalidine does not deliver to {name!r} (wilaya {wilaya})")

    # --- parcels ---------------------------------------------------------------------------

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        wire.check_request(request)
        origin = await self._wilaya_name(await self._origin_code())
        wilaya = await self._wilaya_name(request.wilaya_code_58)
        commune = await self._commune_name(request.wilaya_code_58, request.commune_name)
        payload = wire.parcel_payload(request, origin, wilaya, commune)
        body = await self._json("POST", "parcels/", json=[payload])
        entry = wire.created(body, request.reference)
        tracking, label_url = str(entry["tracking"]), wire.text(entry.get("label"))
        if label_url:
            self._labels[tracking] = label_url
        try:  # the create answer has no fee; the parcel does
            row = await self._parcel(tracking, "tracking,delivery_fee")
        except CourierError as exc:
            log.warning("yalidine fee unread tracking=%s error=%s", tracking, exc)
            row = {}
        fee = wire.number(row.get("delivery_fee"))
        return CreatedParcel(tracking, request.reference, label_url, fee, entry)

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        """The parcel whose order_id is our reference (`GET /parcels/?order_id=`, exact
        matches only; the oldest when a past mistake made several)."""
        if "," in reference:
            raise CourierRejected("yalidine: the reference may not contain a comma")
        params = {"order_id": reference, "fields": wire.FIND_FIELDS, "order_by": "date_creation"}
        rows = await self._list("parcels/", **params, asc="")
        row = wire.oldest_of(rows, reference)
        if row is None:
            return None
        label_url, fee = wire.text(row.get("label")), wire.number(row.get("delivery_fee"))
        return CreatedParcel(str(row["tracking"]), reference, label_url, fee, row)

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        """What Yalidine says of each parcel; deleted or unknown trackings are absent. When
        a batch fails after others were read, the states read so far are returned."""
        states: dict[str, ParcelState] = {}
        try:
            for batch in wire.batches(trackings, TRACK_BATCH, TRACK_CHARS):
                await self._read(batch, states)
            await self._add_reasons(states)
        except CourierUnavailable as exc:
            if not states:
                raise
            log.warning("yalidine sync cut short read=%d error=%s", len(states), exc)
        return states

    async def _read(self, batch: list[str], states: dict[str, ParcelState]) -> None:
        wanted, joined = set(batch), ",".join(batch)
        rows = await self._list(
            "parcels/", tracking=joined, fields=wire.TRACK_FIELDS, page_size=1000
        )
        for row in (row for row in rows if row.get("tracking") in wanted):
            states[row["tracking"]] = wire.parcel_state(row, self.name)

    async def _add_reasons(self, states: dict[str, ParcelState]) -> None:
        """A failed attempt or a hold says why only in the history: read those reasons."""
        waiting = [s.tracking for s in states.values() if s.status in NEEDS_ACTION]
        for batch in wire.batches(waiting, TRACK_BATCH, TRACK_CHARS):
            raws = ",".join(sorted({states[tracking].raw_status for tracking in batch}))
            rows = await self._list(
                "histories/", tracking=",".join(batch), status=raws, fields=wire.HISTORY_FIELDS,
                order_by="date_status", desc="", page_size=1000,
            )  # fmt: skip
            for row in rows:  # newest first: the first matching event is the latest
                state = states.get(str(row.get("tracking")))
                if state and not state.raw_reason and row.get("status") == state.raw_status:
                    reason = str(row.get("reason") or "")
                    states[state.tracking] = dataclasses.replace(state, raw_reason=reason)

    async def history(self, tracking: str) -> list[ParcelState]:
        path = f"histories/{quote(tracking, safe='')}"
        rows = await self._list(path, page_size=1000, order_by="date_status", asc="")
        events = [wire.history_event(row, self.name) for row in rows]
        return sorted(events, key=lambda e: e.at or datetime.min.replace(tzinfo=wire.ALGIERS))

    async def label(self, tracking: str) -> Label | None:
        """The label's bytes (Yalidine's HTML page, or a PDF): the public link is downloaded
        now, keys withheld, redirects not followed, and the download stopped past
        MAX_LABEL_BYTES; CourierUnavailable for anything that is not a label."""
        url = self._labels.get(tracking)
        url = url or (await self._parcel(tracking, "tracking,label")).get("label")
        if not url:
            return None
        try:
            async with self.public.stream("GET", str(url), follow_redirects=False) as response:
                kind = _label_kind(response)
                content = await _capped(response, MAX_LABEL_BYTES)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise CourierUnavailable(f"yalidine label: {exc}") from exc
        if not content.startswith(LABEL_TYPES[kind]):
            raise CourierUnavailable(f"yalidine label: not a {kind} document")
        return Label(content, kind)

    async def cancel(self, tracking: str) -> None:
        """Delete the parcel; Yalidine allows it only while "En préparation"."""
        body = await self._json("DELETE", f"parcels/{quote(tracking, safe='')}")
        if wire.deleted(body, tracking):
            return
        row = await self._parcel(tracking, "tracking,last_status")  # ParcelNotFound if gone
        status = row.get("last_status")
        raise CourierRejected(f"yalidine cannot cancel {tracking} any more (status {status})")

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.public.aclose()


def _label_kind(response: httpx.Response) -> str:
    """The label's media type, once the answer is known to be one (headers only)."""
    if response.status_code != 200:
        where = response.headers.get("location", "")
        moved = f", redirect to {where[:100]} not followed" if where else ""
        raise CourierUnavailable(f"yalidine label: HTTP {response.status_code}{moved}")
    kind = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
    if kind not in LABEL_TYPES:
        raise CourierUnavailable(f"yalidine label: {kind[:60]!r} is not a label")
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > MAX_LABEL_BYTES:
        raise CourierUnavailable(f"yalidine label: {length} bytes, over {MAX_LABEL_BYTES}")
    return kind


async def _capped(response: httpx.Response, cap: int) -> bytes:
    """The body, read as it comes and abandoned as soon as it passes `cap` bytes."""
    content = bytearray()
    async for chunk in response.aiter_bytes():
        content += chunk
        if len(content) > cap:
            raise CourierUnavailable(f"yalidine label: over {cap} bytes, download stopped")
    return bytes(content)


def make(account: Account) -> YalidineCourier:
    """The adapter for a Yalidine-family account."""
    return YalidineCourier(account)
