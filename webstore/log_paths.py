"""Request paths as the log shows them: some addresses carry a secret or a customer's
phone, which must not end up in log files."""

from __future__ import annotations

import re

from aiohttp import web

# A thank-you link is the key to the order it shows (name, phone, address).
_THANKS_TOKEN = re.compile(r"(/merci/[0-9]+/)[^/]+")


def logged_path(request: web.Request) -> str:
    """The request's path for the log: an API or courier route by its pattern
    (`/v1/customers/{phone}`, `/couriers/{courier}/{account_id}/webhook/{token}`), never
    the phone or token it carries; a storefront path as sent, a thank-you token masked."""
    info = request.match_info
    resource = info.route.resource
    if resource is None or "path" in info:  # no route, or the storefront's catch-all
        return _THANKS_TOKEN.sub(r"\1{token}", request.path)
    return resource.canonical
