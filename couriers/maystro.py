"""Maystro Delivery, reference/couriers.md §7. Credential: `token` (header
`Authorization: Token <token>`, Django REST Framework).

Decisions:
- The tracking number is Maystro's `display_id` (the number its dashboard, drivers and
  customers quote); the order UUID that history, label and cancel need is read through the
  list filter `?display_id=` and remembered per instance.
- Communes are Maystro's own numeric ids, resolved by folded name within the wilaya from
  `shared/communes/?wilaya=`, loaded once per wilaya per instance.
- `delivery_type` is 1 home, 2 desk (CDJ "per current docs", and the price endpoint takes
  1|2; the older 0/1 reading would send home orders to a desk). Desk orders carry
  `stop_desk_id` when one was chosen; there is no desk list (the desk follows the commune).
- `product_price` is the cash collected at the door, delivery included (trap 9).
- Maystro refuses a second order for the same name + phone on the same day. Every refused
  create is therefore followed by `find_parcel(reference)` (list filter
  `?external_order_id=`): our own earlier create is answered as the parcel; any other
  refusal is raised with Maystro's words.
- No batch read exists: `track_many` reads each order (concurrently, within the quota).
- Fees per wilaya come from the price of its first listed commune (CDJ: uniform within a
  wilaya; another source prices home delivery per commune — unverified).
- Cancel is `PATCH shared/status/{uuid}/` to 50. Labels are PDF bytes from the v2 bordereau
  (v1 prints blank pages for UUIDs). Webhooks are unsigned: see maystro_webhooks.
- No quota is published; we keep to 10 requests a second.
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
    created,
    history_state,
    order_body,
    order_state,
    problem,
    results,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://backend.maystro-delivery.com/api/"
RATE = {1.0: 10}  # self-imposed: no quota is published
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
        self.http = HttpClient(
            base_url, headers, quota or Quota(RATE), transport=transport, timeout=timeout
        )
        self._communes: dict[int, list[dict[str, Any]]] = {}
        self._uuids: dict[str, str] = {}  # display id → order UUID

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
        await self._json("GET", "stores/orders/", params={"page": 1})

    async def wilayas(self) -> list[CourierWilaya]:
        rows = await self._json("GET", "shared/wilayas/", params={"country": 1, "language": "fr"})
        pairs = [(r[0], r[1]) if isinstance(r, list) else (r["id"], r["name"]) for r in rows]
        return [CourierWilaya(int(code), str(name)) for code, name in pairs if 1 <= code <= 58]

    async def _commune_rows(self, wilaya_code_58: int) -> list[dict[str, Any]]:
        if wilaya_code_58 not in self._communes:
            rows = await self._json("GET", "shared/communes/", params={"wilaya": wilaya_code_58})
            self._communes[wilaya_code_58] = [r for r in rows if isinstance(r, dict)]
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
                    await self._price(rows[0]["id"], 1),
                    await self._price(rows[0]["id"], 2),
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
        body = order_body(request, commune)
        try:
            order = await self._json("POST", "stores/orders/", json=body)
        except CourierRejected:
            # Same-day duplicate rule, or our own earlier create answered late: look first.
            found = await self.find_parcel(request.reference)
            if found is not None:
                return found
            raise
        if not isinstance(order, dict) or not order.get("display_id"):
            raise CourierRejected(f"maystro: no order number in the answer to {request.reference}")
        return self._remember(created(order, request.reference))

    async def _commune_id(self, wilaya_code_58: int, commune_name: str) -> int:
        if not 1 <= wilaya_code_58 <= 58:
            raise CourierRejected(f"maystro: wilaya {wilaya_code_58} is not 1-58")
        wanted = fold(commune_name)
        for row in await self._commune_rows(wilaya_code_58):
            if fold(row.get("name", "")) == wanted:
                return int(row["id"])
        raise CourierRejected(f"maystro: no commune {commune_name!r} in wilaya {wilaya_code_58}")

    def _remember(self, parcel: CreatedParcel) -> CreatedParcel:
        self._uuids[parcel.tracking] = str(parcel.raw.get("id", ""))
        return parcel

    async def _orders(self, **filters: str) -> list[dict[str, Any]]:
        return results(await self._json("GET", "stores/orders/", params={"page": 1, **filters}))

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        for order in await self._orders(external_order_id=reference):
            if order.get("external_order_id") == reference:
                return self._remember(created(order, reference))
        return None

    async def _order(self, tracking: str) -> dict[str, Any]:
        orders = await self._orders(display_id=tracking)
        for order in orders:
            if str(order.get("display_id")) == tracking:
                self._uuids[tracking] = str(order["id"])
                return order
        if orders:  # other orders answered: the filter was ignored, which would hide parcels
            log.warning("maystro list filter display_id ignored tracking=%s", tracking)
        raise ParcelNotFound(f"maystro order {tracking}")

    async def _uuid(self, tracking: str) -> str:
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


def make(account: Account) -> MaystroCourier:
    return MaystroCourier(account)
