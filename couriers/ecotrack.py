"""EcoTrack (reference/couriers.md §3): one white-label API behind ~80 courier companies,
each on its own host (couriers.ecotrack_tenants), `Authorization: Bearer <api_token>`.

Decisions:
- No default base URL. A 3xx (hosts drift) is never followed: a redirected POST turns
  into a GET; the error says where the host points now.
- Create sends query parameters only, as the API's documentation does, then `valid/order`
  (else the parcel stays a draft nobody collects) with `ask_collection=1` (ask for a
  pickup) unless credentials["ask_collection"] == "0". `montant` is the cash collected at
  the door, delivery included (trap 9): the request's `cod_amount`.
- The commune is matched against the company's `get/communes` list of the wilaya before
  create (the documentation calls a name mismatch the most common refusal): accents, case,
  spacing, articles and transliteration variants folded (couriers.base.match_commune),
  our French, Arabic and alias names all tried; the company's spelling is sent. No match
  is refused naming the commune and the closest names. The list is kept COMMUNES_TTL.
- find_parcel: the API cannot search by reference. The channel asks only when an earlier
  try may have created the parcel (a retried delivery, a re-dispatch), never before a
  first create; then drafts this instance made come from memory, else `get/orders` since
  LOOKBACK_DAYS ago (40 a page; `start_date` is the only narrowing filter documented) is
  scanned page by page. The parcel found is validated, finishing an interrupted create
  (10001: it already was).
- A 2xx answer that is not the documented shape (no JSON, no tracking and no
  `success:false`) is CourierAnswerUnexpected with the raw answer: the parcel may exist.
- Tracking: `get/orders/status` (status slugs, api_token in the query), 100 a call, rows
  matched by tracking, never by position. History: `get/tracking/info` events.
- Quota 50/min, 1500/h, 15000/day, corrected by the X-RateLimit-Remaining(-Hour/-Day)
  headers (another app on the same token) and lowered after a 429 (couriers.http).
  Cancel (`delete/order`) works only before validation.
- test_credentials checks the token, then that the company serves at least one wilaya
  (an account without served wilayas cannot ship anything).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn

import httpx

from couriers import ecotrack_wire as wire
from couriers.base import (
    Account,
    Capabilities,
    CourierAnswerUnexpected,
    CourierAuthError,
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
    ParcelStatus,
    StopDesk,
    closest_communes,
    excerpt,
    map_status,
    match_commune,
)
from couriers.ecotrack_statuses import TABLE, is_movement
from couriers.ecotrack_tenants import tenant_base_url
from couriers.http import TIMEOUT, HttpClient, Quota

log = logging.getLogger(__name__)

DEFAULT_BASE_URL: str | None = None  # per company: see couriers.ecotrack_tenants
QUOTA = {60.0: 50, 3600.0: 1500, 86400.0: 15000}
QUOTA_HEADERS = {
    "X-RateLimit-Remaining": 60.0,
    "X-RateLimit-Remaining-Hour": 3600.0,
    "X-RateLimit-Remaining-Day": 86400.0,
}
COMMUNES_TTL = 6 * 3600.0
BATCH = 100
NOT_MODIFIABLE = 10001  # also what valid/order answers for a parcel already validated
LOOKBACK_DAYS = 3
MAX_PAGES = 25  # 40 orders a page: the last thousand orders
_AUTH_REFUSALS = {
    "INVALID_TOKEN": "token refused",
    "TOKEN_NOT_ALLOWED": "API access is disabled for this account",
}


class EcotrackCourier:
    name = "ecotrack"
    capabilities = Capabilities(
        webhooks=False,
        cancel=True,
        labels="pdf",
        create_batch=BATCH,
        track_batch=BATCH,
        validation_step=True,
    )

    def __init__(
        self,
        account: Account,
        *,
        quota: Quota | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        (self._token,) = account.need("api_token")
        self._ask_collection = "0" if account.credentials.get("ask_collection") == "0" else "1"
        self.quota = quota or Quota(QUOTA)
        self.quota.header_windows = dict(QUOTA_HEADERS)
        self.http = HttpClient(
            tenant_base_url(account.base_url),
            {"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            quota=self.quota,
            transport=transport,
            timeout=timeout,
        )
        self._drafts: dict[str, str] = {}  # reference → tracking created but not validated
        self._communes: dict[int, tuple[float, list[dict[str, Any]]]] = {}

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.request(method, path, **kwargs)
        if response.is_redirect:
            where = response.headers.get("Location", "?")
            raise CourierError(f"ecotrack: {path} moved to {where}; update the base URL")
        return response

    async def _answer(self, method: str, path: str, **kwargs: Any) -> Any:
        return _decoded(await self._send(method, path, **kwargs), path)

    async def _accepted(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self._answer(method, path, **kwargs)
        if wire.refused(answer):
            _raise_refusal(answer, path)
        return answer

    async def test_credentials(self) -> None:
        # This endpoint reads the token from the query, not the Bearer header.
        answer = await self._accepted("GET", "validate/token", params={"api_token": self._token})
        if not isinstance(answer, dict) or answer.get("message") != "VALID_TOKEN":
            raise CourierAuthError(f"ecotrack: token not confirmed ({excerpt(answer, 80)})")
        if not await self.wilayas():
            raise CourierRejected(
                "ecotrack: the token works but this company serves no wilaya to this account;"
                " ask the company to open deliveries for it"
            )

    async def wilayas(self) -> list[CourierWilaya]:
        """Only the wilayas this company serves."""
        rows = await self._accepted("GET", "get/wilayas")
        return [
            CourierWilaya(code, str(row.get("wilaya_name", "")))
            for row in wire.rows(rows)
            if 1 <= (code := wire.as_int(row.get("wilaya_id"))) <= 58
        ]

    async def _wilaya_communes(self, wilaya_code_58: int) -> list[dict[str, Any]]:
        """The wilaya's communes, kept COMMUNES_TTL (creates ask for them every time)."""
        now = time.monotonic()
        kept = self._communes.get(wilaya_code_58)
        if kept is None or now - kept[0] > COMMUNES_TTL:
            kept = (now, await self._commune_rows(wilaya_code_58))
            self._communes[wilaya_code_58] = kept
        return kept[1]

    async def _their_commune(self, request: ParcelRequest) -> str:
        """The company's own spelling of the request's commune; refused when it has none."""
        names = [str(row.get("nom", "")) for row in await self._wilaya_communes(
            request.wilaya_code_58)]  # fmt: skip
        found = match_commune((request.commune_name, *request.commune_aliases), names)
        if found is not None:
            return found
        near = closest_communes(request.commune_name, names)
        raise CourierRejected(
            f"ecotrack: the commune {request.commune_name!r} is not in this company's list for"
            f" wilaya {request.wilaya_code_58}"
            + (f" (closest: {', '.join(near)})" if near else "")
            + ("" if names else " (it serves none there)")
        )

    async def _commune_rows(self, wilaya_code_58: int | None) -> list[dict[str, Any]]:
        params = {"wilaya_id": wilaya_code_58} if wilaya_code_58 else {}
        rows = wire.rows(await self._accepted("GET", "get/communes", params=params))
        if wilaya_code_58:
            rows = [r for r in rows if wire.as_int(r.get("wilaya_id")) == wilaya_code_58]
        return rows

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        return [
            CourierCommune(
                wilaya_code_58,
                str(row.get("nom", "")),
                courier_id=str(row.get("code_postal", "")),
                has_stop_desk=wire.as_int(row.get("has_stop_desk")) == 1,
            )
            for row in await self._commune_rows(wilaya_code_58)
        ]

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        """A desk is a commune with has_stop_desk=1; its code_postal is the desk code."""
        return [
            StopDesk(
                id=str(row.get("code_postal", "")),
                name=str(row.get("nom", "")),
                wilaya_code_58=wire.as_int(row.get("wilaya_id")),
                commune_name=str(row.get("nom", "")),
            )
            for row in await self._commune_rows(wilaya_code_58)
            if wire.as_int(row.get("has_stop_desk")) == 1
        ]

    async def fees(self) -> list[Fee]:
        """Delivery prices (the `livraison` service) per wilaya, home and stop desk."""
        answer = await self._accepted("GET", "get/fees")
        if isinstance(answer, dict) and "livraison" in answer:  # [{wilaya_id, tarif, …}]
            pairs = [(row, row) for row in wire.rows(answer.get("livraison"))]
        else:  # [{wilaya_id, livraison: {tarif, tarif_stopdesk}}], as one digest shows it
            pairs = [(row, row.get("livraison") or {}) for row in wire.rows(answer)]
        return [
            Fee(code, wire.as_money(price.get("tarif")), wire.as_money(price.get("tarif_stopdesk")))
            for row, price in pairs
            if isinstance(price, dict) and 1 <= (code := wire.as_int(row.get("wilaya_id"))) <= 58
        ]

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        params = wire.ecotrack_order(request)  # checks the request before any call
        params["commune"] = await self._their_commune(request)
        answer = await self._answer("POST", "create/order", params=params)
        if wire.refused(answer):
            _raise_refusal(answer, "create/order")
        if not isinstance(answer, dict) or not answer.get("tracking"):
            raise CourierAnswerUnexpected("ecotrack create/order: no tracking", answer)
        tracking = str(answer["tracking"])
        self._drafts[request.reference] = tracking
        await self._validate(tracking)  # if this fails, find_parcel finishes from memory
        del self._drafts[request.reference]
        return CreatedParcel(tracking, request.reference, raw=answer)

    async def _validate(self, tracking: str) -> None:
        params = {"tracking": tracking, "ask_collection": self._ask_collection}
        answer = await self._answer("POST", "valid/order", params=params)
        if wire.refused(answer) and wire.as_int(answer.get("error")) != NOT_MODIFIABLE:
            _raise_refusal(answer, "valid/order")

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        row: Mapping[str, Any] = {}
        tracking = self._drafts.get(reference)
        if tracking is None:
            found = await self._order_with_reference(reference)
            if found is None:
                return None
            row, tracking = found, str(found["tracking"])
        await self._validate(tracking)
        self._drafts.pop(reference, None)
        return CreatedParcel(
            tracking, reference, fee=wire.as_money(row.get("tarif_prestation")), raw=row
        )

    async def _order_with_reference(self, reference: str) -> dict[str, Any] | None:
        since = (datetime.now(wire.ALGIERS) - timedelta(days=LOOKBACK_DAYS)).date().isoformat()
        for page in range(1, MAX_PAGES + 1):
            params = {"page": page, "start_date": since}
            answer = await self._accepted("GET", "get/orders", params=params)
            for row in wire.rows(answer.get("data") if isinstance(answer, dict) else None):
                gone = map_status(TABLE, row.get("status"), self.name) is ParcelStatus.CANCELLED
                if str(row.get("reference")) == reference and row.get("tracking") and not gone:
                    return row
            if not isinstance(answer, dict) or page >= wire.as_int(answer.get("last_page")):
                return None
        log.warning("ecotrack reference not found in %s pages reference=%s", MAX_PAGES, reference)
        return None

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        """Current states, 100 trackings a call; a failing later batch keeps earlier results."""
        wanted = list(dict.fromkeys(t for t in trackings if t))
        states: dict[str, ParcelState] = {}
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            params = {"api_token": self._token, "trackings": ",".join(batch), "status": "all"}
            try:
                answer = await self._accepted("GET", "get/orders/status", params=params)
            except CourierUnavailable:
                if not states:
                    raise
                log.warning("ecotrack tracking stopped after %s parcels", len(states))
                break
            rows = wire.keyed(answer.get("data") if isinstance(answer, dict) else None)
            states |= {t: self._state(t, rows[t]) for t in batch if t in rows}
        return states

    def _state(self, tracking: str, row: Mapping[str, Any]) -> ParcelState:
        raw = str(row.get("status") or "")
        last = wire.latest(wire.rows(row.get("activity")))
        reason = " — ".join(str(last[k]) for k in ("reason", "details") if last.get(k))
        status = map_status(TABLE, raw, self.name)
        return ParcelState(tracking, status, raw, raw_reason=reason, at=wire.dated(last))

    async def _about(self, path: str, tracking: str) -> httpx.Response:
        response = await self._send("GET", path, params={"tracking": tracking})
        if response.status_code in (404, 422):  # "Le tracking sélectionné est invalide."
            raise ParcelNotFound(f"ecotrack: {path} knows no {tracking}")
        return response

    async def history(self, tracking: str) -> list[ParcelState]:
        answer = _decoded(await self._about("get/tracking/info", tracking), "get/tracking/info")
        activity = answer.get("activity") if isinstance(answer, dict) else None
        if not activity:
            raise ParcelNotFound(f"ecotrack: no history for {tracking}")
        return [
            ParcelState(tracking, map_status(TABLE, raw, self.name), raw, at=wire.dated(event))
            for event in wire.rows(activity)
            if is_movement(raw := str(event.get("status") or ""))
        ]

    async def label(self, tracking: str) -> Label | None:
        response = await self._about("get/order/label", tracking)
        if response.status_code >= 400 or not response.content.startswith(b"%PDF"):
            raise CourierRejected(f"ecotrack: label of {tracking} is not a PDF")
        return Label(response.content)

    async def cancel(self, tracking: str) -> None:
        answer = await self._answer("DELETE", "delete/order", params={"tracking": tracking})
        if wire.refused(answer) or (isinstance(answer, dict) and answer.get("delete") == "fail"):
            raise CourierRejected(
                f"ecotrack: {tracking} can no longer be deleted (validated parcels cannot be; "
                "ask the courier to return it)"
            )

    async def aclose(self) -> None:
        await self.http.aclose()


def make(account: Account) -> EcotrackCourier:
    return EcotrackCourier(account)


def _raise_refusal(answer: Mapping[str, Any], path: str) -> NoReturn:
    message = str(answer.get("message") or "no answer")
    if message in _AUTH_REFUSALS:
        raise CourierAuthError(f"ecotrack: {_AUTH_REFUSALS[message]}")
    code = answer.get("error")
    raise CourierRejected(f"ecotrack {path}: {message}" + (f" (error {code})" if code else ""))


def _decoded(response: httpx.Response, path: str) -> Any:
    if response.status_code == 422:
        raise CourierRejected(f"ecotrack {path}: {wire.laravel_errors(response)}")
    if response.status_code >= 400:
        raise CourierRejected(f"ecotrack {path}: HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise CourierAnswerUnexpected(
            f"ecotrack {path}: not JSON (HTTP {response.status_code})", response.content
        ) from exc
