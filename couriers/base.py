"""The courier protocol: neutral dataclasses, the canonical parcel status, errors, and the
shared HTTP plumbing (one httpx client per account, timeouts, quotas, 429 Retry-After).

Every adapter maps its raw statuses with an exact table (accents and case folded) and keeps
the raw status and reason beside the canonical one; nothing is ever "delivered" by guess.
"""

from __future__ import annotations

import difflib
import json
import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

log = logging.getLogger(__name__)


class ParcelStatus(StrEnum):
    CREATED = "created"
    PENDING_PICKUP = "pending_pickup"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    AT_HUB = "at_hub"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    ON_HOLD = "on_hold"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    LOST = "lost"
    UNKNOWN = "unknown"


FINAL = frozenset(
    {ParcelStatus.DELIVERED, ParcelStatus.RETURNED, ParcelStatus.CANCELLED, ParcelStatus.LOST}
)
NEEDS_ACTION = frozenset({ParcelStatus.DELIVERY_ATTEMPTED, ParcelStatus.ON_HOLD})


def fold(text: object) -> str:
    """Lowercase, accents removed, runs of spaces/underscores/dashes as one space:
    "Echèc  livraison" and "echec_livraison" fold alike."""
    raw = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in raw if not unicodedata.combining(c)).lower()
    for sep in ("_", "-", "\u00a0", "\t"):
        plain = plain.replace(sep, " ")
    return " ".join(plain.split())


# Spellings of one sound in French transliterations of Arabic names, and articles, folded
# to one form: "Aïn El Turk" ~ "Ain Turk", "Bordj Bou Arreridj" ~ "Borj Bou Arrerij",
# "Oulad Fayet" ~ "Ouled Fayet", "Bni Messous" ~ "Beni Messous".
_WORD_FORMS = {
    "ayn": "ain",
    "aine": "ain",
    "borj": "bordj",
    "bni": "beni",
    "oulad": "ouled",
    "wlad": "ouled",
    "wad": "oued",
    "si": "sidi",
}
_ARTICLES = frozenset({"el", "al", "l", "e", "le", "la", "les", "d"})


def commune_key(name: object) -> str:
    """A commune name reduced to what survives spelling variants: folded (case, accents),
    apostrophes and dashes as spaces, articles dropped, common transliteration variants
    unified, a final "e" dropped, doubled letters single, and "dj" as "j" — then the words
    joined."""
    text = fold(name).replace("'", " ").replace("’", " ").replace("`", " ").replace(".", " ")
    words = [_WORD_FORMS.get(w, w) for w in text.split() if w not in _ARTICLES]
    words = [w[:-1] if len(w) > 3 and w.endswith("e") else w for w in words]  # Kiffane
    joined = "".join(words).replace("dj", "j")
    squeezed = [c for i, c in enumerate(joined) if i == 0 or c != joined[i - 1]]
    return "".join(squeezed)


def match_commune(wanted: Sequence[str], offered: Sequence[str]) -> str | None:
    """The courier's own spelling (one of `offered`) of the commune we call by any of the
    names in `wanted` (ours, its Arabic and French aliases): an exact folded match first,
    then a unique match on `commune_key`. None when nothing, or more than one, matches."""
    names = [n for n in wanted if n and str(n).strip()]
    by_fold: dict[str, list[str]] = {}
    by_key: dict[str, list[str]] = {}
    for name in offered:
        by_fold.setdefault(fold(name), []).append(name)
        by_key.setdefault(commune_key(name), []).append(name)
    for name in names:
        if len(found := by_fold.get(fold(name), [])) == 1:
            return found[0]
    keys = {commune_key(name) for name in names}
    found = list(dict.fromkeys(n for key in keys for n in by_key.get(key, [])))
    return found[0] if len(found) == 1 else None


def closest_communes(name: str, offered: Sequence[str], n: int = 3) -> list[str]:
    """A few names of `offered` that look like `name`, for a refusal a person can act on."""
    keys = {commune_key(o): o for o in offered}
    near = difflib.get_close_matches(commune_key(name), list(keys), n=n, cutoff=0.6)
    return [keys[k] for k in near]


def status_table(pairs: Mapping[str, ParcelStatus]) -> dict[str, ParcelStatus]:
    """An exact table keyed by folded raw status."""
    return {fold(raw): status for raw, status in pairs.items()}


def map_status(table: Mapping[str, ParcelStatus], raw: object, courier: str) -> ParcelStatus:
    """The canonical status of a raw one; unknown ones are logged and stay UNKNOWN."""
    status = table.get(fold(raw))
    if status is None:
        log.warning("unknown courier status courier=%s raw=%r", courier, raw)
        return ParcelStatus.UNKNOWN
    return status


