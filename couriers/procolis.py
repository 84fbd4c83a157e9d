"""Procolis platform: ZR Express legacy and the other companies on it (ABEX, Leopard Express,
Colilog, Flash Delivery), reference/couriers.md §5. Each company's account has its own
`token` + `key`; the base URL is shared but overridable per account.

Decisions:
- Our reference is sent as `Tracking` (and `id_Externe`): the API can only look a parcel up
  by tracking (`lire`), so this is what makes `find_parcel(reference)` possible, and a
  retried create answers "Double Tracking", which we resolve by reading the parcel back.
- `Confrimee=1` at create puts the parcel straight to "prêt à expédier" (no `pret` call).
- HTTP 200 is not success: every answer is checked for the auth sentinels ("Clé non
  détectée", "Token désactivé") and every created row for `MessageRetour == "Good"`.
- `Total` is the cash collected at the door (goods + delivery unless free shipping).
- No labels, cancel, commune or desk lists, history or webhooks exist: those raise
  NotSupported (history returns the one current state `lire` gives). Desk delivery is
  `TypeLivraison=1`; the courier picks the desk of the commune, so no desk id is sent.
- No quota is published: we keep to 45 requests a minute, what public clients use for
  couriers that publish none (cd0uze/courier-dz), learn from X-RateLimit-Remaining if the
  platform ever sends it, and slow down after a 429 (couriers.http). `lire` has no
  documented batch limit; we send 50 trackings a call.
- An answer that is not the documented shape (no `Colis` list, a row without
  `MessageRetour`) is CourierAnswerUnexpected with the raw answer: the parcel may exist.
- test_credentials: "Accès activé" on `token`, then a non-empty `tarification` (no tariff
  means the account cannot ship yet; the platform has no sender wilaya or hub to check).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx

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
    NotSupported,
    ParcelNotFound,
    ParcelRequest,
    ParcelState,
    StopDesk,
    fold,
)
from couriers.http import RATE_LIMIT_HEADERS, TIMEOUT, HttpClient, Quota
from couriers.procolis_statuses import action_time, situation_status

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://procolis.com/api_v1/"
BATCH = 50
RATE = {60.0: 45}  # self-imposed: no quota is published
SOURCE = "Hanout"
_AUTH_SENTINELS = ("cle non detectee", "token desactive")

Outcome = CreatedParcel | CourierError


class ProcolisCourier:
    name = "procolis"
    capabilities = Capabilities(
        webhooks=False,
        cancel=False,
        labels="none",
        create_batch=BATCH,
        track_batch=BATCH,
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
        token, key = account.need("token", "key")
        self.quota = quota or Quota(RATE)
        self.quota.header_windows = dict(RATE_LIMIT_HEADERS)
        self.http = HttpClient(
            account.base_url or DEFAULT_BASE_URL,
            {"token": token, "key": key},
            quota=self.quota,
            transport=transport,
            timeout=timeout,
        )

    # --- transport ---------------------------------------------------------------------

    async def _call(self, method: str, path: str, body: object = None) -> Any:
        # POSTs without a body get HTTP 411, so an empty object is always sent.
        kwargs = {"json": {} if body is None else body} if method == "POST" else {}
        response = await self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise CourierRejected(f"procolis {path}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise CourierAnswerUnexpected(
                f"procolis {path}: not JSON (HTTP {response.status_code})", response.content
            ) from exc
        _raise_for_sentinel(answer, path)
        return answer

    # --- account and reference data ----------------------------------------------------

    async def test_credentials(self) -> None:
        answer = await self._call("GET", "token")
        status = answer.get("Statut", "") if isinstance(answer, dict) else ""
        if fold(status) != "acces active":
            raise CourierAuthError(f"procolis: credentials refused ({status or 'no status'})")
        if not await self._tariffs():
            raise CourierRejected(
                "procolis: the keys work but the account has no tariff yet (tarification is"
                " empty); ask the courier to set its prices before the first dispatch"
            )

    async def _tariffs(self) -> list[dict[str, Any]]:
        answer = await self._call("POST", "tarification")
        rows = answer if isinstance(answer, list) else []
        return [r for r in rows if isinstance(r, dict) and 1 <= _int(r.get("IDWilaya")) <= 58]

    async def wilayas(self) -> list[CourierWilaya]:
        """The served wilayas, as the tariff lists them (the API has no wilaya list)."""
        rows = await self._tariffs()
        return [CourierWilaya(_int(r["IDWilaya"]), str(r.get("Wilaya", ""))) for r in rows]

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        raise NotSupported("procolis has no commune list: the commune is free text")

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        raise NotSupported("procolis has no desk list: the desk follows the commune")

    async def fees(self) -> list[Fee]:
        rows = await self._tariffs()
        return [
            Fee(_int(r["IDWilaya"]), _price(r.get("Domicile")), _price(r.get("Stopdesk")))
            for r in rows
        ]

    # --- parcels -----------------------------------------------------------------------

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        (outcome,) = await self.create_many([request])
        if isinstance(outcome, CourierError):
            raise outcome
        return outcome

    async def create_many(self, requests: Sequence[ParcelRequest]) -> list[Outcome]:
        """Create parcels in batches; one outcome per request, in order. Requests our
        checks refuse are not sent; a batch answer is positional (matched by `id_Externe`
        when a row carries it)."""
        outcomes: list[Outcome] = []
        for start in range(0, len(requests), BATCH):
            outcomes.extend(await self._create_chunk(requests[start : start + BATCH]))
        return outcomes

    async def _create_chunk(self, chunk: Sequence[ParcelRequest]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        bodies: dict[int, dict[str, str]] = {}
        for index, request in enumerate(chunk):
            try:
                bodies[index] = _colis(request)
            except CourierRejected as exc:
                outcomes[index] = exc
        if bodies:
            answer = await self._call("POST", "add_colis", {"Colis": list(bodies.values())})
            if not isinstance(answer, dict) or not isinstance(answer.get("Colis"), list):
                unexpected = CourierAnswerUnexpected("procolis add_colis: no Colis list", answer)
                return [outcomes.get(index, unexpected) for index in range(len(chunk))]
            rows = _rows(answer)
            by_reference = {str(r.get("id_Externe")): r for r in rows if r.get("id_Externe")}
            for position, index in enumerate(bodies):
                request = chunk[index]
                positional = rows[position] if position < len(rows) else None
                row = by_reference.get(request.reference, positional)
                outcomes[index] = await self._outcome(request, row)
        return [outcomes[index] for index in range(len(chunk))]

    async def _outcome(self, request: ParcelRequest, row: dict[str, Any] | None) -> Outcome:
        if not row:  # outcome unknown: the caller looks it up before retrying
            return CourierUnavailable(f"procolis: no answer for {request.reference}")
        if "MessageRetour" not in row:
            return CourierAnswerUnexpected("procolis add_colis: no MessageRetour", row)
        message = str(row.get("MessageRetour", ""))
        if fold(message) == "good":
            tracking = str(row.get("Tracking") or request.reference)
            return CreatedParcel(tracking=tracking, reference=request.reference, raw=row)
        if fold(message) == "double tracking":
            found = await self.find_parcel(request.reference)
            if found is not None:
                return found
        return CourierRejected(f"procolis refused {request.reference}: {message or 'no reason'}")

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        row = (await self._read([reference])).get(reference)
        if row is None:
            return None
        return CreatedParcel(tracking=reference, reference=reference, raw=row)

    async def _read(self, trackings: Sequence[str]) -> dict[str, dict[str, Any]]:
        answer = await self._call("POST", "lire", {"Colis": [{"Tracking": t} for t in trackings]})
        return {str(r["Tracking"]): r for r in _rows(answer) if r.get("Tracking")}

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        states: dict[str, ParcelState] = {}
        for start in range(0, len(trackings), BATCH):
            try:
                rows = await self._read(trackings[start : start + BATCH])
            except CourierUnavailable:
                if not states:
                    raise
                log.warning("procolis tracking stopped early got=%d", len(states))
                break
            states.update({t: _state(t, row) for t, row in rows.items()})
        return states

    async def history(self, tracking: str) -> list[ParcelState]:
        """Only the current state: the API keeps no event history for clients."""
        states = await self.track_many([tracking])
        if tracking not in states:
            raise ParcelNotFound(tracking)
        return [states[tracking]]

    async def label(self, tracking: str) -> Label | None:
        raise NotSupported("procolis has no label endpoint: print it from the dashboard")

    async def cancel(self, tracking: str) -> None:
        raise NotSupported("procolis has no cancel endpoint: ask the courier")

    async def aclose(self) -> None:
        await self.http.aclose()


# --- wire format ---------------------------------------------------------------------------


def _colis(request: ParcelRequest) -> dict[str, str]:
    if request.delivery_type not in ("home", "desk"):
        raise CourierRejected(f"procolis: unknown delivery type {request.delivery_type!r}")
    if not 1 <= request.wilaya_code_58 <= 58:
        raise CourierRejected(f"procolis: wilaya {request.wilaya_code_58} is not 1-58")
    return {
        "Tracking": request.reference,
        "TypeLivraison": "1" if request.delivery_type == "desk" else "0",
        "TypeColis": "0",
        "Confrimee": "1",  # sic: the API's spelling
        "Client": request.recipient_name,
        "MobileA": request.phone,
        "MobileB": "",
        "Adresse": request.address,
        "IDWilaya": f"{request.wilaya_code_58:02d}",
        "Commune": request.commune_name,
        "Total": str(request.cod_amount),
        "Note": request.note,
        "TProduit": request.products,
        "id_Externe": request.reference,
        "Source": SOURCE,
    }


def _raise_for_sentinel(answer: object, path: str) -> None:
    if not isinstance(answer, dict):
        return
    for field in ("Retour", "Statut"):
        value = str(answer.get(field, ""))
        if fold(value).startswith(_AUTH_SENTINELS):
            raise CourierAuthError(f"procolis: credentials refused ({value})")
    if "Retour" in answer and "Colis" not in answer:
        raise CourierRejected(f"procolis {path}: {answer['Retour']}")


def _rows(answer: object) -> list[dict[str, Any]]:
    """The `Colis` rows of an answer; `lire` answers a literal null when nothing matched."""
    rows = answer.get("Colis") if isinstance(answer, dict) else answer
    if not isinstance(rows, list):
        return []
    return [r if isinstance(r, dict) else {} for r in rows]


def _state(tracking: str, row: dict[str, Any]) -> ParcelState:
    # The status is `Situation`; a few clients read `Statut`, kept as a fallback only.
    raw = str(row.get("Situation") or row.get("Statut") or "")
    return ParcelState(
        tracking=tracking,
        status=situation_status(raw),
        raw_status=raw,
        at=action_time(row.get("DateH_Action")),
    )


def _int(value: object) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def _price(value: object) -> int | None:
    try:
        amount = int(float(str(value).strip()))
    except ValueError:
        return None
    return amount if amount > 0 else None


def make(account: Account) -> ProcolisCourier:
    return ProcolisCourier(account)
