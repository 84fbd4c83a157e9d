"""Product photos the bot saved (/addproduct), served at `/media/<store>/<file>.jpg`.

Only names the bot makes are served: a store slug and a random hex name. The route's
pattern admits nothing else (no dots, no slashes, no other extension), and the resolved
file must still lie inside the media folder, so neither `..` nor a symlink leads out of it.
Every other address falls through to the storefront, which answers 404.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from webstore.config import CONFIG

ROUTE = r"/media/{store:[a-z0-9-]{1,48}}/{file:[0-9a-f]{8,64}\.jpg}"
# A file's name is random and never reused: a phone may keep it for a year.
HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Type": "image/jpeg",
    "X-Content-Type-Options": "nosniff",
}


def _inside(root: Path, store: str, file: str) -> Path | None:
    """The photo's real path when it is a regular file inside `root`, else None."""
    root = root.resolve()
    path = (root / store / file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


async def photo(request: web.Request) -> web.StreamResponse:
    root = Path(request.app[CONFIG].media_dir)
    info = request.match_info
    path = await asyncio.to_thread(_inside, root, info["store"], info["file"])
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers=HEADERS)


def setup(app: web.Application) -> None:
    app.router.add_get(ROUTE, photo, name="media_photo")
