"""Reading an API request: headers, query and JSON body, each checked against what its
endpoint descriptor declares, with errors that name the field and never a 500."""

from __future__ import annotations

import re

from aiohttp import web
from pydantic import BaseModel, ValidationError

from webstore.api_endpoint import Endpoint, HeaderParam
from webstore.api_errors import ApiError, Issue, error_response
from webstore.request_body import body_problem

JSON_TYPES = frozenset({"application/json"})
# A body its Content-Encoding does not let us read (webstore.request_body).
UNREADABLE_BODY = "unreadable_body"
BODY_CODES = {400: UNREADABLE_BODY, 413: "payload_too_large", 415: "unsupported_media_type"}
REASONS = {
    "missing": "required",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_too_short": "too_short",
    "extra_forbidden": "unknown_field",
}


def check_headers(request: web.Request, params: tuple[HeaderParam, ...]) -> None:
    for param in params:
        value = request.headers.get(param.name)
        if value is None and not param.required:
            continue
        if value is None or not (
            1 <= len(value) <= param.max_length and re.fullmatch(param.pattern, value)
        ):
            message = f"The {param.name} header is required: {param.description}"
            raise ApiError(400, param.error_code, message)


def issues_of(exc: ValidationError) -> list[Issue]:
    """One Issue per problem; list indexes are left out of paths (`items.quantity`)."""
    issues = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        message = err["msg"].removeprefix("Value error, ")
        issues.append(Issue(path or "body", REASONS.get(err["type"], "invalid"), message))
    return issues


def _summary(issues: list[Issue]) -> tuple[dict[str, str], str]:
    fields = {i.path: i.reason for i in issues}
    return fields, "; ".join(f"{i.path}: {i.message}" for i in issues)


def invalid_request(issues: list[Issue]) -> web.Response:
    fields, text = _summary(issues)
    return error_response(422, "invalid_request", f"Invalid request body: {text}", fields=fields)


def parse_query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    repeated = sorted({k for k in request.query if len(request.query.getall(k)) > 1})
    if repeated:
        raise ApiError(400, "invalid_parameter", f"Give each parameter once: {', '.join(repeated)}")
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        issues = issues_of(exc)
        fields, text = _summary(issues)
        # A stale or made-up cursor has its own code: the client restarts from page one.
        code = "invalid_cursor" if {i.path for i in issues} == {"cursor"} else "invalid_parameter"
        raise ApiError(400, code, f"Invalid query: {text}", fields=fields) from None


async def parse_body(request: web.Request, endpoint: Endpoint) -> BaseModel | web.Response:
    """The validated body, or the endpoint's answer to an invalid one (422)."""
    assert endpoint.body is not None
    if request.content_type not in JSON_TYPES:
        message = "Send the body as JSON with 'Content-Type: application/json'"
        raise ApiError(415, "unsupported_media_type", message)
    raw = await request.read()  # past the app's client_max_size: HTTPRequestEntityTooLarge
    if (problem := body_problem(request)) is not None:
        raise ApiError(problem.status, BODY_CODES[problem.status], problem.message)
    try:
        return endpoint.body.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if any(e["type"] == "json_invalid" for e in errors):
            raise ApiError(400, "invalid_json", "The body is not valid JSON (UTF-8)") from None
        if any(e["type"] == "model_type" and not e["loc"] for e in errors):
            raise ApiError(400, "invalid_json", "The body must be a JSON object") from None
        return (endpoint.on_invalid or invalid_request)(issues_of(exc))
