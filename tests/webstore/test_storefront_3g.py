"""What a phone on 3G downloads (issue 14 §7): pages and files gzip-compressed, every static
file addressed by its content and cached for a year, the stylesheet inline on a first visit,
the first picture fetched first, a description for search results in each language, and
pages a visitor asked for kept by their browser alone (the back/forward cache may restore
them; no shared cache may keep them)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from typing import Any

from models.catalog.tables import Product
from tests.factories import Shop
from tests.webstore.test_storefront import CSRF_RE, PRODUCT, Client, client, fetch, shop
from webstore.compression import Deflated, SplicedGzip, accepts_gzip
from webstore.static_files import HASH_LENGTH

__all__ = ["client", "shop"]  # fixtures

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
ASSET_RE = re.compile(r'(?:src|href)="(/static/[^"]+)"')


async def raw(client: Client, path: str, **headers: str) -> tuple[Any, bytes]:
    response = await client.get(path, headers=headers, allow_redirects=False, auto_decompress=False)
    return response, await response.read()


def test_spliced_gzip_is_the_gzip_of_the_joined_text() -> None:
    parts = [b"<html>" * 300, "عربي".encode() * 50, b"", b"tail" * 100]
    values = [b"token-1", b"x" * 70_000, b""]  # a value past one stored block's 65,535 bytes
    joined = gzip.decompress(SplicedGzip(parts).join(values))
    assert joined == b"".join(p + v for p, v in zip(parts, [*values, b""], strict=True))
    assert gzip.decompress(SplicedGzip([b"only"]).join([])) == b"only"
    css = b"body{margin:0}" * 200  # compressed once, spliced into many pages
    spliced = SplicedGzip([b"<head>", b"</head>"]).join([Deflated(css)])
    assert gzip.decompress(spliced) == b"<head>" + css + b"</head>"
    assert len(spliced) < len(css) / 10


def test_accept_encoding_is_read_as_browsers_write_it() -> None:
    assert accepts_gzip("gzip, deflate, br")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("deflate, br")
    assert not accepts_gzip("")


async def test_pages_are_compressed_for_browsers_that_accept_gzip(
    client: Client, shop: Shop
) -> None:
    for path in (PRODUCT, "/shop/", "/shop/panier", "/shop/p/nothing-here"):
        response, body = await raw(client, path, **GZIP)
        assert response.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in response.headers["Vary"]
        page = gzip.decompress(body).decode()
        assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
        _, plain = await fetch(client, path)  # the same page, uncompressed
        token = CSRF_RE.search(page)
        if token:  # the same visitor (cookie jar): the same token
            assert token.group(1) in plain
        assert plain.partition("<main>")[2] == page.partition("<main>")[2], path
    response, _ = await raw(client, PRODUCT, **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers


async def test_every_static_address_is_versioned_and_cached_for_a_year(
    client: Client, shop: Shop
) -> None:
    product = await Product.get(store_id=shop.store.id)
    product.photo = "/static/demo/robe.svg"  # as the demo store's products have it
    await product.save()
    client.session.cookie_jar.clear()
    _, first = await fetch(client, PRODUCT)
    _, again = await fetch(client, PRODUCT)  # a returning visitor links the stylesheet
    _, home = await fetch(client, "/shop/")
    assets = set(ASSET_RE.findall(first + again + home))
    names = {re.sub(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.", ".", a) for a in assets}
    assert names == {"/static/store.css", "/static/store.js", "/static/demo/robe.svg"}
    for address in assets:
        assert re.search(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[a-z]+$", address), address
        response, body = await raw(client, address, **GZIP)
        assert response.status == 200, address
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        if not address.endswith(".png"):
            assert response.headers["Content-Encoding"] == "gzip"
            plain = await client.get(address)
            digest = hashlib.sha256(await plain.read()).hexdigest()[:HASH_LENGTH]
            assert digest in address  # the hash is the content's
            assert gzip.decompress(body) == await plain.read()


async def test_plain_and_old_addresses_still_work_but_are_never_cached_for_a_year(
    client: Client, shop: Shop
) -> None:
    _, page = await fetch(client, PRODUCT)
    [script] = [
        a for a in ASSET_RE.findall(page) if a.startswith("/static/store.") and a.endswith(".js")
    ]
    current = await client.get(script)
    # The plain name (a demo photo's stored address): revalidated on each use.
    plain = await client.get("/static/store.js")
    assert plain.status == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert await plain.read() == await current.read()
    etag = plain.headers["ETag"]
    unchanged = await client.get("/static/store.js", headers={"If-None-Match": etag})
    assert unchanged.status == 304
    # A hash from before a release: the current file, so an old page keeps its style and
    # script, but no promise to keep it a year.
    old = await client.get("/static/store.0123456789.js")
    assert old.status == 200 and old.headers["Cache-Control"] == "no-cache"
    assert await old.read() == await current.read()
    for missing in ("/static/nothing.0123456789.js", "/static/nothing.js", "/static/desk/desk.js"):
        assert (await client.get(missing)).status == 404, missing


async def test_a_first_visit_gets_the_stylesheet_inline_and_allowed_by_the_policy(
    client: Client, shop: Shop
) -> None:
    response = await client.get(PRODUCT)
    first = await response.text()
    style = re.search(r"<style>(.*?)</style>", first, re.DOTALL)
    assert style is not None
    assert '<link rel="stylesheet"' not in first
    assert re.search(
        r'<link rel="prefetch" href="/static/store\.[0-9a-f]+\.css" as="style">', first
    )
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]
    _, later = await fetch(client, PRODUCT)  # the visitor cookie is set: the file is cached
    assert "<style>" not in later
    assert re.search(r'<link rel="stylesheet" href="/static/store\.[0-9a-f]+\.css">', later)


async def test_the_first_picture_is_fetched_first_and_the_others_lazily(
    client: Client, shop: Shop
) -> None:
    product = await Product.get(store_id=shop.store.id)
    product.photo = "https://cdn.example.test/robe.jpg"
    await product.save()
    _, page = await fetch(client, PRODUCT)
    [img] = re.findall(r"<img [^>]+>", page)
    assert 'fetchpriority="high"' in img and "lazy" not in img
    _, home = await fetch(client, "/shop/")
    [card] = re.findall(r"<img [^>]+>", home)
    assert 'fetchpriority="high"' in card and "lazy" not in card


async def test_the_description_names_the_product_and_the_store_in_each_language(
    client: Client, shop: Shop
) -> None:
    wording = {
        "fr": "payé en espèces à la livraison",
        "en": "paid in cash on delivery",
        "ar": "الدفع نقدًا عند الاستلام",
    }
    home_wording = {"fr": "commandez en ligne", "en": "order online", "ar": "اطلب عبر الإنترنت"}
    for lang, words in wording.items():
        _, page = await fetch(client, f"{PRODUCT}?lang={lang}")
        [description] = re.findall(r'<meta name="description" content="([^"]*)">', page)
        assert words in description and shop.store.name in description, (lang, description)
        assert "Robe kabyle" in description
        _, home = await fetch(client, f"/shop/?lang={lang}")
        [description] = re.findall(r'<meta name="description" content="([^"]*)">', home)
        assert home_wording[lang] in description and shop.store.name in description


async def test_pages_are_private_and_answers_to_forms_are_kept_nowhere(
    client: Client, shop: Shop
) -> None:
    for path in (PRODUCT, "/shop/", "/shop/panier"):
        response = await client.get(path)
        assert response.status == 200
        assert response.headers["Cache-Control"] == "private, no-cache", path
        assert "Cookie" in response.headers["Vary"]
    token = CSRF_RE.search(await (await client.get(PRODUCT)).text())
    assert token is not None
    form = {"csrf_token": token.group(1), "variant_id": str(shop.variants[0].id)}
    added = await client.post(
        "/shop/panier", data=form | {"quantity": "1", "action": "add"}, allow_redirects=False
    )
    assert added.status == 303 and added.headers["Cache-Control"] == "no-store"
    cart = await client.get("/shop/panier")
    assert cart.headers["Cache-Control"] == "private, no-cache"
    assert f'data-cart="{shop.variants[0].id}x1"' in await cart.text()
    refused = await client.post(PRODUCT, data=form | {"name": "Amina", "phone": "12"})
    assert refused.status == 422 and refused.headers["Cache-Control"] == "no-store"
    assert (await client.get("/shop/p/nothing-here")).headers["Cache-Control"] == "no-store"
