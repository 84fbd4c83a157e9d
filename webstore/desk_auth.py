"""Who opened the desk: the Mini App's init data checked as Telegram defines it
(core.telegram.org/bots/webapps, "Validating data received via the Mini App"), then the
person looked up among the store's active members.

Every `/desk/api/…` request carries `Authorization: tma <initData>`. The data-check-string
is every field but `hash`, sorted by key, `key=value` joined by newlines; it is valid when
HMAC-SHA256 under the key HMAC-SHA256("WebAppData", bot_token) equals `hash` (compared in
constant time) and `auth_date` is less than a day old. The user id comes from the signed
`user` field only: nothing else the page sends says who it is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from aiohttp import web

from models.infra.clock import now
from models.orders.timeline import Actor
from models.stores.tables import Store
from models.team.tables import Member
from webstore.api_errors import ApiError
from webstore.config import CONFIG
from webstore.i18n import LANGS

SCHEME = "tma"
MAX_AGE = timedelta(days=1)
# A phone whose clock runs a little ahead still gets in; further ahead is a forgery.
CLOCK_SKEW = timedelta(minutes=5)
MAX_INIT_DATA = 4096
_HASH = re.compile(r"[0-9a-f]{64}")
CHALLENGE = {"WWW-Authenticate": SCHEME}


class InitDataRefused(Exception):
    """The init data is missing, malformed, not signed with our bot's token, or too old."""


@dataclass(frozen=True, slots=True)
class TelegramUser:
    """The signed `user` of the init data: the only identity the desk believes."""

    id: int
    name: str
    language_code: str
    start_param: str


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram puts in init data made of `fields` (used to check, and by tests
    that play Telegram's part)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(secret_key(bot_token), check.encode(), hashlib.sha256).hexdigest()


def _fields(raw: str) -> dict[str, str]:
    if not raw or len(raw) > MAX_INIT_DATA:
        raise InitDataRefused("init data missing or too long")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused("init data is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRefused("a field is repeated")
    return fields


def _auth_date(fields: dict[str, str], at: datetime) -> datetime:
    try:
        signed_at = datetime.fromtimestamp(int(fields.get("auth_date", "")), UTC)
    except (ValueError, OverflowError, OSError):
        raise InitDataRefused("auth_date missing or not a time") from None
    if signed_at < at - MAX_AGE or signed_at > at + CLOCK_SKEW:
        raise InitDataRefused("init data expired: reopen the desk")
    return signed_at


def _user(fields: dict[str, str]) -> TelegramUser:
    try:
        user = json.loads(fields.get("user", ""))
        user_id = user["id"]
    except (ValueError, TypeError, KeyError):
        raise InitDataRefused("no user in the init data") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InitDataRefused("no user in the init data")
    name = " ".join(str(user.get(k) or "") for k in ("first_name", "last_name")).strip()
    lang = str(user.get("language_code") or "")[:2].lower()
    return TelegramUser(user_id, name[:128], lang, fields.get("start_param", "")[:64])


def verify_init_data(raw: str, bot_token: str, at: datetime | None = None) -> TelegramUser:
    """The user of init data signed for `bot_token` less than a day before `at`; raises
    InitDataRefused otherwise (also when no bot token is configured)."""
    if not bot_token:
        raise InitDataRefused("the desk needs the bot (TELEGRAM_BOT_TOKEN)")
    fields = _fields(raw)
    given = fields.pop("hash", "")
    if not _HASH.fullmatch(given):
        raise InitDataRefused("init data is not signed")
    if not hmac.compare_digest(sign_init_data(fields, bot_token), given):
        raise InitDataRefused("init data signature does not match")
    _auth_date(fields, at or now())
    return _user(fields)


@dataclass(frozen=True, slots=True)
class DeskUser:
    """A store's active member, as the checked init data names them."""

    store: Store
    member: Member
    user: TelegramUser

    @property
    def is_owner(self) -> bool:
        return self.member.role == "owner"

    @property
    def actor(self) -> Actor:
        # Attributed like a press of the card's buttons: role, Telegram id, member's name.
        return Actor(self.member.role, str(self.user.id), self.member.name or self.user.name)

    @property
    def lang(self) -> str:
        """The person's Telegram language when the desk speaks it, else the store's."""
        for lang in (self.user.language_code, self.store.lang):
            if lang in LANGS:
                return lang
        return "fr"


def _init_data(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != SCHEME or not value.strip():
        message = "Authorization: tma <initData> is required"
        raise ApiError(401, "unauthorized", message, headers=CHALLENGE)
    return value.strip()


async def desk_user(request: web.Request, slug: str) -> DeskUser:
    """The active member of store `slug` who sent this request: 401 when the init data does
    not hold, 403 when its user is no active member of that store (another store's members
    included), 404 when no such store."""
    try:
        user = verify_init_data(_init_data(request), request.app[CONFIG].telegram_bot_token)
    except InitDataRefused as exc:
        raise ApiError(401, "unauthorized", str(exc), headers=CHALLENGE) from None
    store = await Store.get_or_none(slug=slug)
    if store is None:
        raise ApiError(404, "not_found", "No such store")
    member = await Member.get_or_none(store_id=store.id, telegram_user_id=user.id, active=True)
    if member is None or member.role not in ("owner", "agent"):
        raise ApiError(403, "forbidden", "Only the store's team opens its desk")
    return DeskUser(store, member, user)


def require_owner(who: DeskUser) -> None:
    if not who.is_owner:
        raise ApiError(403, "owner_only", "Only the store's owner sees this")
