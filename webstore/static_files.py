"""Our own static files (the storefront's stylesheet and script, the demo pictures, the
desk's files), read once at start-up and served from memory.

- Every page names a file by its content: `url("store.css")` is `/static/store.<hash>.css`
  (the first HASH_LENGTH hex digits of its SHA-256). That address is cached by phones and
  proxies for a year (`immutable`): a release that changes the file changes the address.
- The plain name (`/static/store.css`, as the demo products' photos are stored) is served
  too, revalidated on every use (`no-cache` and an ETag).
- An address with another hash — a page drawn before a release, still open in a phone or
  served by a process not yet restarted — gets the current file with `no-cache`, never the
  year-long promise: the page keeps its style and nothing stale is cached for a year.
- Text files (CSS, JavaScript, SVG, JSON) are gzip-compressed once, here, and sent so to
  browsers that accept it (`Vary: Accept-Encoding`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aiohttp import web

from webstore.compression import accepts_gzip, gzip_bytes

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".txt", ".html"})
_HASHED_RE = re.compile(rf"(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[a-z0-9]+)")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True, slots=True)
class StaticFile:
    name: str  # relative to the folder, with forward slashes: "demo/robe.svg"
    digest: str
    content_type: str
    body: bytes
    gzipped: bytes | None  # None when gzip would not make it smaller

    @property
    def hashed_name(self) -> str:
        path = PurePosixPath(self.name)
        return str(path.with_name(f"{path.stem}.{self.digest}{path.suffix}"))


def _load(root: Path, path: Path) -> StaticFile:
    body = path.read_bytes()
    suffix = path.suffix.lower()
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
    gzipped = gzip_bytes(body, 9) if suffix in COMPRESSIBLE else None
    return StaticFile(
        name=path.relative_to(root).as_posix(),
        digest=hashlib.sha256(body).hexdigest()[:HASH_LENGTH],
        content_type=content_type or "application/octet-stream",
        body=body,
        gzipped=gzipped if gzipped is not None and len(gzipped) < len(body) else None,
    )


class StaticFiles:
    """The files under `root`, served under `prefix` (which ends with a slash)."""

    def __init__(self, root: Path, prefix: str, skip: tuple[str, ...] = ()) -> None:
        self.prefix = prefix
        files = [
            _load(root, p)
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in skip
        ]
        self.by_name = {f.name: f for f in files}

    def url(self, name: str) -> str:
        """The file's address with its content hash; KeyError for a file that is not there
        (a template naming a missing file fails at once, not on a phone)."""
        return f"{self.prefix}{self.by_name[name].hashed_name}"

    def own_url(self, address: str) -> str:
        """`address` versioned when it names one of these files by its plain name (a demo
        product's photo), else unchanged."""
        if address.startswith(self.prefix):
            found = self.by_name.get(address[len(self.prefix) :])
            if found is not None:
                return f"{self.prefix}{found.hashed_name}"
        return address

    def find(self, name: str) -> tuple[StaticFile, bool] | None:
        """The file an address names, and whether it named its current content."""
        found = self.by_name.get(name)
        if found is not None:
            return found, False
        hashed = _HASHED_RE.fullmatch(name)
        if hashed is None:
            return None
        found = self.by_name.get(hashed["stem"] + hashed["ext"])
        if found is None:
            return None
        return found, hashed["digest"] == found.digest

    async def handle(self, request: web.Request) -> web.StreamResponse:
        match = self.find(request.match_info["name"])
        if match is None:
            raise web.HTTPNotFound()
        file, current = match
        etag = f'"{file.digest}"'
        headers = {
            "Cache-Control": IMMUTABLE if current else REVALIDATE,
            "ETag": etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if not current and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        body = file.body
        if file.gzipped is not None and accepts_gzip(request.headers.get("Accept-Encoding", "")):
            body = file.gzipped
            headers["Content-Encoding"] = "gzip"
        charset = "utf-8" if file.content_type.startswith(("text/", "image/svg")) else None
        return web.Response(
            body=body, headers=headers, content_type=file.content_type, charset=charset
        )

    def route(self, app: web.Application) -> None:
        app.router.add_get(self.prefix + "{name:[A-Za-z0-9_./-]+}", self.handle)
