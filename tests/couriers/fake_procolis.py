"""A fake Procolis platform on 127.0.0.1, written from the wire contract (couriers/README.md
§Procolis), not from the adapter: `add_colis` and `lire` take `{"Colis": [...]}` and
nothing else (other shapes are answered with a `Retour` text, as the platform answers bad
calls), `TypeLivraison`/`TypeColis` outside 0/1 and missing fields are refused row by row.
With its quirks:
`token` + `key` headers, auth failures as HTTP 200 sentinels, 411 for a POST without a
body, `add_colis` batches answered row by row (`MessageRetour`), "Double Tracking" on a
reused tracking, `Confrimee` deciding whether a parcel is ready, `lire` answering a literal
null when nothing matched, `tarification` rows, 429 with Retry-After, and a create that
takes effect then stalls past the client's timeout.

    async with FakeProcolis() as fake:
        courier = ProcolisCourier(fake.account())
        ...
        fake.set_situation(tracking, "Livrée")
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from couriers.base import Account

READY = "En Traitement - Prêt à Expédie"
UNCONFIRMED = "En Préparation"
_MOBILE = re.compile(r"0[5-7]\d{8}")
_TARIFFS = [
    {"IDWilaya": "16", "Wilaya": "Alger", "Domicile": "400", "Stopdesk": "250", "Annuler": "200"},
    {"IDWilaya": "31", "Wilaya": "Oran", "Domicile": "600", "Stopdesk": "350", "Annuler": "250"},
    {"IDWilaya": "33", "Wilaya": "Illizi", "Domicile": "1400", "Stopdesk": "0", "Annuler": "0"},
]


class FakeProcolis:
    def __init__(self, token: str = "tok-zr-1", key: str = "key-zr-1") -> None:
        self.token, self.key = token, key
        self.token_disabled = False
        self.parcels: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, Any, float]] = []  # (path, JSON body, monotonic time)
        self.throttle: list[float] = []  # Retry-After of the next requests, each a 429
        self.stall_create = 0.0  # the next add_colis sleeps this long after storing
        self.odd: dict[str, web.Response] = {}  # path → an undocumented 200 answer, once
        self.tariffs: list[dict[str, str]] = list(_TARIFFS)
        self._serial = 0
        app = web.Application(middlewares=[self._gate])
        app.router.add_get("/api_v1/token", self._token)
        for path, handler in (
            ("add_colis", self._add_colis),
            ("pret", self._pret),
            ("lire", self._lire),
            ("tarification", self._tarification),
        ):
            app.router.add_post(f"/api_v1/{path}", handler)
        self.server = TestServer(app, host="127.0.0.1")

    async def __aenter__(self) -> FakeProcolis:
        await self.server.start_server()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()

    @property
    def url(self) -> str:
        return str(self.server.make_url("/api_v1/"))

    def account(self, **credentials: str) -> Account:
        creds = {"token": self.token, "key": self.key, **credentials}
        return Account(courier="procolis", base_url=self.url, credentials=creds)

    def set_situation(self, tracking: str, situation: str) -> None:
        self.parcels[tracking]["Situation"] = situation

    def bodies(self, path: str) -> list[Any]:
        return [body for called, body, _ in self.calls if called == path]

    # --- middleware: rate limit, auth, 411 -------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = request.path.removeprefix("/api_v1/")
        raw = await request.read()
        self.calls.append((path, json.loads(raw) if raw else None, time.monotonic()))
        if self.throttle:
            wait = self.throttle.pop(0)
            return web.json_response({}, status=429, headers={"Retry-After": str(wait)})
        if request.method == "POST" and (not raw or not request.content_type.endswith("json")):
            return web.Response(status=411, text="Length Required")
        refusal = self._refusal(request)
        if refusal:
            field = "Statut" if path == "token" else "Retour"
            return web.json_response({field: refusal})  # HTTP 200, as the real API
        if path in self.odd:
            return self.odd.pop(path)
        if path in ("add_colis", "lire", "pret"):
            body = json.loads(raw)
            if not isinstance(body, dict) or not isinstance(body.get("Colis"), list):
                return web.json_response({"Retour": "Format de données invalide"})
        return await handler(request)

    def _refusal(self, request: web.Request) -> str:
        if request.headers.get("token") != self.token:
            return "Clé non détectée S1"
        if request.headers.get("key") != self.key:
            return "Clé non détectée S2"
        return "Token désactivé" if self.token_disabled else ""

    # --- endpoints -------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        return web.json_response({"Statut": "Accès activé"})

    async def _add_colis(self, request: web.Request) -> web.Response:
        rows = [self._store(colis) for colis in (await request.json())["Colis"]]
        if self.stall_create:
            stall, self.stall_create = self.stall_create, 0.0
            await asyncio.sleep(stall)
        return web.json_response({"Colis": rows})

    def _store(self, colis: dict[str, Any]) -> dict[str, Any]:
        problem = _problem(colis)
        tracking = colis.get("Tracking") or self._new_tracking()
        if not problem and tracking in self.parcels:
            problem = "Double Tracking"
        if not problem:
            ready = str(colis.get("Confrimee")) == "1"
            self.parcels[tracking] = {
                **colis,
                "Tracking": tracking,
                "Situation": READY if ready else UNCONFIRMED,
                "IDSituation": "2" if ready else "1",
                "DateH_Action": "2026-11-26 10:15:00",
            }
        answer = {"Tracking": tracking, "id_Externe": colis.get("id_Externe", "")}
        return {**answer, "MessageRetour": problem or "Good"}

    def _new_tracking(self) -> str:
        self._serial += 1
        return f"ZR{self._serial:08d}"

    async def _pret(self, request: web.Request) -> web.Response:
        rows = []
        for item in (await request.json())["Colis"]:
            parcel = self.parcels.get(item.get("Tracking"))
            if parcel is not None:
                parcel["Situation"] = READY
            rows.append({"Tracking": item.get("Tracking"), "MessageRetour": "Good"})
        return web.json_response({"Colis": rows})

    async def _lire(self, request: web.Request) -> web.Response:
        wanted = [item.get("Tracking") for item in (await request.json())["Colis"]]
        rows = [self._public(self.parcels[t]) for t in wanted if t in self.parcels]
        if not rows:
            return web.Response(text="null", content_type="application/json")
        return web.json_response({"Colis": rows})

    @staticmethod
    def _public(parcel: dict[str, Any]) -> dict[str, Any]:
        fields = ("Tracking", "Situation", "IDSituation", "DateH_Action", "Client", "Total")
        return {name: parcel.get(name) for name in fields} | {"Wilaya": parcel.get("IDWilaya")}

    async def _tarification(self, request: web.Request) -> web.Response:
        return web.json_response(self.tariffs)


def _problem(colis: dict[str, Any]) -> str:
    """The platform's free-text refusals (not catalogued by any source; these stand in)."""
    if not str(colis.get("Client", "")).strip():
        return "Nom du client obligatoire"
    if not _MOBILE.fullmatch(str(colis.get("MobileA", ""))):
        return "Numéro de téléphone invalide"
    if not str(colis.get("IDWilaya", "")).isdigit() or not 1 <= int(colis["IDWilaya"]) <= 58:
        return "Wilaya invalide"
    if not str(colis.get("Commune", "")).strip():
        return "Commune obligatoire"
    if not str(colis.get("Total", "")).isdigit():
        return "Montant invalide"
    if str(colis.get("TypeLivraison", "")) not in ("0", "1"):
        return "Type de livraison invalide"
    if str(colis.get("TypeColis", "0")) not in ("0", "1"):
        return "Type de colis invalide"
    return ""
