"""NOEST (Nord et Ouest Express, reference/couriers.md §4): an EcoTrack derivative at
app.noest-dz.com/api/public, `Authorization: Bearer <api_token>` and `user_guid` in the
JSON body of every write call.

Decisions:
- Create, then `valid/order`: until validated an order is a draft logistics never sees,
  and nothing errors. `montant` is the cash collected at the door, delivery included
  (ParcelRequest.cod_amount), as on EcoTrack whose API NOEST's derives from [verify with a
  real account]. Stop desks: `stop_desk=1` + `station_code` ("16A", from `desks`).
- The commune is matched against NOEST's active `get/communes/{wilaya}` before create
  (couriers.base.match_commune: accents, case, spacing, articles, transliterations; our
  French, Arabic and alias names) and sent in NOEST's spelling; none is refused naming it.
- find_parcel (asked by the channel only when an earlier try may have created the parcel):
  drafts this instance created but could not validate are remembered and finished;
  otherwise `GET get/orders?page=` (paginated like EcoTrack's, whose API NOEST's derives
  from — not in NOEST's v2.3 digest [unverified]) is read newest first for a row carrying
  our reference, at most MAX_PAGES pages; an account where it answers 404/405 falls back
  to "not found". The parcel found is validated (already_validated tolerated). The read
  timeout (40 s) outlasts NOEST's own 30 s limit, so a slow create answers instead of
  timing out.
- Tracking: POST get/trackings/info, 100 a call (no documented maximum; the bulk limit
  elsewhere), rows matched by tracking. The state is the latest movement event: finance
  and data-edit events ride in the same feed and are skipped.
- Label: a 302 to a pre-signed PDF valid about five minutes; the bytes are fetched at once
  and without our Bearer header (a pre-signed URL refuses a second credential).
- Quota: 45/min, under NOEST's 60/min ceiling where a public client reports aggressive
  429s; X-RateLimit-Remaining corrects it and a 429 lowers it (couriers.http).
- test_credentials checks the token (get/wilayas, at least one active), then the
  user_guid with a write that cannot change anything: `valid/order` of a tracking that
  cannot exist, answered by a business error when the GUID is right and a 422 on
  user_guid when it is not [unverified on a live account].
- `tarifs.delivery` comes keyed by wilaya or as a list of rows with `wilaya_id`: both read.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
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
    fold,
    map_status,
    match_commune,
)
from couriers.http import RATE_LIMIT_HEADERS, HttpClient, Quota
from couriers.noest_statuses import TABLE, is_movement

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://app.noest-dz.com/api/public/"
QUOTA = {60.0: 45}
MAX_PAGES = 10
COMMUNES_TTL = 6 * 3600.0
CHECK_TRACKING = "HANOUT-CREDENTIAL-CHECK"
BATCH = 100
NOEST_TIMEOUT = httpx.Timeout(40.0, connect=5.0)
ALREADY_VALIDATED = "already_validated"
CANCELLED = ParcelStatus.CANCELLED
_ACCOUNT_ERRORS = {"account_suspended"}
_WILAYA_OF_DESK = re.compile(r"\d+")


class NoestCourier:
    name = "noest"
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
        timeout: httpx.Timeout = NOEST_TIMEOUT,
    ) -> None:
        token, self._guid = account.need("api_token", "user_guid")
        self.quota = quota or Quota(QUOTA)
        self.quota.header_windows = dict(RATE_LIMIT_HEADERS)
        self.http = HttpClient(
            account.base_url or DEFAULT_BASE_URL,
            {"Authorization": f"Bearer {token}", "Accept": "application/json"},
            quota=self.quota,
            transport=transport,
            timeout=timeout,
        )
        self._drafts: dict[str, str] = {}  # reference → tracking created but not validated
        self._communes: dict[int, tuple[float, list[str]]] = {}

    async def _answer(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        if response.is_redirect:
            where = response.headers.get("Location", "?")
            raise CourierError(f"noest: {path} moved to {where}; update the base URL")
        if response.status_code == 422:
            _raise_invalid(response, path)
        if response.status_code >= 400:
            raise CourierRejected(f"noest {path}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise CourierAnswerUnexpected(
                f"noest {path}: not JSON (HTTP {response.status_code})", response.content
            ) from exc

    async def _read(self, path: str, **kwargs: Any) -> Any:
        answer = await self._answer("GET", path, **kwargs)
        if wire.refused(answer):
            _raise_refusal(answer, path)
        return answer

    async def _write(self, path: str, fields: Mapping[str, Any], *, tolerate: str = "") -> Any:
        answer = await self._answer("POST", path, json={"user_guid": self._guid, **fields})
        if wire.refused(answer) and not (tolerate and _code(answer) == tolerate):
            _raise_refusal(answer, path)
        return answer

    async def test_credentials(self) -> None:
        """Everything a first dispatch needs: the token (reference data), a served wilaya,
        and the user_guid (write calls)."""
        wilayas = await self._read("get/wilayas")
        if not isinstance(wilayas, list):
            raise CourierAuthError("noest: the token did not open the wilaya list")
        if not any(_active(row) for row in wire.rows(wilayas)):
            raise CourierRejected("noest: the token works but no wilaya is open to this account")
        answer = await self._answer(
            "POST", "valid/order", json={"user_guid": self._guid, "tracking": CHECK_TRACKING}
        )  # a 422 on user_guid raises CourierAuthError naming it
        if not isinstance(answer, dict):
            raise CourierAnswerUnexpected("noest: the user_guid check answered oddly", answer)
        if _code(answer) in _ACCOUNT_ERRORS:
            _raise_refusal(answer, "valid/order")

    async def wilayas(self) -> list[CourierWilaya]:
        """The wilayas NOEST serves now (inactive ones left out)."""
        return [
            CourierWilaya(code, str(row.get("nom", "")))
            for row in wire.rows(await self._read("get/wilayas"))
            if 1 <= (code := wire.as_int(row.get("code"))) <= 58 and _active(row)
        ]

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        rows = wire.rows(await self._read(f"get/communes/{wilaya_code_58}"))
        desks = {fold(d.commune_name) for d in await self.stop_desks(wilaya_code_58)}
        return [
            CourierCommune(
                wilaya_code_58,
                name := str(row.get("nom", "")),
                courier_id=str(row.get("code_postal", "")),
                has_stop_desk=fold(name) in desks,
            )
            for row in rows
            if _active(row) and wire.as_int(row.get("wilaya_id")) in (0, wilaya_code_58)
        ]

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        """Desks keyed by station code ("16A"); the code's number is the wilaya."""
        desks = []
        for code, row in wire.keyed(await self._read("desks")).items():
            code = str(row.get("code") or code)
            wilaya = wire.as_int(row.get("wilaya_id")) or _desk_wilaya(code)
            if wilaya_code_58 in (None, wilaya):
                name, commune = str(row.get("name", "")), str(row.get("commune", ""))
                desks.append(StopDesk(code, name, wilaya, commune, str(row.get("address", ""))))
        return desks

    async def fees(self) -> list[Fee]:
        """Per-wilaya delivery prices, home and stop desk (NOEST prices no commune).
        `tarifs.delivery` is keyed by wilaya, or a list of rows naming their `wilaya_id`."""
        answer = await self._read("fees")
        tarifs = answer.get("tarifs") if isinstance(answer, dict) else None
        delivery = tarifs.get("delivery") if isinstance(tarifs, dict) else None
        if isinstance(delivery, list):
            pairs = [(str(row.get("wilaya_id", "")), row) for row in wire.rows(delivery)]
        else:
            pairs = list(wire.keyed(delivery).items())
        return [
            Fee(code, wire.as_money(row.get("tarif")), wire.as_money(row.get("tarif_stopdesk")))
            for key, row in pairs
            if 1 <= (code := wire.as_int(row.get("wilaya_id") or key)) <= 58
        ]

    async def _their_commune(self, request: ParcelRequest) -> str:
        """NOEST's own spelling of the request's commune (active ones only)."""
        wilaya, now = request.wilaya_code_58, time.monotonic()
        kept = self._communes.get(wilaya)
        if kept is None or now - kept[0] > COMMUNES_TTL:
            rows = wire.rows(await self._read(f"get/communes/{wilaya}"))
            names = [str(r.get("nom", "")) for r in rows if _active(r) and r.get("nom")]
            kept = self._communes[wilaya] = (now, names)
        found = match_commune((request.commune_name, *request.commune_aliases), kept[1])
        if found is not None:
            return found
        near = closest_communes(request.commune_name, kept[1])
        raise CourierRejected(
            f"noest: the commune {request.commune_name!r} is not an active NOEST commune of"
            f" wilaya {wilaya}"
            + (f" (closest: {', '.join(near)})" if near else "")
            + ("" if kept[1] else " (NOEST serves none there)")
        )

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        body = wire.noest_order(request)  # checks the request before any call
        body["commune"] = await self._their_commune(request)
        answer = await self._write("create/order", body)
        if not isinstance(answer, dict) or not answer.get("tracking"):
            raise CourierAnswerUnexpected("noest create/order: no tracking", answer)
        tracking = str(answer["tracking"])
        self._drafts[request.reference] = tracking
        await self._validate(tracking)  # if this fails, find_parcel finishes from memory
        del self._drafts[request.reference]
        return CreatedParcel(tracking, request.reference, raw=answer)

    async def _validate(self, tracking: str) -> None:
        await self._write("valid/order", {"tracking": tracking}, tolerate=ALREADY_VALIDATED)

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        """The parcel carrying our reference: a draft this instance made, else the account's
        recent orders (`get/orders`, newest first, MAX_PAGES at most). Validated on the way."""
        tracking = self._drafts.get(reference)
        row: Mapping[str, Any] = {}
        if tracking is None:
            found = await self._order_with_reference(reference)
            if found is None:
                return None
            row, tracking = found, str(found["tracking"])
        await self._validate(tracking)
        self._drafts.pop(reference, None)
        return CreatedParcel(tracking, reference, raw=row)

    async def _order_with_reference(self, reference: str) -> dict[str, Any] | None:
        for page in range(1, MAX_PAGES + 1):
            response = await self.http.request("GET", "get/orders", params={"page": page})
            if response.status_code in (404, 405):
                log.warning("noest get/orders unavailable status=%s", response.status_code)
                return None
            if response.status_code >= 400:
                raise CourierRejected(f"noest get/orders: HTTP {response.status_code}")
            try:
                answer = response.json()
            except ValueError as exc:
                raise CourierAnswerUnexpected("noest get/orders: not JSON", response.text) from exc
            data = answer.get("data") if isinstance(answer, dict) else answer
            for row in wire.rows(data):
                gone = map_status(TABLE, row.get("status") or "", self.name) is CANCELLED
                if str(row.get("reference")) == reference and row.get("tracking") and not gone:
                    return row
            if not isinstance(answer, dict) or page >= wire.as_int(answer.get("last_page")):
                return None
        log.warning("noest reference not found in %s pages reference=%s", MAX_PAGES, reference)
        return None

    async def _infos(self, trackings: list[str]) -> dict[str, dict[str, Any]]:
        answer = await self._write("get/trackings/info", {"trackings": trackings})
        return wire.keyed(answer)  # an empty list when nothing matched

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        """Current states, 100 trackings a call; a failing later batch keeps earlier results."""
        wanted = list(dict.fromkeys(t for t in trackings if t))
        states: dict[str, ParcelState] = {}
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            try:
                infos = await self._infos(batch)
            except CourierUnavailable:
                if not states:
                    raise
                log.warning("noest tracking stopped after %s parcels", len(states))
                break
            for tracking in batch:
                if moves := _movements(infos.get(tracking)):
                    states[tracking] = self._state(tracking, wire.latest(moves))
        return states

    def _state(self, tracking: str, event: Mapping[str, Any]) -> ParcelState:
        key = str(event.get("event_key") or "")
        status = map_status(TABLE, key, self.name)
        return ParcelState(tracking, status, key, _reason(event), wire.dated(event))

    async def history(self, tracking: str) -> list[ParcelState]:
        infos = await self._infos([tracking])
        if tracking not in infos:
            raise ParcelNotFound(f"noest: no parcel {tracking}")
        return [self._state(tracking, event) for event in _movements(infos[tracking])]

    async def label(self, tracking: str) -> Label | None:
        response = await self.http.request("GET", "get/order/label", params={"tracking": tracking})
        if response.status_code in (404, 422):
            raise ParcelNotFound(f"noest: no label for {tracking}")
        if response.is_redirect and (location := response.headers.get("Location")):
            response = await self._download(response.url.join(location))
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise CourierUnavailable(f"noest: label of {tracking} unavailable, try again")
        return Label(response.content)

    async def _download(self, url: httpx.URL) -> httpx.Response:
        request = self.http.client.build_request("GET", url)
        del request.headers["Authorization"]  # the URL carries its own signature
        try:
            return await self.http.client.send(request)
        except httpx.HTTPError as exc:
            raise CourierUnavailable(f"noest: label download failed: {exc}") from exc

    async def cancel(self, tracking: str) -> None:
        """Only before validation: NOEST answers already_validated afterwards."""
        await self._write("delete/order", {"tracking": tracking})

    async def aclose(self) -> None:
        await self.http.aclose()


