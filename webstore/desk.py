"""The desk, Telegram Mini App of the store's team (issue 15): its page at `/desk/` and
`/desk/{slug}/`, its files at `/desk/static/`, its JSON at `/desk/api/` (webstore.desk_api).

The page is a small shell: Telegram's own `telegram-web-app.js` (Telegram requires it from
its origin), then our script, which sends the init data with every request and draws the
screens. No other origin is contacted; Telegram's web client frames the page."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from webstore import desk_actions, desk_api, desk_print, desk_shipping, desk_stats, desk_stock
from webstore.static_files import StaticFiles

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static" / "desk"
SHELL = HERE / "templates" / "desk" / "index.html"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the fragment holds the init data: never pass it on
    "Cache-Control": "no-cache",
}
SHELL_HTML = web.AppKey("desk_shell", str)


def _shell(files: StaticFiles) -> str:
    """The page, its files addressed by content hash (phones keep them until they change)."""
    html = SHELL.read_text(encoding="utf-8")
    html = html.replace("{{telegram_script}}", TELEGRAM_SCRIPT)
    html = html.replace("{{css}}", files.url("desk.css"))
    html = html.replace("{{ship_js}}", files.url("desk_ship.js"))
    return html.replace("{{js}}", files.url("desk.js"))


async def page(request: web.Request) -> web.Response:
    """The same shell for every store: the script reads the store from the address or the
    Mini App's start parameter, and the server checks membership on every call."""
    return web.Response(
        text=request.app[SHELL_HTML], content_type="text/html", headers=SECURITY_HEADERS
    )


def setup(app: web.Application) -> None:
    files = StaticFiles(STATIC_DIR, "/desk/static/")
    app[SHELL_HTML] = _shell(files)
    files.route(app)
    desk_api.setup(app)
    desk_actions.setup(app)
    desk_stock.setup(app)
    desk_shipping.setup(app)
    desk_print.setup(app)
    desk_stats.setup(app)
    app.router.add_get("/desk/", page)
    app.router.add_get(r"/desk/{slug:[a-z0-9][a-z0-9-]{0,47}}/", page)
    app.router.add_get(r"/desk/{slug:[a-z0-9][a-z0-9-]{0,47}}/{number:[0-9]{1,10}}", page)
