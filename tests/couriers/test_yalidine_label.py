"""Yalidine's label link is fetched without following redirects, read as it streams and
abandoned past the size cap, and only a PDF or the bordereau page is taken as a label."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiohttp import web

from couriers.base import CourierUnavailable
from couriers.yalidine import MAX_LABEL_BYTES, YalidineCourier
from tests.couriers.fake_yalidine import FakeYalidine
from tests.couriers.test_yalidine import courier, fake, make_courier, order

__all__ = ["courier", "fake", "make_courier"]  # fixtures

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_pdf_label_is_taken(courier: YalidineCourier, fake: FakeYalidine) -> None:
    async def pdf(_: web.Request) -> web.Response:
        return web.Response(body=PDF, content_type="application/pdf")

    fake.label_answer = pdf
    parcel = await courier.create_parcel(order())
    label = await courier.label(parcel.tracking)
    assert label is not None and (label.content, label.content_type) == (PDF, "application/pdf")


async def test_a_redirect_is_not_followed(
    courier: YalidineCourier, fake: FakeYalidine, caplog: pytest.LogCaptureFixture
) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url.update_query(again="1")))  # anywhere at all

    fake.label_answer = moved
    parcel = await courier.create_parcel(order())
    with pytest.raises(CourierUnavailable, match=r"HTTP 302, redirect to .* not followed"):
        await courier.label(parcel.tracking)
    assert len(fake.label_requests) == 1  # the first answer only
    no_traceback(caplog)


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
async def test_a_label_past_the_cap_is_abandoned_while_it_streams(
    courier: YalidineCourier,
    fake: FakeYalidine,
    caplog: pytest.LogCaptureFixture,
    announced: bool,
) -> None:
    offered = 40 * MAX_LABEL_BYTES
    sent = [0]

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/pdf"})
        if announced:
            response.content_length = offered
        await response.prepare(request)
        chunk = b"%PDF-" + b"0" * (256 * 1024 - 5)
        try:
            while sent[0] < offered:
                await response.write(chunk)
                sent[0] += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client went away: what we wanted
        return response

    fake.label_answer = endless
    parcel = await courier.create_parcel(order())
    with pytest.raises(CourierUnavailable, match=str(MAX_LABEL_BYTES)):
        await courier.label(parcel.tracking)
    assert sent[0] < offered / 4  # abandoned early, not read whole then measured
    no_traceback(caplog)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b'{"error": "login"}', "application/json"),
        (b"<html>not a pdf</html>", "application/pdf"),  # says PDF, is not one
        (b"MZ\x90\x00", "application/octet-stream"),
    ],
)
async def test_anything_but_a_label_is_refused(
    make_courier: Callable[..., YalidineCourier],
    fake: FakeYalidine,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    async def odd(_: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type})

    courier = make_courier()
    fake.label_answer = odd
    parcel = await courier.create_parcel(order())
    with pytest.raises(CourierUnavailable, match="yalidine label"):
        await courier.label(parcel.tracking)
    no_traceback(caplog)