def excerpt(answer: object, limit: int = 600) -> str:
    """A courier's raw answer as one line for a card or a timeline: JSON kept compact,
    bytes decoded leniently, cut at `limit` characters with an ellipsis."""
    if answer is None:
        return ""
    if isinstance(answer, bytes):
        text = answer.decode("utf-8", "replace")
    elif isinstance(answer, str):
        text = answer
    else:
        try:
            text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"), default=str)
        except (TypeError, ValueError):
            text = repr(answer)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- errors ------------------------------------------------------------------------------


class CourierError(Exception):
    """Base of every courier failure. `retryable` says whether trying later may work."""

    retryable = False


class CourierAuthError(CourierError):
    """Credentials refused (or an HTTP-200 body saying so)."""


class CourierRejected(CourierError):
    """The courier refused the request itself (validation, unknown commune, duplicate…)."""


class CourierUnavailable(CourierError):
    """Network error, timeout or 5xx: the outcome is unknown, try again later."""

    retryable = True


class CourierRateLimited(CourierUnavailable):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CourierAnswerUnexpected(CourierError):
    """The courier answered, but not in a shape its contract describes: whether it acted
    (created the parcel…) is unknown. `answer` is the raw answer, shortened for people."""

    def __init__(self, message: str, answer: object = None) -> None:
        super().__init__(message)
        self.answer = excerpt(answer)


class ParcelNotFound(CourierError):
    pass


class NotSupported(CourierError):
    """The courier's API has no such operation (e.g. Procolis labels or cancel)."""


# --- data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Capabilities:
    webhooks: bool
    cancel: bool
    labels: str  # "url" | "pdf" | "none"
    create_batch: int
    track_batch: int
    stop_desks: bool = True
    validation_step: bool = False


@dataclass(frozen=True, slots=True)
class Account:
    """One merchant's account at one courier: credentials and an overridable base URL."""

    courier: str
    base_url: str
    credentials: Mapping[str, str]

    def need(self, *names: str) -> tuple[str, ...]:
        missing = [n for n in names if not self.credentials.get(n)]
        if missing:
            raise CourierAuthError(f"{self.courier}: missing credentials {', '.join(missing)}")
        return tuple(self.credentials[n] for n in names)


@dataclass(frozen=True, slots=True)
class ParcelRequest:
    """A parcel to create. Money is whole dinars: `goods_value` is what the products cost,
    `delivery_fee` what the customer pays for delivery, `cod_amount` what the courier
    collects at the door (goods + delivery, unless free shipping); each adapter sends what
    its API means by its amount field."""

    reference: str  # our idempotency key, unique per order
    recipient_name: str
    phone: str  # national form 0XXXXXXXXX
    address: str
    wilaya_code_58: int
    wilaya_name: str
    commune_name: str
    delivery_type: str  # home | desk
    products: str
    quantity: int
    goods_value: int
    delivery_fee: int
    cod_amount: int
    stopdesk_id: str | None = None
    free_shipping: bool = False
    note: str = ""
    weight_kg: float = 1.0
    # Other names of the same commune (ours in French and Arabic, known aliases): couriers
    # that match the commune against their own list try each.
    commune_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CreatedParcel:
    tracking: str
    reference: str
    label_url: str | None = None
    fee: int | None = None
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParcelState:
    tracking: str
    status: ParcelStatus
    raw_status: str
    raw_reason: str = ""
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Label:
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class CourierWilaya:
    code_58: int
    name: str


@dataclass(frozen=True, slots=True)
class CourierCommune:
    wilaya_code_58: int
    name: str
    courier_id: str = ""  # Maystro commune id, ZR territory UUID, …
    has_stop_desk: bool = False


@dataclass(frozen=True, slots=True)
class StopDesk:
    id: str
    name: str
    wilaya_code_58: int
    commune_name: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class Fee:
    wilaya_code_58: int
    home: int | None
    desk: int | None


class Courier(Protocol):
    """What every adapter offers. Calls raise CourierError subclasses only."""

    name: str
    capabilities: Capabilities

    async def test_credentials(self) -> None: ...
    async def wilayas(self) -> list[CourierWilaya]: ...
    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]: ...
    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]: ...
    async def fees(self) -> list[Fee]: ...
    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel: ...
    async def find_parcel(self, reference: str) -> CreatedParcel | None: ...
    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]: ...
    async def history(self, tracking: str) -> list[ParcelState]: ...
    async def label(self, tracking: str) -> Label | None: ...
    async def cancel(self, tracking: str) -> None: ...
    async def aclose(self) -> None: ...
