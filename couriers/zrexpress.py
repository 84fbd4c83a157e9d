"""ZR Express new platform (api.zrexpress.app). Wire contract and sources:
couriers/zrexpress.md. Credentials: `api_key` and `tenant` (headers X-Api-Key, X-Tenant);
optional `hub_id`, a source hub sent on home parcels (checked by `test_credentials`).
Wilaya and commune are territory UUIDs (zrexpress_wire).

Decisions:
- A create is: the customer (found by exact phone in `customers/search`, else created with
  `customers/individual`), then `POST parcels`, then the parcel read back for its tracking
  number and made ready to dispatch. A parcel left in `commande_recue` is never collected.
  The ready state (`pret_a_expedier`, or `ReadyToDispatch` on older tenants) is put in the
  create body when exactly one workflow has one; the parcel read back then shows whether
  the API took it. If not (or with several workflows), the ready state of the workflow that
  holds the parcel's current state is set with `PATCH parcels/{id}/state` `{parcelId,
  newStateId, comment}`, and once as `{stateId}` when that shape is refused.
- Our reference is the parcel's `externalId`. ZR refuses a second one (409), and its search
  ignores filters: `find_parcel` searches by keyword and keeps only an exact `externalId`
  match, finishing the readiness of a parcel an interrupted create left behind; a 409 on
  create answers that parcel.
- The tracking number may lag the create: it is read back a few times; if still missing
  the parcel UUID stands in (the API reads parcels by either).
- `amount` is the cash collected at the door. A desk parcel is "pickup-point" with the
  pickup point hub as `hubId` and its address as the delivery address; a home parcel carries
  `hubId` only when the account names a source hub (sources disagree whether one is needed).
- Any answer the contract does not describe raises CourierUnavailable with what ZR answered:
  the outcome is unknown, and the retry looks the reference up before creating again.
- Labels are PDFs behind short-lived storage URLs: downloaded at once, without our headers.
- Webhooks are Svix-style: `verify_webhook`, `parse_webhook` (zrexpress_webhooks, exported
  here). No quota is published: 45 requests a minute, as public clients keep to, less when
  the API says so (`X-RateLimit-Remaining`); a 429 waits its Retry-After. Tracking reads
  each parcel (search filters are ignored), a few at a time within that quota.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from couriers import zrexpress_wire as wire
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
)
from couriers.http import TIMEOUT, HttpClient, Quota
from couriers.zrexpress_statuses import (
    READY_KEYS,
    RECEIVED_KEYS,
    history_state,
    parcel_state,
    state_key,
)
from couriers.zrexpress_webhooks import parse_webhook, verify_webhook

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.zrexpress.app/api/v1/"
TRACK_BATCH = 20
TRACKING_READS = 4
SEARCH_PAGES = 5  # pages of a keyword search read before giving up on a reference
PAGE = 100
REFERENCE_PAGE = 1000  # territories and hubs: one large page (public clients do the same)
RATE = {60.0: 45}  # no quota is published: as public clients (couriers/zrexpress.md)
QUOTA_HEADERS = {"x-ratelimit-remaining": 60.0}
MAX_WAIT = 30.0  # a longer wait for the quota is CourierRateLimited: the caller retries later

__all__ = ["ZrExpressCourier", "make", "parse_webhook", "verify_webhook"]


class Duplicate(CourierRejected):
    """409: a parcel with this externalId exists already."""


class ZrExpressCourier:
    name = "zrexpress"
    capabilities = Capabilities(
        webhooks=True,
        cancel=True,
        labels="pdf",
        create_batch=1,
        track_batch=TRACK_BATCH,
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
        if quota is None:
            quota = Quota(RATE)
            quota.header_windows, quota.max_wait = dict(QUOTA_HEADERS), MAX_WAIT
        self.http = HttpClient(base_url, headers, quota, transport=transport, timeout=timeout)
        self.files = HttpClient(base_url, {}, transport=transport, timeout=timeout)
        self.territories = wire.Territories(self._all)
        self._workflows: list[wire.Workflow] | None = None
        self._hubs: list[dict[str, Any]] | None = None
        self._customers: dict[str, str] = {}  # +213 phone → customer id

    # --- plumbing --------------------------------------------------------------------

    async def _call(self, method: str, path: str, body: object = None) -> Any:
        kwargs = {} if body is None else {"json": body}
        response = await self.http.request(method, path, **kwargs)
        if response.status_code == 404:
            raise ParcelNotFound(f"zrexpress {path}: {wire.problem(response)}")
        if response.status_code == 409:
            raise Duplicate(f"zrexpress {path}: {wire.problem(response)}")
        if response.status_code >= 400:
            raise CourierRejected(f"zrexpress {path}: {wire.problem(response)}")
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise CourierUnavailable(
                f"zrexpress {path}: answer is not JSON: {wire.shape(response.text)}"
            ) from exc

    async def _object(self, method: str, path: str, body: object = None) -> dict[str, Any]:
        """A call whose answer must be a JSON object."""
        answer = await self._call(method, path, body)
        if not isinstance(answer, dict):
            raise CourierUnavailable(f"zrexpress {path}: unexpected answer {wire.shape(answer)}")
        return answer

    async def _page(self, path: str, page: int, size: int, keyword: str = "") -> dict[str, Any]:
        body: dict[str, object] = {"pageNumber": page, "pageSize": size}
        if keyword:
            body["keyword"] = keyword
        answer = await self._object("POST", path, body)
        if not isinstance(answer.get("items"), list):
            raise CourierUnavailable(f"zrexpress {path}: no items in {wire.shape(answer)}")
        return answer

    async def _all(self, path: str) -> list[dict[str, Any]]:
        """Every item of a reference search (territories, hubs, workflows)."""
        items: list[dict[str, Any]] = []
        for page in range(1, 100):
            answer = await self._page(path, page, REFERENCE_PAGE)
            items.extend(i for i in answer["items"] if isinstance(i, dict))
            if not answer.get("hasNext"):
                break
        return items

    # --- reference data --------------------------------------------------------------

    async def _workflow_list(self) -> list[wire.Workflow]:
        if self._workflows is None:
            self._workflows = wire.workflows_of(await self._all("workflows/search"))
        return self._workflows

    async def _hub_list(self) -> list[dict[str, Any]]:
        if self._hubs is None:
            self._hubs = await self._all("hubs/search")
        return self._hubs

    async def test_credentials(self) -> None:
        """The key, then what a first dispatch needs: a workflow with a ready-to-dispatch
        state, and the source hub when one is named. Says precisely what is missing."""
        missing = wire.missing_states(await self._workflow_list())
        if missing:
            raise CourierRejected(f"zrexpress: {missing}")
        if self.hub_id:
            hubs = await self._hub_list()
            if not any(str(h.get("id")) == self.hub_id for h in hubs):
                names = ", ".join(sorted(str(h.get("name", "")) for h in hubs)) or "none"
                raise CourierRejected(
                    f"zrexpress: hub_id {self.hub_id} is not one of the account's hubs ({names})"
                )

    async def wilayas(self) -> list[CourierWilaya]:
        return [CourierWilaya(w.code, w.name) for w in await self.territories.wilayas()]

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        return await wire.communes_of(self.territories, wilaya_code_58)

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        return await wire.pickup_points(await self._hub_list(), self.territories, wilaya_code_58)

    async def fees(self) -> list[Fee]:
        return wire.fees_of(await self._object("GET", "delivery-pricing/rates"))

    # --- create ----------------------------------------------------------------------

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        workflows = await self._workflow_list()
        missing = wire.missing_states(workflows)
        if missing:  # checked first: nothing (not even the customer) is made for nothing
            raise CourierRejected(f"zrexpress: {missing}")
        body = await self._parcel_body(request)
        ready = [w.ready for w in workflows if w.ready]
        if len(ready) == 1:
            body["stateId"] = ready[0]
        try:
            answer = await self._object("POST", "parcels", body)
        except Duplicate as exc:
            found = await self.find_parcel(request.reference)
            if found is None:
                raise CourierRejected(f"{exc} (and no parcel {request.reference} found)") from exc
            return found
        if not isinstance(answer.get("id"), str) or not answer["id"]:
            raise CourierUnavailable(f"zrexpress: no parcel id in {wire.shape(answer)}")
        return await self._dispatchable(answer["id"], request.reference)

    async def _parcel_body(self, request: ParcelRequest) -> dict[str, Any]:
        if request.delivery_type not in ("home", "desk"):
            raise CourierRejected(f"zrexpress: unknown delivery type {request.delivery_type!r}")
        if request.delivery_type == "desk":
            hub = await self._pickup_point(request.stopdesk_id)
            address = wire.obj(hub.get("address"))
            city = str(address.get("cityTerritoryId") or "")
            district = str(address.get("districtTerritoryId") or "")
            if not (city and district):
                city, district = await self.territories.resolve(
                    request.wilaya_code_58, request.commune_name
                )
            hub_id = str(hub["id"])
        else:
            city, district = await self.territories.resolve(
                request.wilaya_code_58, request.commune_name
            )
            hub_id = self.hub_id
        customer = await self._customer(request)
        body = wire.parcel_body(request, city, district, customer)
        return body | ({"hubId": hub_id} if hub_id else {})

    async def _pickup_point(self, hub_id: str | None) -> dict[str, Any]:
        if not hub_id:
            raise CourierRejected("zrexpress: a desk parcel needs a pickup point")
        for hub in await self._hub_list():
            if str(hub.get("id")) == hub_id and hub.get("isPickupPoint") is True:
                return hub
        raise CourierRejected(f"zrexpress: {hub_id} is not one of the account's pickup points")

    async def _customer(self, request: ParcelRequest) -> str:
        """The customer id: an existing customer with exactly this phone, else a new one."""
        phone = wire.intl_phone(request.phone)
        if phone in self._customers:
            return self._customers[phone]
        answer = await self._page("customers/search", 1, PAGE, keyword=phone)
        for item in map(wire.obj, answer["items"]):
            if wire.obj(item.get("phone")).get("number1") == phone and item.get("id"):
                self._customers[phone] = str(item["id"])
                return self._customers[phone]
        made = await self._object(
            "POST",
            "customers/individual",
            {"name": request.recipient_name, "phone": {"number1": phone}},
        )
        if not isinstance(made.get("id"), str) or not made["id"]:
            raise CourierUnavailable(f"zrexpress: no customer id in {wire.shape(made)}")
        self._customers[phone] = made["id"]
        return made["id"]

    async def _dispatchable(self, parcel_id: str, reference: str) -> CreatedParcel:
        """Read a new parcel back (for its tracking number) and make it ready to dispatch."""
        parcel = await self._read_back(parcel_id)
        state = wire.obj(parcel.get("state"))
        if state_key(state.get("name")) not in READY_KEYS:
            if state_key(state.get("name")) not in RECEIVED_KEYS:
                log.warning(
                    "zrexpress parcel not in its first state reference=%s state=%r",
                    reference,
                    state.get("name"),
                )
            else:
                try:
                    await self._make_ready(parcel_id, str(state.get("id") or ""), state.get("name"))
                except CourierRejected as exc:
                    tracking = parcel.get("trackingNumber") or parcel_id
                    raise CourierRejected(
                        f"zrexpress parcel {tracking} ({reference}) created but not made ready "
                        f"to dispatch: {exc}"
                    ) from exc
                parcel = await self._read_back(parcel_id)
        return wire.created(parcel, parcel_id, reference)

    async def _make_ready(self, parcel_id: str, state_id: str, name: object) -> None:
        holding = wire.workflow_holding(await self._workflow_list(), state_id, str(name or ""))
        ready = holding.ready if holding is not None else None
        if ready is None:
            raise CourierRejected(
                f"zrexpress: parcel {parcel_id} is in {name!r}, in no workflow with a "
                "ready-to-dispatch state; it stays undispatched"
            )
        path = f"parcels/{parcel_id}/state"
        try:
            await self._call(
                "PATCH", path, {"parcelId": parcel_id, "newStateId": ready, "comment": ""}
            )
        except CourierRejected as exc:
            if isinstance(exc, ParcelNotFound):
                raise
            log.info("zrexpress state change retried as {stateId}: %s", exc)
            await self._call("PATCH", path, {"stateId": ready})

    async def _read_back(self, parcel_id: str) -> dict[str, Any]:
        """Read a parcel until its tracking number shows (the UUID stands in otherwise)."""
        parcel: dict[str, Any] = {}
        for attempt in range(TRACKING_READS):
            parcel = await self._object("GET", f"parcels/{parcel_id}")
            if parcel.get("trackingNumber"):
                break
            await asyncio.sleep(self.tracking_wait * (attempt + 1))
        return parcel

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        for page in range(1, SEARCH_PAGES + 1):
            answer = await self._page("parcels/search", page, PAGE, keyword=reference)
            for parcel in answer["items"]:
                if isinstance(parcel, dict) and parcel.get("externalId") == reference:
                    return await self._found(parcel, reference)
            if not answer.get("hasNext"):
                break
        return None

    async def _found(self, parcel: dict[str, Any], reference: str) -> CreatedParcel:
        parcel_id = str(parcel.get("id") or "")
        if not parcel_id:
            raise CourierUnavailable(f"zrexpress: parcel without id {wire.shape(parcel)}")
        name = wire.obj(parcel.get("state")).get("name")
        if state_key(name) in RECEIVED_KEYS or not parcel.get("trackingNumber"):
            return await self._dispatchable(parcel_id, reference)  # an interrupted create
        return wire.created(parcel, parcel_id, reference)

    # --- after the create ------------------------------------------------------------

    async def _parcel(self, tracking: str) -> dict[str, Any]:
        return await self._object("GET", f"parcels/{tracking}")

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        """Each parcel read on its own (search filters are ignored by the API). Parcels that
        could not be read this time are left out, unless none could: then that is raised."""
        answers = await asyncio.gather(
            *(self._parcel(t) for t in trackings), return_exceptions=True
        )
        states: dict[str, ParcelState] = {}
        trouble: BaseException | None = None
        for tracking, answer in zip(trackings, answers, strict=True):
            if not isinstance(answer, BaseException):
                state = parcel_state(answer)
                states[tracking] = ParcelState(
                    tracking, state.status, state.raw_status, state.raw_reason, state.at
                )
            elif isinstance(answer, CourierAuthError) or not isinstance(answer, CourierError):
                raise answer
            elif not isinstance(answer, ParcelNotFound):
                trouble = trouble or answer
        if trouble is not None and not states:
            raise trouble
        return states

    async def history(self, tracking: str) -> list[ParcelState]:
        parcel = await self._parcel(tracking)
        events = await self._call("GET", f"parcels/{parcel.get('id') or tracking}/state-history")
        if not isinstance(events, list):
            raise CourierUnavailable(f"zrexpress: unexpected history {wire.shape(events)}")
        rows = [history_state(tracking, e) for e in events if isinstance(e, dict)]
        return sorted(rows, key=lambda s: s.at.timestamp() if s.at else 0.0)

    async def label(self, tracking: str) -> Label | None:
        answer = await self._object(
            "POST",
            "parcels/labels/individual/pdf",
            {"trackingNumbers": [tracking], "format": "a6"},
        )
        files = answer.get("parcelLabelFiles")
        failed = answer.get("failedTrackingNumbers")
        if (isinstance(failed, list) and tracking in failed) or files == []:
            raise ParcelNotFound(f"zrexpress: no label for {tracking}")
        url = wire.obj(files[0]).get("fileUrl") if isinstance(files, list) and files else None
        if not isinstance(url, str) or not url:
            raise CourierUnavailable(f"zrexpress: no label file in {wire.shape(answer)}")
        response = await self.files.request("GET", url)
        if response.status_code >= 400:
            raise CourierUnavailable(f"zrexpress label download: HTTP {response.status_code}")
        kind = response.headers.get("Content-Type", "application/octet-stream")
        return Label(response.content, kind.split(";")[0].strip())

    async def cancel(self, tracking: str) -> None:
        parcel = await self._parcel(tracking)
        await self._call("DELETE", f"parcels/{parcel.get('id') or tracking}")

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.files.aclose()


def make(account: Account) -> ZrExpressCourier:
    return ZrExpressCourier(account)
