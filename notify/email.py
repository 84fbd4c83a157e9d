"""The email channel: the store owner hears of each new order by email (SPEC §7).

`SMTP_URL` picks the server and how to reach it:
`smtp://user:pass@host:port` (plain, port 25), `smtp+starttls://…` (STARTTLS required, port
587) or `smtps://…` (TLS from the first byte, port 465). User and password are optional and
percent-decoded.

An empty `SMTP_URL` turns email off: the channel says so once in the log and completes the
rows without sending, so they do not pile up for a server that was never configured; the
Telegram card and the other channels are unaffected.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

from models.orders.tables import Order
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from notify.email_text import new_order_email
from notify.relay import PermanentFailure

# The email channel's topics (its route in hanout.processes.outbox_routes).
EMAIL_TOPICS = ("order.created",)

log = logging.getLogger(__name__)

# scheme -> (default port, TLS from the start, STARTTLS required)
_SCHEMES = {
    "smtp": (25, False, False),
    "smtps": (465, True, False),
    "smtp+starttls": (587, False, True),
}
_NOT_IN_MESSAGE_ID = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    use_tls: bool
    start_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """Read `SMTP_URL`; raises ValueError naming the expected form (never echoing a password)."""
    parts = urlsplit(url.strip())
    expected = "SMTP_URL must look like smtp://user:pass@host:port (or smtps://, smtp+starttls://)"
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ValueError(expected)
    default_port, use_tls, start_tls = _SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError(f"{expected}; the port is not a number from 1 to 65535") from None
    return SmtpServer(
        host=parts.hostname,
        port=port,
        use_tls=use_tls,
        start_tls=start_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def message_id_for(message: OutboxMessage, sender: str) -> str:
    """The same Message-ID on every try of one outbox row, so a resend shows as a duplicate."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    key = _NOT_IN_MESSAGE_ID.sub(".", message.dedupe_key).strip(".")
    # The row's creation second tells apart installations that share a sender domain.
    return f"<hanout.{key}.{int(message.created_at.timestamp())}@{domain}>"


class EmailChannel:
    """ChannelHandler for the `email` channel (topic `order.created`)."""

    def __init__(self, smtp_url: str, sender: str, timeout: float = 20.0) -> None:
        if "@" not in parseaddr(sender)[1]:
            raise ValueError("SMTP_FROM must be an email address, e.g. Hanout <shop@example.com>")
        self.server = parse_smtp_url(smtp_url) if smtp_url.strip() else None
        self.sender = sender
        self.timeout = timeout
        if self.server is None:
            log.info("email is off: SMTP_URL is empty, new-order emails are skipped")

    async def __call__(self, message: OutboxMessage) -> None:
        if self.server is None:
            return
        if message.topic != "order.created":
            raise PermanentFailure(f"the email channel has no email for topic {message.topic}")
        store, order = await _store_and_order(message)
        if not store.owner_email:
            log.info("email skipped, store has no owner email store=%s", store.slug)
            return
        lines = await order.lines.all().order_by("id")
        email = new_order_email(
            store, order, lines, self.sender, message_id_for(message, self.sender)
        )
        await self._send(self.server, email)
        log.info(
            "email sent store=%s number=%s message_id=%s",
            store.slug,
            order.number,
            email["Message-ID"],
        )

    async def _send(self, server: SmtpServer, email: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                email,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.use_tls,
                start_tls=server.start_tls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            _raise_if_permanent(exc, [refusal.code for refusal in exc.recipients])
            raise
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError) as exc:
            _raise_if_permanent(exc, [exc.code])
            raise


def _raise_if_permanent(exc: Exception, codes: list[int]) -> None:
    # 5xx about this message (address or content refused) will not change on a retry. A 5xx
    # at connect, HELO or AUTH is the server's or our configuration's: retried, so mail
    # waits while an operator fixes SMTP settings instead of being dead-lettered.
    if codes and all(500 <= code < 600 for code in codes):
        raise PermanentFailure(f"SMTP refused the email: {exc}") from exc


def has_owner_email(store: Store) -> bool:
    """The email route's store filter: a new-order email needs the owner's address."""
    return bool(store.owner_email)


async def _store_and_order(message: OutboxMessage) -> tuple[Store, Order]:
    store = await Store.get_or_none(id=message.store_id) if message.store_id else None
    order_id = message.payload.get("order_id")
    order = await Order.get_or_none(id=order_id, store_id=message.store_id) if order_id else None
    if store is None or order is None:
        raise PermanentFailure(f"order {message.payload.get('number', '?')} no longer exists")
    return store, order
