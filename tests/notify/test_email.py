"""The email channel end to end: a placed order, the relay, a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from models.infra import clock
from models.orders.intake import place_order
from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from notify.email import EmailChannel, SmtpServer, message_id_for, parse_smtp_url
from notify.relay import Relay
from tests.factories import Shop, checkout, make_shop

SENDER = "Hanout <orders@hanout.test>"


class Mailbox:
    """aiosmtpd handler keeping what it accepts; `refuse` answers RCPT with that reply."""

    def __init__(self) -> None:
        self.emails: list[EmailMessage] = []
        self.refuse = ""
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.emails.append(parsed)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"p@ss:word")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(mailbox: Mailbox, port: int, **options: Any) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_port(mailbox: Mailbox) -> Iterator[int]:
    port = free_port()
    controller = start_server(mailbox, port)
    yield port
    controller.stop()


def relay_for(url: str) -> Relay:
    return Relay({"email": EmailChannel(url, SENDER)}, "worker-test")


async def place(lang: str = "fr") -> tuple[Shop, Order]:
    shop = await make_shop(lang=lang)
    placed = await place_order(shop.store, checkout(shop.variants[1].id, 2))  # 2 × 4 800 DA
    return shop, placed.order


def body_of(email: EmailMessage) -> str:
    part = email.get_body(("plain",))
    assert part is not None
    # Amounts use no-break spaces (they never wrap or reorder in Arabic); read them as spaces.
    return str(part.get_content()).replace("\u202f", " ").replace("\u00a0", " ")


EXPECTED = {
    "fr": ("Nouvelle commande n° 1001", "16 - Alger", "Alger-centre", "10 000 DA", "9 600 DA"),
    "ar": ("طلب جديد رقم 1001", "16 - الجزائر", "الجزائر الوسطى", "10 000 د.ج", "9 600 د.ج"),
    "en": ("New order #1001", "16 - Alger", "Alger-centre", "10 000 DA", "9 600 DA"),
}


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_owner_gets_the_new_order_in_the_store_language(
    db: str, mailbox: Mailbox, smtp_port: int, lang: str
) -> None:
    _, order = await place(lang)
    subject, wilaya, commune, total, line_amount = EXPECTED[lang]

    assert await relay_for(f"smtp://127.0.0.1:{smtp_port}").run_once() == 1

    [email] = mailbox.emails
    row = await OutboxMessage.get(channel="email")
    assert email["To"] == "owner@example.test"
    assert email["From"] == SENDER
    assert subject in email["Subject"]
    assert email["Message-ID"] == message_id_for(row, SENDER)
    assert email["Content-Language"] == lang
    body = body_of(email)
    for expected in (
        str(order.number),
        "Amina Benali",
        "0550 12 34 56",
        wilaya,
        commune,
        "12 rue Didouche Mourad",
        "Robe kabyle (Taille: L)",
        line_amount,
        total,
    ):
        assert expected in body
    assert "+213" not in body  # the phone is shown the national way
    assert row.status == "done"


async def test_a_resend_carries_the_same_message_id(
    db: str, mailbox: Mailbox, smtp_port: int
) -> None:
    await place()
    row = await OutboxMessage.get(channel="email")
    channel = EmailChannel(f"smtp://127.0.0.1:{smtp_port}", SENDER)
    await channel(row)
    await channel(row)  # e.g. the worker died between the send and recording it

    first, second = mailbox.emails
    assert first["Message-ID"] == second["Message-ID"]
    assert "email" in first["Message-ID"] and first["Message-ID"].endswith("@hanout.test>")


async def test_server_down_keeps_the_email_for_a_later_try(db: str, mailbox: Mailbox) -> None:
    await place()
    port = free_port()  # nothing listens there yet
    relay = relay_for(f"smtp://127.0.0.1:{port}")

    assert await relay.run_once() == 1
    row = await OutboxMessage.get(channel="email")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.available_at > clock.now()

    controller = start_server(mailbox, port)
    try:
        await OutboxMessage.all().update(available_at=clock.now() - timedelta(seconds=1))
        assert await relay.run_once() == 1
    finally:
        controller.stop()
    assert len(mailbox.emails) == 1
    row = await OutboxMessage.get(channel="email")
    assert (row.status, row.attempts) == ("done", 2)


async def test_refused_address_is_dead_lettered(db: str, mailbox: Mailbox, smtp_port: int) -> None:
    _, order = await place()
    mailbox.refuse = "550 5.1.1 Mailbox unavailable"

    await relay_for(f"smtp://127.0.0.1:{smtp_port}").run_once()

    row = await OutboxMessage.get(channel="email")
    assert (row.status, row.attempts) == ("dead", 1)
    assert "550" in row.last_error
    assert await OrderEvent.filter(order_id=order.id, type="notification_failed").exists()


async def test_temporary_refusal_is_retried(db: str, mailbox: Mailbox, smtp_port: int) -> None:
    await place()
    mailbox.refuse = "451 4.3.0 Try again later"

    await relay_for(f"smtp://127.0.0.1:{smtp_port}").run_once()

    row = await OutboxMessage.get(channel="email")
    assert (row.status, row.attempts) == ("pending", 1)
    assert not mailbox.emails


async def test_credentials_in_the_url_log_in(db: str, mailbox: Mailbox) -> None:
    await place()
    port = free_port()
    controller = start_server(
        mailbox, port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    try:
        await relay_for(f"smtp://shop%40mail.dz:p%40ss%3Aword@127.0.0.1:{port}").run_once()
    finally:
        controller.stop()
    assert mailbox.logins == [(b"shop@mail.dz", b"p@ss:word")]
    assert len(mailbox.emails) == 1


async def test_without_smtp_url_email_is_off_and_rows_complete(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop()
    await place_order(shop.store, checkout(shop.variants[0].id))
    await place_order(shop.store, checkout(shop.variants[0].id, phone="0660 11 22 33"))

    with caplog.at_level(logging.INFO, logger="notify.email"):
        assert await relay_for("").run_once() == 2

    assert await OutboxMessage.filter(status="done").count() == 2
    assert [r.message for r in caplog.records].count(
        "email is off: SMTP_URL is empty, new-order emails are skipped"
    ) == 1


async def test_an_order_gone_before_sending_is_dead_lettered(
    db: str, mailbox: Mailbox, smtp_port: int
) -> None:
    _, order = await place()
    await order.delete()

    await relay_for(f"smtp://127.0.0.1:{smtp_port}").run_once()

    assert (await OutboxMessage.get(channel="email")).status == "dead"
    assert not mailbox.emails


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.dz", SmtpServer("mail.example.dz", 25, False, False)),
        ("smtps://u:p@mail.example.dz", SmtpServer("mail.example.dz", 465, True, False, "u", "p")),
        (
            "smtp+starttls://me%40x.dz:a%3Ab@smtp.x.dz:2525",
            SmtpServer("smtp.x.dz", 2525, False, True, "me@x.dz", "a:b"),
        ),
    ],
)
def test_smtp_url_forms(url: str, server: SmtpServer) -> None:
    assert parse_smtp_url(url) == server


@pytest.mark.parametrize(
    "url", ["http://mail.example.dz", "smtp://", "mail.example.dz:25", "smtp://u:secret@h:99999"]
)
def test_bad_smtp_url_is_refused_without_echoing_the_password(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP_URL must look like") as refused:
        parse_smtp_url(url)
    assert "secret" not in str(refused.value)


def test_sender_must_be_an_address() -> None:
    with pytest.raises(ValueError, match="SMTP_FROM"):
        EmailChannel("smtp://127.0.0.1:25", "Hanout")
