"""Each store's SMS gateway (SPEC §7): an SMS Gateway for Android endpoint in local, cloud or
private-server mode (reference/market.md §6), and the facts a customer SMS is written from.

Routing: the outbox route decides from (store, topic) alone, without a query, so the
`sms` channel gets a row for every topic of SMS_TOPICS (`order.shipped`) whatever the
store; the channel completes the row without sending when the store has no active
gateway. One cheap row per shipped order buys a route that never goes stale when a gateway
is added or removed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from models.errors import InvalidInput
from models.infra.sealing import Sealer
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.outbox.tables import SmsGateway
from models.shipping.tables import Shipment
from models.stores.tables import Store

SMS_TOPICS = frozenset({"order.shipped"})
CLOUD_HOST = "api.sms-gate.app"
CLOUD_PATH = "/3rdparty/v1"
URL_HINT = (
    "base_url: expected http(s)://host[:port][/path], e.g. http://192.168.1.20:8080 "
    f"(the phone, local mode) or https://{CLOUD_HOST}{CLOUD_PATH} (cloud)"
)


def clean_base_url(raw: str) -> str:
    """The gateway's API root without a trailing slash; InvalidInput naming the form."""
    text = raw.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{URL_HINT}; the port is not a number from 1 to 65535") from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in text)
    ):
        raise InvalidInput(URL_HINT)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("base_url: give the username and password apart, not in the URL")
    if parts.query or parts.fragment:
        raise InvalidInput(f"{URL_HINT}; no ?query or #fragment")
    path = parts.path.rstrip("/")
    if parts.hostname == CLOUD_HOST and not path:
        path = CLOUD_PATH  # the cloud server's API lives under this prefix
    netloc = _netloc(parts.hostname, port)
    url = urlunsplit((parts.scheme, netloc, path, "", ""))
    if len(url) > 255:
        raise InvalidInput("base_url: at most 255 characters")
    return url


def _netloc(host: str, port: int | None) -> str:
    try:
        is_v6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        is_v6 = False
    host = f"[{host}]" if is_v6 else host.lower()
    return f"{host}:{port}" if port else host


def _check_credentials(username: str, password: str) -> None:
    if not username.strip() or len(username) > 120 or any(c.isspace() for c in username):
        raise InvalidInput("username: 1-120 characters, no spaces")
    if not password or len(password) > 256:
        raise InvalidInput("password: 1-256 characters")


async def set_sms_gateway(
    store: Store, base_url: str, username: str, password: str, sealer: Sealer
) -> SmsGateway:
    """Give the store its gateway (replacing any previous one) and turn it on. The password
    is stored sealed with a key from SECRET_KEY; bad input changes nothing."""
    url = clean_base_url(base_url)
    username = username.strip()
    _check_credentials(username, password)
    sealed = sealer.seal({"password": password})
    gateway = await SmsGateway.get_or_none(store_id=store.id)
    if gateway is None:
        return await SmsGateway.create(
            store=store, base_url=url, username=username, password_sealed=sealed
        )
    gateway.base_url, gateway.username, gateway.password_sealed = url, username, sealed
    gateway.active = True
    await gateway.save(update_fields=["base_url", "username", "password_sealed", "active"])
    return gateway


async def get_sms_gateway(store: Store) -> SmsGateway | None:
    """The store's gateway, active or not; None when it never had one."""
    return await SmsGateway.get_or_none(store_id=store.id)


@dataclass(frozen=True, slots=True)
class GatewayAccess:
    """What calling a gateway takes, the password unsealed (never printed or logged)."""

    base_url: str
    username: str
    password: str = field(repr=False)


async def gateway_access(store_id: int, sealer: Sealer) -> GatewayAccess | None:
    """The store's active gateway, ready to call; None when it has none or it is off.
    InvalidInput when the password cannot be unsealed (SECRET_KEY changed)."""
    gateway = await SmsGateway.get_or_none(store_id=store_id, active=True)
    if gateway is None:
        return None
    password = sealer.unseal(gateway.password_sealed).get("password", "")
    return GatewayAccess(gateway.base_url, gateway.username, password)


@dataclass(frozen=True, slots=True)
class ShippedNotice:
    """What the customer's "your parcel is on its way" SMS says, and to whom."""

    lang: str
    store_name: str
    number: int
    phone: str = field(repr=False)
    courier: str  # the courier's code (`yalidine`, `manual`, …)
    courier_label: str  # the account's own name for it, "" when none
    tracking: str


async def shipped_notice(store_id: int, order_id: int) -> ShippedNotice | None:
    """The facts of a shipped order's SMS; None when the order is gone, was never shipped
    or has already moved on (delivered, returned: "on its way" would be wrong)."""
    order = await Order.get_or_none(id=order_id, store_id=store_id)
    if order is None or order.status is not OrderStatus.SHIPPED or not order.tracking:
        return None
    store = await Store.get(id=store_id)
    shipment = await Shipment.get_or_none(order_id=order.id).select_related("account")
    label = shipment.account.label if shipment and shipment.account else ""
    return ShippedNotice(
        lang=store.lang,
        store_name=store.name,
        number=order.number,
        phone=order.phone,
        courier=order.courier or (shipment.courier if shipment else ""),
        courier_label=label,
        tracking=order.tracking,
    )
