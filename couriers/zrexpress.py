"""ZR Express new platform (api.zrexpress.app), reference/couriers.md §6. Credentials:
`api_key` and `tenant` (headers X-Api-Key, X-Tenant); optional `hub_id`, the merchant's
source hub, sent for home deliveries. Wilaya and commune are territory UUIDs (zrexpress_wire).

Decisions:
- A create is two steps: `POST parcels` then `PATCH parcels/{id}/state` to ReadyToDispatch
  (its id looked up in `workflows/search` before anything is created); without it the
  parcel sits in OrderReceived. `find_parcel` (by `externalId` = our reference) finishes
  that second step for a parcel an interrupted create left behind, so a retry completes it.
- The tracking number may lag the create: it is read back a few times; if still missing
  the parcel UUID stands in (the API reads parcels by either).
- `amount` is the cash collected at the door. Desk orders are "pickup-point" with the
  desk's hub id as `hubId` (DZC's reading; CDJ's: always the source hub — unverified).
- Labels come as short-lived storage URLs: downloaded at once, without our credentials.
- Webhooks are Svix-style: `verify_webhook`, `parse_webhook` (zrexpress_webhooks, exported
  here). No quota is published: 10 requests a second. Tracking: 100 a `parcels/search`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from couriers import zrexpress_wire as wire
from couriers.base import (
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
)
from couriers.http import TIMEOUT, HttpClient, Quota
from couriers.zrexpress_statuses import (
    NOT_DISPATCHED,
    READY_TO_DISPATCH,
    history_state,
    parcel_state,
    state_key,
)
from couriers.zrexpress_webhooks import parse_webhook, verify_webhook

DEFAULT_BASE_URL = "https://api.zrexpress.app/api/v1/"
BATCH = 100
TRACKING_READS = 4
RATE = {1.0: 10}  # self-imposed: no quota is published

Outcome = CreatedParcel | CourierError
__all__ = ["ZrExpressCourier", "make", "parse_webhook", "verify_webhook"]


class ZrExpressCourier:
    name = "zrexpress"
    capabilities = Capabilities(
        webhooks=True,
        cancel=True,
        labels="url",
        create_batch=BATCH,
        track_batch=BATCH,
        validation_step=True,
    )
    tracking_wait = 0.5  # seconds between reads of a tracking number not yet assigned

    def __init__(
        self,
        account: Account,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        quota: Quota | None = None,
    ) -> None:
        api_key, tenant = account.need("api_key", "tenant")
        self.hub_id = account.credentials.get("hub_id", "")
        headers = {"X-Api-Key": api_key, "X-Tenant": tenant}
        base_url = account.base_url or DEFAULT_BASE_URL
        quota = quota or Quota(RATE)
        self.http = HttpClient(base_url, headers, quota, transport=transport, timeout=timeout)
        self.files = HttpClient(base_url, {}, transport=transport, timeout=timeout)
        self.territories = wire.Territories(self._search)
        self._ready_state: str | None = None

    async def _call(self, method: str, path: str, body: object = None) -> Any:
        kwargs = {} if body is None else {"json": body}
        response = await self.http.request(method, path, **kwargs)
        if response.status_code == 404:
            raise ParcelNotFound(f"zrexpress {path}")
        if response.status_code >= 400:
            raise CourierRejected(f"zrexpress {path}: {wire.problem(response)}")
        try:
            return response.json() if response.content else None
        except ValueError as exc:
            raise CourierUnavailable(f"zrexpress {path}: unreadable answer") from exc

    async def _search(
        self, path: str, filters: Sequence[Mapping[str, object]] = (), logic: str = "and"
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, 1000):
            body: dict[str, object] = {"pageNumber": page, "pageSize": BATCH}
            if filters:
                body["advancedFilter"] = {"logic": logic, "filters": list(filters)}
            answer = await self._call("POST", path, body) or {}
            items.extend(i for i in answer.get("items") or [] if isinstance(i, dict))
            if not answer.get("hasNext"):
                break
        return items

    async def test_credentials(self) -> None:
        await self._call("POST", "parcels/search", {"pageNumber": 1, "pageSize": 1})

    async def wilayas(self) -> list[CourierWilaya]:
        return [CourierWilaya(w.code, w.name) for w in await self.territories.wilayas()]

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        return await wire.communes_of(self.territories, wilaya_code_58)

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        return await wire.pickup_points(self._search, self.territories, wilaya_code_58)

    async def fees(self) -> list[Fee]:
        return wire.fees_of(await self._call("GET", "delivery-pricing/rates") or {})

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        body = await self._parcel_body(request)
        state = await self._ready_state_id()
        answer = await self._call("POST", "parcels", body) or {}
        if not answer.get("id"):
            raise CourierRejected(f"zrexpress: no parcel id in the answer to {request.reference}")
        return await self._dispatchable(str(answer["id"]), request.reference, state)

    async def create_many(self, requests: Sequence[ParcelRequest]) -> list[Outcome]:
        """Bulk create, 100 a call; one outcome per request, in order (`successes` and
        `failures` carry the request's index)."""
        outcomes: list[Outcome] = []
        for start in range(0, len(requests), BATCH):
            outcomes.extend(await self._create_chunk(requests[start : start + BATCH]))
        return outcomes

    async def _create_chunk(self, chunk: Sequence[ParcelRequest]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        bodies: dict[int, dict[str, Any]] = {}
        for index, request in enumerate(chunk):
            try:
                bodies[index] = await self._parcel_body(request)
            except CourierRejected as exc:
                outcomes[index] = exc
        if bodies:
            state = await self._ready_state_id()
            answer = await self._call("POST", "parcels/bulk", {"parcels": list(bodies.values())})
            positions = list(bodies)
            for row in (answer or {}).get("failures") or []:
                index = positions[int(row["index"])]
                outcomes[index] = CourierRejected(f"zrexpress refused: {wire.errors(row)}")
            successes = (answer or {}).get("successes") or []
            made = {
                positions[int(r["index"])]: str(r.get("parcelId") or r.get("id")) for r in successes
            }
            outcomes.update(await self._settle(chunk, made, state))
        unknown = CourierUnavailable("zrexpress: no answer for this parcel")
        return [outcomes.get(index, unknown) for index in range(len(chunk))]

    async def _settle(
        self, chunk: Sequence[ParcelRequest], made: Mapping[int, str], state: str
    ) -> dict[int, Outcome]:
        """Make bulk-created parcels ready, then read their tracking numbers in one search."""
        outcomes: dict[int, Outcome] = {}
        for index, parcel_id in made.items():
            try:
                await self._call("PATCH", f"parcels/{parcel_id}/state", {"stateId": state})
            except CourierError as exc:
                outcomes[index] = exc
        ready = {chunk[i].reference: i for i in made if i not in outcomes}
        filters = [{"field": "externalId", "operator": "eq", "value": r} for r in ready]
        found = await self._search("parcels/search", filters, logic="or") if ready else []
        rows = {str(p.get("externalId")): p for p in found if p.get("trackingNumber")}
        for reference, index in ready.items():
            row = rows.get(reference)
            outcomes[index] = (
                wire.created(row, made[index], reference)
                if row
                else await self._read_back(made[index], reference)
            )
        return outcomes

    async def _ready_state_id(self) -> str:
        if self._ready_state is None:
            for workflow in await self._search("workflows/search"):
                for state in workflow.get("states") or []:
                    if state_key(state.get("name")) == state_key(READY_TO_DISPATCH):
                        self._ready_state = str(state["id"])
            if self._ready_state is None:
                raise CourierRejected("zrexpress: no ReadyToDispatch state in the workflows")
        return self._ready_state

    async def _dispatchable(self, parcel_id: str, reference: str, state: str) -> CreatedParcel:
        """Move a new parcel to ReadyToDispatch and read its tracking number."""
        try:
            await self._call("PATCH", f"parcels/{parcel_id}/state", {"stateId": state})
        except CourierRejected as exc:
            raise CourierRejected(f"zrexpress {reference} created, not made ready: {exc}") from exc
        return await self._read_back(parcel_id, reference)

    async def _read_back(self, parcel_id: str, reference: str) -> CreatedParcel:
        """Read a parcel until its tracking number shows (the UUID stands in otherwise)."""
        parcel: dict[str, Any] = {}
        for attempt in range(TRACKING_READS):
            parcel = await self._call("GET", f"parcels/{parcel_id}") or {}
            if parcel.get("trackingNumber"):
                break
            await asyncio.sleep(self.tracking_wait * (attempt + 1))
        return wire.created(parcel, parcel_id, reference)

    async def _parcel_body(self, request: ParcelRequest) -> dict[str, Any]:
        if request.delivery_type not in ("home", "desk"):
            raise CourierRejected(f"zrexpress: unknown delivery type {request.delivery_type!r}")
        if request.delivery_type == "desk" and not request.stopdesk_id:
            raise CourierRejected("zrexpress: a desk parcel needs a pickup point")
        city, district = await self.territories.resolve(
            request.wilaya_code_58, request.commune_name
        )
        body = wire.parcel_body(request, city, district)
        hub = request.stopdesk_id if request.delivery_type == "desk" else self.hub_id
        return body | ({"hubId": hub} if hub else {})

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        filters = [{"field": "externalId", "operator": "eq", "value": reference}]
        items = await self._search("parcels/search", filters)
        parcel = next((p for p in items if p.get("externalId") == reference), None)
        if parcel is None:
            return None
        if state_key((parcel.get("state") or {}).get("name")) == state_key(NOT_DISPATCHED):
            return await self._dispatchable(
                str(parcel["id"]), reference, await self._ready_state_id()
            )
        return wire.created(parcel, str(parcel["id"]), reference)

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        states: dict[str, ParcelState] = {}
        for start in range(0, len(trackings), BATCH):
            chunk = trackings[start : start + BATCH]
            filters = [{"field": "trackingNumber", "operator": "eq", "value": t} for t in chunk]
            try:
                items = await self._search("parcels/search", filters, logic="or")
            except CourierUnavailable:
                if not states:
                    raise
                break
            found = (parcel_state(item) for item in items)
            states.update({s.tracking: s for s in found if s.tracking in chunk})
        return states

    async def history(self, tracking: str) -> list[ParcelState]:
        parcel = await self._call("GET", f"parcels/{tracking}") or {}
        events = await self._call("GET", f"parcels/{parcel.get('id', tracking)}/state-history")
        rows = [history_state(tracking, e) for e in events or [] if isinstance(e, dict)]
        return sorted(rows, key=lambda s: s.at.timestamp() if s.at else 0.0)

    async def label(self, tracking: str) -> Label | None:
        answer = await self._call(
            "POST", "parcels/labels/individual", {"trackingNumbers": [tracking]}
        )
        files = (answer or {}).get("parcelLabelFiles") or []
        if tracking in ((answer or {}).get("failedTrackingNumbers") or []) or not files:
            raise ParcelNotFound(f"zrexpress: no label for {tracking}")
        response = await self.files.request("GET", str(files[0]["fileUrl"]))
        if response.status_code >= 400:
            raise CourierUnavailable(f"zrexpress label download: HTTP {response.status_code}")
        kind = response.headers.get("Content-Type", "application/octet-stream")
        return Label(response.content, kind.split(";")[0].strip())

    async def cancel(self, tracking: str) -> None:
        parcel = await self._call("GET", f"parcels/{tracking}") or {}
        await self._call("DELETE", f"parcels/{parcel.get('id', tracking)}")

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.files.aclose()


def make(account: Account) -> ZrExpressCourier:
    return ZrExpressCourier(account)
