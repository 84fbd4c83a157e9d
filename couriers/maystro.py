"""Maystro Delivery, reference/couriers.md §7. Credential: `token` (header
`Authorization: Token <token>`, Django REST Framework).

Wire contract and sources: couriers/maystro.md. Decisions:
- The tracking number is Maystro's `display_id` (the number its dashboard, drivers and
  customers quote); the order UUID that history, label and cancel need is read through the
  list filter `?display_id=` and remembered per instance. A create answer without a
  `display_id` is read back by its UUID; still without one, the UUID is the tracking number.
- Communes are Maystro's own numeric ids, resolved by folded name within the wilaya from
  `shared/communes/?wilaya=`, loaded once per wilaya per instance.
- `delivery_type` is coded 0/1 on `stores/orders/` by three sources and 1/2 by one. A home
  order is first sent as 0 and a desk order as 2 — values only one coding accepts — and a
  400 naming `delivery_type` sends it again in the other coding, remembered per instance.
  Desk orders carry `stop_desk_id` when one was chosen (the desk follows the commune).
- `product_price` is the cash collected at the door, delivery included (trap 9).
- Maystro refuses a second order for the same name + phone on the same day. Every refused
  create is therefore followed by `find_parcel(reference)` (list filter
  `?external_order_id=`, rows matched exactly here): our own earlier create is answered as
  the parcel; any other refusal is raised with Maystro's words.
- An answer in a shape the contract does not describe raises CourierUnavailable with what
  Maystro answered (the outcome is unknown: the retry looks the reference up first).
- No batch read exists: `track_many` reads each order (concurrently, within the quota).
- Fees per wilaya come from the price of its first listed commune (CDJ: uniform within a
  wilaya; another source prices home delivery per commune — unverified).
- Cancel is `PATCH shared/status/{uuid}/` to 50. Labels are PDF bytes from the v2 bordereau
  (v1 prints blank pages for UUIDs). Webhooks are unsigned: see maystro_webhooks.
- No quota is published: 45 requests a minute, as public clients keep to, less when the
  API says so (`X-RateLimit-Remaining`), and a 429 waits its Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from couriers.base import (
    Account,
    Capabilities,
    CourierAuthError,
    CourierCommune,
    CourierError,
    CourierRejected,
    CourierUnavailable,
    CourierWilaya,
    CreatedParcel,
    Fee,
    Label,
    NotSupported,
    ParcelNotFound,
    ParcelRequest,
    ParcelState,
    StopDesk,
    fold,
)
from couriers.http import TIMEOUT, HttpClient, Quota
from couriers.maystro_statuses import CANCELLED
from couriers.maystro_webhooks import parse_webhook
from couriers.maystro_wire import (
    FIRST_TRY,
    OTHER,
    PRICE_TYPES,
    UUID,
    created,
    history_state,
    order_body,
    order_state,
    problem,
    refused_fields,
    results,
    shape,
    tracking_of,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://backend.maystro-delivery.com/api/"
RATE = {60.0: 45}  # no quota is published: as public clients (couriers/maystro.md)
QUOTA_HEADERS = {"x-ratelimit-remaining": 60.0}
MAX_WAIT = 30.0  # a longer wait for the quota is CourierRateLimited: the caller retries later
TRACK_BATCH = 20
ABORT_REASON = 21  # the reason code the reference's sources send with a cancel

__all__ = ["MaystroCourier", "make", "parse_webhook"]


class MaystroCourier:
    name = "maystro"
    capabilities = Capabilities(
        webhooks=True,
        cancel=True,
        labels="pdf",
        create_batch=1,
        track_batch=TRACK_BATCH,
        stop_desks=False,
    )

    def __init__(
        self,
        account: Account,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        quota: Quota | None = None,
    ) -> None:
        (token,) = account.need("token")
        base_url = account.base_url or DEFAULT_BASE_URL
        headers = {"Authorization": f"Token {token}"}
        if quota is None:
            quota = Quota(RATE)
            quota.header_windows, quota.max_wait = dict(QUOTA_HEADERS), MAX_WAIT
        self.http = HttpClient(base_url, headers, quota, transport=transport, timeout=timeout)
        self._communes: dict[int, list[dict[str, Any]]] = {}
        self._uuids: dict[str, str] = {}  # display id → order UUID
        self.coding: str | None = None  # "0/1" or "1/2" once the account has shown it

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.request(method, path, **kwargs)
        if response.status_code == 404:
            raise ParcelNotFound(f"maystro {path}")
        if response.status_code >= 400:
            raise CourierRejected(f"maystro {path}: {problem(response)}")
        return response

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._call(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise CourierUnavailable(f"maystro {path}: unreadable answer") from exc

    async def test_credentials(self) -> None:
        answer = await self._json("GET", "stores/orders/", params={"page": 1})
        if not isinstance(answer, dict | list):
            raise CourierUnavailable(
                f"maystro: unexpected answer to the order list: {shape(answer)}"
            )

    async def wilayas(self) -> list[CourierWilaya]:
        rows = await self._json("GET", "shared/wilayas/", params={"country": 1, "language": "fr"})
        wilayas = []
        for row in rows if isinstance(rows, list) else []:
            pair = row[:2] if isinstance(row, list) else [row.get("id"), row.get("name")]
            if len(pair) == 2 and isinstance(pair[0], int) and 1 <= pair[0] <= 58:
                wilayas.append(CourierWilaya(pair[0], str(pair[1])))
        if rows and not wilayas:
            raise CourierUnavailable(f"maystro: unexpected wilaya list: {shape(rows)}")
        return wilayas

    async def _commune_rows(self, wilaya_code_58: int) -> list[dict[str, Any]]:
        if wilaya_code_58 not in self._communes:
            rows = await self._json("GET", "shared/communes/", params={"wilaya": wilaya_code_58})
            if not isinstance(rows, list):
                raise CourierUnavailable(f"maystro: unexpected commune list: {shape(rows)}")
            self._communes[wilaya_code_58] = [
                r for r in rows if isinstance(r, dict) and isinstance(r.get("id"), int)
            ]
        return self._communes[wilaya_code_58]

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        return [
            CourierCommune(wilaya_code_58, str(r.get("name", "")), courier_id=str(r["id"]))
            for r in await self._commune_rows(wilaya_code_58)
        ]

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        raise NotSupported("maystro has no desk list: the desk follows the commune")

    async def fees(self) -> list[Fee]:
        fees = []
        for wilaya in await self.wilayas():
            rows = await self._commune_rows(wilaya.code_58)
            if rows:
                home, desk = (
                    await self._price(rows[0]["id"], PRICE_TYPES["home"]),
                    await self._price(rows[0]["id"], PRICE_TYPES["desk"]),
                )
                fees.append(Fee(wilaya.code_58, home, desk))
        return fees

    async def _price(self, commune_id: object, delivery_type: int) -> int | None:
        params = {"commune": commune_id, "delivery_type": delivery_type, "express": "false"}
        try:
            answer = await self._json("GET", "stores/delivery_price/", params=params)
        except ParcelNotFound:  # 404: no price, the commune is not served that way
            return None
        price = answer.get("delivery_price") if isinstance(answer, dict) else None
        return int(price) if isinstance(price, int | float) and price > 0 else None

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        commune = await self._commune_id(request.wilaya_code_58, request.commune_name)
        try:
            order = await self._create_coded(request, commune)
        except CourierRejected:
            # Same-day duplicate rule, or our own earlier create answered late: look first.
            found = await self.find_parcel(request.reference)
            if found is not None:
                return found
            raise
        return self._remember(await self._complete(order, request.reference))

    async def _create_coded(self, request: ParcelRequest, commune: int) -> Any:
        """POST the order in the account's delivery_type coding (learned on the way)."""
        coding = self.coding or FIRST_TRY.get(request.delivery_type, "0/1")
        try:
            order = await self._create(order_body(request, commune, coding))
        except _WrongCoding as exc:
            if self.coding is not None:
                raise CourierRejected(f"maystro refused delivery_type: {exc}") from exc
            # The value sent is one only the other coding refuses: nothing was created.
            coding = OTHER[coding]
            try:
                order = await self._create(order_body(request, commune, coding))
            except _WrongCoding as again:
                raise CourierRejected(f"maystro refused delivery_type either way: {again}") from exc
            log.info("maystro delivery_type coding learned coding=%s", coding)
        self.coding = coding
        return order

    async def _create(self, body: dict[str, Any]) -> Any:
        response = await self.http.request("POST", "stores/orders/", json=body)
        if response.status_code == 400 and "delivery_type" in refused_fields(response):
            raise _WrongCoding(problem(response))
        if response.status_code >= 400:
            raise CourierRejected(f"maystro stores/orders/: {problem(response)}")
        try:
            return response.json()
        except ValueError as exc:
            raise CourierUnavailable(
                f"maystro answered the create with something else than JSON: {shape(response.text)}"
            ) from exc

    async def _complete(self, order: object, reference: str) -> CreatedParcel:
        """The parcel of a create's answer. Without `display_id` the order is read back by
        its UUID; without either, the answer is not one we can read (outcome unknown)."""
        if not isinstance(order, dict) or not tracking_of(order):
            raise CourierUnavailable(f"maystro: unexpected answer to the create: {shape(order)}")
        if not order.get("display_id"):
            try:
                again = await self._json("GET", f"stores/orders/{order['id']}/")
            except CourierError as exc:
                log.warning("maystro order read back failed reference=%s error=%s", reference, exc)
                again = None
            if isinstance(again, dict) and again.get("display_id"):
                order = again
        return created(order, reference)

    async def _commune_id(self, wilaya_code_58: int, commune_name: str) -> int:
        if not 1 <= wilaya_code_58 <= 58:
            raise CourierRejected(f"maystro: wilaya {wilaya_code_58} is not 1-58")
        wanted = fold(commune_name)
        for row in await self._commune_rows(wilaya_code_58):
            if fold(row.get("name", "")) == wanted:
                return int(row["id"])
        raise CourierRejected(f"maystro: no commune {commune_name!r} in wilaya {wilaya_code_58}")

    def _remember(self, parcel: CreatedParcel) -> CreatedParcel:
        uuid = parcel.raw.get("id")
        if isinstance(uuid, str) and UUID.fullmatch(uuid):
            self._uuids[parcel.tracking] = uuid
        return parcel

    async def _orders(self, **filters: str) -> list[dict[str, Any]]:
        return results(await self._json("GET", "stores/orders/", params={"page": 1, **filters}))

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        for order in await self._orders(external_order_id=reference):
            if order.get("external_order_id") == reference and tracking_of(order):
                return self._remember(created(order, reference))
        return None

    async def _order(self, tracking: str) -> dict[str, Any]:
        if UUID.fullmatch(tracking):  # an order whose display id was never given
            order = await self._json("GET", f"stores/orders/{tracking}/")
            if not isinstance(order, dict):
                raise CourierUnavailable(f"maystro: unexpected order: {shape(order)}")
            return order
        orders = await self._orders(display_id=tracking)
        for order in orders:
            if str(order.get("display_id")) == tracking and UUID.fullmatch(str(order.get("id"))):
                self._uuids[tracking] = str(order["id"])
                return order
        if orders:  # other orders answered: the filter was ignored, which would hide parcels
            log.warning("maystro list filter display_id ignored tracking=%s", tracking)
        raise ParcelNotFound(f"maystro order {tracking}")

    async def _uuid(self, tracking: str) -> str:
        if UUID.fullmatch(tracking):
            return tracking  # an order whose display id was never given
        if tracking not in self._uuids:
            await self._order(tracking)
        return self._uuids[tracking]

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        """Each order read on its own (no batch read exists). Orders that could not be read
        this time are left out, unless none could: then the failure is raised."""
        answers = await asyncio.gather(*(self._order(t) for t in trackings), return_exceptions=True)
        states: dict[str, ParcelState] = {}
        trouble: BaseException | None = None
        for tracking, answer in zip(trackings, answers, strict=True):
            if not isinstance(answer, BaseException):
                states[tracking] = order_state(tracking, answer)
            elif isinstance(answer, CourierAuthError) or not isinstance(answer, CourierError):
                raise answer
            elif not isinstance(answer, ParcelNotFound):
                trouble = trouble or answer
        if trouble is not None and not states:
            raise trouble
        return states

    async def history(self, tracking: str) -> list[ParcelState]:
        uuid = await self._uuid(tracking)
        rows = await self._json("GET", f"stores/history_order/{uuid}")
        if not isinstance(rows, list):
            raise CourierUnavailable(f"maystro: unexpected history of {tracking}: {shape(rows)}")
        events = [history_state(tracking, r) for r in rows if isinstance(r, dict)]
        return sorted(events, key=lambda s: s.at.timestamp() if s.at else 0.0)

    async def label(self, tracking: str) -> Label | None:
        uuid = await self._uuid(tracking)
        body = {"orders_ids": [uuid]}
        response = await self._call("POST", "delivery/starter/v2/starter_bordureau/", json=body)
        if not response.content.startswith(b"%PDF"):
            raise CourierUnavailable(f"maystro: the label of {tracking} is not a PDF")
        return Label(response.content, "application/pdf")

    async def cancel(self, tracking: str) -> None:
        uuid = await self._uuid(tracking)
        body = {"status": CANCELLED, "abort_reason": ABORT_REASON}
        await self._call("PATCH", f"shared/status/{uuid}/", json=body)

    async def aclose(self) -> None:
        await self.http.aclose()


class _WrongCoding(CourierRejected):
    """A 400 naming delivery_type: the account reads the field in the other coding."""


def make(account: Account) -> MaystroCourier:
    return MaystroCourier(account)