def make(account: Account) -> NoestCourier:
    return NoestCourier(account)


def _code(answer: object) -> str:
    if not isinstance(answer, dict):
        return ""
    return str(answer.get("error") or answer.get("code") or answer.get("message") or "")


def _raise_refusal(answer: Mapping[str, Any], path: str) -> NoReturn:
    code, message = _code(answer), str(answer.get("message") or "")
    if code in _ACCOUNT_ERRORS:
        raise CourierAuthError(f"noest: account refused ({code}) {message}")
    raise CourierRejected(f"noest {path}: {message or 'refused'} ({code or 'no code'})")


def _raise_invalid(response: httpx.Response, path: str) -> NoReturn:
    errors = wire.laravel_errors(response)
    if "user_guid" in errors or "user guid" in errors:
        raise CourierAuthError(f"noest: user_guid refused ({errors})")
    raise CourierRejected(f"noest {path}: {errors}")


def _movements(info: object) -> list[dict[str, Any]]:
    """A parcel's events that say where it is, in NOEST's order (money and edits left out)."""
    activity = wire.rows(info.get("activity")) if isinstance(info, dict) else []
    return [e for e in activity if is_movement(e.get("event_key"))]


def _reason(event: Mapping[str, Any]) -> str:
    return wire.first(event, "reason", "motif", "remarque", "comment")


def _active(row: Mapping[str, Any]) -> bool:
    return row.get("is_active") in (None, 1, True, "1")


def _desk_wilaya(code: str) -> int:
    match = _WILAYA_OF_DESK.match(code)
    return int(match.group()) if match else 0
