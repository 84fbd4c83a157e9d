"""NOEST (Nord et Ouest Express, reference/couriers.md §4): an EcoTrack derivative at
app.noest-dz.com/api/public, `Authorization: Bearer <api_token>` and `user_guid` in the
JSON body of every write call.

Decisions:
- Create, then `valid/order`: until validated an order is a draft logistics never sees,
  and nothing errors. `montant` is the cash collected at the door, delivery included
  (ParcelRequest.cod_amount), as on EcoTrack whose API NOEST's derives from [verify with a
  real account]. Stop desks: `stop_desk=1` + `station_code` ("16A", from `desks`).
- find_parcel: NOEST can look parcels up by tracking only, never by our reference. Drafts
  this instance created but could not validate are remembered and finished; otherwise
  None. A create that timed out leaves at worst an unvalidated draft, which is never
  collected, so a retried create still ships one parcel; and the read timeout (40 s)
  outlasts NOEST's own 30 s limit, so a slow create answers instead of timing out.
- Tracking: POST get/trackings/info, 100 a call (no documented maximum; the bulk limit
  elsewhere), rows matched by tracking. The state is the latest movement event: finance
  and data-edit events ride in the same feed and are skipped.
- Label: a 302 to a pre-signed PDF valid about five minutes; the bytes are fetched at once
  and without our Bearer header (a pre-signed URL refuses a second credential).
- Quota 60/min. test_credentials checks the token (reference calls need nothing else); a
  wrong user_guid shows at the first write, as CourierAuthError.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import httpx

from couriers import ecotrack_wire as wire
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
    ParcelNotFound,
    ParcelRequest,
    ParcelState,
    StopDesk,
    fold,
    map_status,
)
from couriers.http import HttpClient, Quota
from couriers.noest_statuses import TABLE, is_movement

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://app.noest-dz.com/api/public/"
QUOTA = {60.0: 60}
BATCH = 100
NOEST_TIMEOUT = httpx.Timeout(40.0, connect=5.0)
ALREADY_VALIDATED = "already_validated"
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
        self.http = HttpClient(
            account.base_url or DEFAULT_BASE_URL,
            {"Authorization": f"Bearer {token}", "Accept": "application/json"},
            quota=quota or Quota(QUOTA),
            transport=transport,
            timeout=timeout,
        )
        self._drafts: dict[str, str] = {}  # reference → tracking created but not validated

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
            raise CourierUnavailable(f"noest {path}: unreadable answer") from exc

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
        if not isinstance(await self._read("get/wilayas"), list):
            raise CourierAuthError("noest: the token did not open the wilaya list")

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
        """Per-wilaya delivery prices, home and stop desk (NOEST prices no commune)."""
        answer = await self._read("fees")
        tarifs = answer.get("tarifs") if isinstance(answer, dict) else None
        delivery = tarifs.get("delivery") if isinstance(tarifs, dict) else None
        return [
            Fee(code, wire.as_money(row.get("tarif")), wire.as_money(row.get("tarif_stopdesk")))
            for key, row in wire.keyed(delivery).items()
            if 1 <= (code := wire.as_int(row.get("wilaya_id") or key)) <= 58
        ]

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        answer = await self._write("create/order", wire.noest_order(request))
        if not isinstance(answer, dict) or not answer.get("tracking"):
            raise CourierRejected(f"noest create/order: no tracking in {answer!r:.120}")
        tracking = str(answer["tracking"])
        self._drafts[request.reference] = tracking
        await self._validate(tracking)  # if this fails, find_parcel finishes from memory
        del self._drafts[request.reference]
        return CreatedParcel(tracking, request.reference, raw=answer)

    async def _validate(self, tracking: str) -> None:
        await self._write("valid/order", {"tracking": tracking}, tolerate=ALREADY_VALIDATED)

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        """Only drafts this instance created: NOEST cannot search by reference."""
        tracking = self._drafts.get(reference)
        if tracking is None:
            return None
        await self._validate(tracking)
        del self._drafts[reference]
        return CreatedParcel(tracking, reference)

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
