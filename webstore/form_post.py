"""Reading a posted form safely and refusing posts that do not carry the visitor's token."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from webstore.log_paths import logged_path
from webstore.messages import N_
from webstore.request_body import body_problem
from webstore.security import csrf_valid
from webstore.visit import Visit, render

log = logging.getLogger(__name__)

SESSION_EXPIRED = N_(
    "Your session has expired or this form is out of date. "
    "Please go back, reload the page and try again."
)


async def read_post(visit: Visit) -> Mapping[str, object] | None:
    """The posted fields, or None when the body cannot be read as a form (answer with
    `unreadable_status`; a body over the size limit as sent still raises 413, which the
    error middleware turns into a page)."""
    if body_problem(visit.request) is not None:
        return None
    try:
        return await visit.request.post()
    except (ValueError, LookupError, HttpProcessingError) as exc:
        log.info("unreadable form path=%s error=%s", logged_path(visit.request), type(exc).__name__)
        return None


def unreadable_status(visit: Visit) -> int:
    """The status of the form page answering a post `read_post` could not read: 400, or
    415 for a Content-Encoding we do not decode (413 when too large once decoded)."""
    problem = body_problem(visit.request)
    return 400 if problem is None else problem.status


def refuse_forged(visit: Visit, post: Mapping[str, object]) -> web.Response | None:
    """A 403 page when the CSRF token is missing or not the visitor's, else None."""
    visitor_id = None if visit.new_visitor else visit.visitor_id
    if csrf_valid(visit.config.secret_key, visitor_id, post.get("csrf_token")):
        return None
    log.info("csrf refused path=%s", logged_path(visit.request))
    return render(
        visit,
        "error.html",
        403,
        title=visit._("Please try again"),
        message=visit._(SESSION_EXPIRED),
        back=visit.request.path,
    )
