"""Product photos at /media/<store>/<file>.jpg: served with long cache headers, and nothing
else from the disk, whatever the address tries (traversal, encodings, symlinks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from webstore.app import create_app
from webstore.config import WebConfig

Client = TestClient[Any, Any]
NAME = "0123456789abcdef0123456789abcdef.jpg"
PHOTO = b"\xff\xd8\xff\xe0" + b"robe" * 100
SECRET = b"\xff\xd8\xff secret outside the media folder"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / NAME).write_bytes(PHOTO)
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / NAME).write_bytes(SECRET)
    (root / "shop" / "feedfacefeedface.jpg").symlink_to(outside / NAME)
    (root / "shop" / "deadbeefdeadbeef.jpg").mkdir()
    (root / "shop" / f".{NAME}.part").write_bytes(PHOTO)
    return root


@pytest.fixture
async def client(db: str, media: Path) -> AsyncIterator[Client]:
    app = create_app(WebConfig(secret_key="t", media_dir=str(media)))
    async with TestClient(TestServer(app, host="127.0.0.1")) as web_client:
        yield web_client


async def raw_get(client: Client, path: str) -> int:
    """The status of a GET sent byte for byte (an HTTP client would tidy `..` away)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def test_a_photo_is_served_as_jpeg_with_long_cache(client: Client) -> None:
    response = await client.get(f"/media/shop/{NAME}")
    assert response.status == 200
    assert await response.read() == PHOTO
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = await client.get(
        f"/media/shop/{NAME}", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status == 304
    head = await client.head(f"/media/shop/{NAME}")
    assert head.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/shop/00000000000000000000000000000000.jpg",  # no such photo
        f"/media/other/{NAME}",  # another store's folder
        f"/media/shop/{NAME.upper().replace('.JPG', '.jpg')}",  # not our name pattern
        f"/media/shop/{NAME[:-4]}.png",
        f"/media/shop/{NAME}/",
        f"/media/Shop/{NAME}",
        f"/media/shop/.{NAME}.part",  # a photo still being written
        "/media/shop/feedfacefeedface.jpg",  # a symlink leading out of the folder
        "/media/shop/deadbeefdeadbeef.jpg",  # a folder, not a file
        f"/media/{NAME}",
        f"/media/../secret/{NAME}",
        f"/media/shop/../../secret/{NAME}",
        f"/media/shop/..%2F..%2Fsecret%2F{NAME}",
        f"/media/%2e%2e/secret/{NAME}",
        f"/media/shop%2F..%2F..%2Fsecret/{NAME}",
        f"/media/shop/%2e%2e%2f%2e%2e%2fsecret%2f{NAME}",
        f"/media//secret/{NAME}",
        f"/media/shop/{NAME}%00.jpg",
    ],
)
async def test_anything_else_under_media_is_not_found(client: Client, path: str) -> None:
    assert await raw_get(client, path) == 404
