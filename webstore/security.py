"""Storefront defences: the visitor cookie and its CSRF token, the order link token, the
orders this browser placed, what our own proxy tells us, and the per-IP checkout limit."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from aiohttp import web

VISITOR_COOKIE = "hv"
_VISITOR_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
ORDER_TOKEN_LENGTH = 24
PLACED_COOKIE = "placed"
MAX_PLACED = 5
_PLACED_RE = re.compile(rf"[0-9]{{1,10}}(?:-[0-9]{{1,10}}){{0,{MAX_PLACED - 1}}}")


def _sign(secret: str, purpose: str, message: str) -> str:
    # One key per purpose, so a token made for one use can never pass for another.
    key = hashlib.sha256(f"hanout:{purpose}:{secret}".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def same_token(expected: str, given: str) -> bool:
    """Constant-time equality; False (not a TypeError, hence a 500) for non-ASCII input."""
    return given.isascii() and hmac.compare_digest(expected, given)


def new_visitor_id() -> str:
    return secrets.token_urlsafe(24)


def is_visitor_id(value: str | None) -> bool:
    return value is not None and _VISITOR_RE.fullmatch(value) is not None


def csrf_token(secret: str, visitor_id: str) -> str:
    """The token forms carry: bound to the visitor cookie, so another site cannot forge it."""
    return _sign(secret, "csrf", visitor_id)


def csrf_valid(secret: str, visitor_id: str | None, token: object) -> bool:
    if not is_visitor_id(visitor_id) or not isinstance(token, str) or len(token) > 128:
        return False
    return same_token(csrf_token(secret, visitor_id or ""), token)


def order_token(secret: str, store_id: int, number: int) -> str:
    """Part of the thank-you link: order numbers are sequential, so the number alone would
    let anyone read other customers' orders."""
    return _sign(secret, "order", f"{store_id}:{number}")[:ORDER_TOKEN_LENGTH]


def order_token_valid(secret: str, store_id: int, number: int, token: str) -> bool:
    return same_token(order_token(secret, store_id, number), token)


def placed_cookie(numbers: tuple[int, ...], secret: str, store_id: int) -> str:
    """The cookie value naming the last orders this browser placed in a store (newest last)."""
    payload = "-".join(str(n) for n in numbers[-MAX_PLACED:])
    return f"{payload}.{_sign(secret, 'placed', f'{store_id}:{payload}')[:32]}"


def placed_numbers(raw: str | None, secret: str, store_id: int) -> tuple[int, ...]:
    """The order numbers in a placed-orders cookie; none for a missing, forged or foreign one.
    Signed because it unlocks the thank-you page of a duplicate checkout (its address and
    phone): a phone and a product are not proof of being that customer."""
    if not raw or len(raw) > 128:
        return ()
    payload, _, signature = raw.rpartition(".")
    if not _PLACED_RE.fullmatch(payload):
        return ()
    expected = _sign(secret, "placed", f"{store_id}:{payload}")[:32]
    if not same_token(expected, signature):
        return ()
    return tuple(int(n) for n in payload.split("-"))


def cart_signature(secret: str, store_id: int, payload: str) -> str:
    return _sign(secret, "cart", f"{store_id}:{payload}")[:32]


def client_ip(request: web.Request, trust_forwarded: bool) -> str:
    """The peer address, or the one our own proxy appended to X-Forwarded-For."""
    if trust_forwarded:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.remote or ""


def is_https(request: web.Request, trust_forwarded: bool) -> bool:
    """Whether the visitor reached us over HTTPS, directly or (only behind a proxy we run,
    which terminates TLS) as the X-Forwarded-Proto it set says; cookies are Secure then."""
    if request.secure:
        return True
    if not trust_forwarded:
        return False
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[-1]
    return forwarded.strip().lower() == "https"


def address_key(address: str) -> str:
    """What one client's budget is counted on: an IPv4 address, or the /64 network of an
    IPv6 one (a single subscriber usually holds a whole /64, so counting addresses would
    give each one billions of budgets). Anything else is kept as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class SlidingWindow:
    """At most `limit` hits per client address (`address_key`) in any `window` seconds, kept
    in this process's memory: at most `max_keys` addresses of `limit` times each, the least
    recently seen forgotten first, and O(1) work per hit whatever the number of addresses."""

    MAX_KEYS = 50_000

    def __init__(
        self,
        limit: int,
        window: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int | None = None,
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.max_keys = max_keys or self.MAX_KEYS
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()  # least recent first

    def __len__(self) -> int:
        return len(self._hits)

    def hit(self, address: str) -> bool:
        """Count one hit; False (and not counted) when the address is over its limit."""
        now, key = self.clock(), address_key(address)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque(maxlen=self.limit)
            if len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)  # the one seen longest ago
        else:
            self._hits.move_to_end(key)  # refused hits count as seen: an abuser stays known
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True
