"""`GET /v1/openapi.json`: an OpenAPI 3.1 document generated from the endpoint descriptors
and the pydantic models that validate the requests, so it cannot drift from the routes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from models.stores.setup import SLUG_RE
from webstore.api_endpoint import ApiCall, Endpoint
from webstore.api_input import UNREADABLE_BODY
from webstore.api_limits import DEFAULT_RATE, Rate
from webstore.api_paging import MAX_LIMIT, PageQuery
from webstore.schemas import MAX_ID, PHONE_PATTERN, ErrorBody

DOCUMENT = web.AppKey("openapi_document", dict)
REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "storeKey"
SLUG_PATTERN = SLUG_RE.pattern
# Text path parameters by name; another one is any non-empty segment.
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "slug": {"type": "string", "pattern": SLUG_PATTERN},
    "phone": {
        "type": "string",
        "minLength": 1,
        "maxLength": 32,
        "pattern": PHONE_PATTERN,
        "description": "Algerian phone in any usual form; `+` percent-encoded (`%2B213…`).",
    },
}
DESCRIPTION = """Hanout's REST API: a store's orders, calls, dispatch, catalogue and more.

**Keys.** Authenticate with the store's API key: `Authorization: Bearer <key>`. A key sees
its own store only: another store's order, product or other resource answers 404 like a
missing one, and lists hold the key's store alone.

**Errors.** Every error is `{{"error": {{"code", "message"}}}}`; `code` is stable and
meant for programs, `message` is English for the developer. Invalid input adds `fields`
(field path → reason code: `required`, `too_long`, `invalid`…) and some refusals add
`details` a client can act on (`shortages` of `insufficient_stock`; `status` and
`allowed` of `illegal_transition`). Each response below lists the codes it may carry.

**Lists.** Every list pages by a cursor: `?limit=` (1 to {max_limit}, default 50) and
`?cursor=` (the `next_cursor` of the previous page, null on the last). Pages never repeat
or skip an item when new ones arrive. A cursor is the list's name and the id to continue
after (`orders.1042`, each list's pattern below); another list's cursor, or any other text,
is 400 `invalid_cursor` (start again from the first page).

**Rate limits.** Each key may send a burst of {limit} requests, then {limit} per {period}
seconds, counted per web process. Keyed answers carry `X-RateLimit-Limit` (the burst),
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the full burst is available
again); past the limit the answer is 429 `rate_limited` with `Retry-After` in seconds.

**Changes.** `expected_version` (the order's `version`) on a change makes it refused with
409 `conflict` when someone changed the order since you read it."""

# The codes a status carries whatever the operation; others come from the descriptor.
ERROR_CODES: dict[int, tuple[str, ...]] = {
    401: ("unauthorized",),
    403: ("blacklisted",),
    404: ("not_found",),
    413: ("payload_too_large",),
    415: ("unsupported_media_type",),
    429: ("rate_limited",),
    503: ("unavailable",),
}
INTEGER = {"type": "integer", "minimum": 0}
RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests this key may send at once (the burst).",
    "X-RateLimit-Remaining": "Requests left in the burst right now.",
    "X-RateLimit-Reset": "Seconds until the full burst is available again.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": INTEGER,
    }
}

Pair = tuple[type[BaseModel], JsonSchemaMode]


def _pairs(endpoints: Iterable[Endpoint]) -> list[Pair]:
    pairs: dict[Pair, None] = {(ErrorBody, "serialization"): None}
    for e in endpoints:
        for model, mode in (
            (e.body, "validation"),
            (e.query, "validation"),
            (e.response, "serialization"),
        ):
            if model is not None:
                pairs[(model, mode)] = None  # type: ignore[index]
    return list(pairs)


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _implied_codes(e: Endpoint, status: int) -> list[str]:
    codes = list(ERROR_CODES.get(status, ()))
    if status == 400:
        codes += [h.error_code for h in e.headers]
        if e.query is not None:
            codes.append("invalid_parameter")
            if issubclass(e.query, PageQuery):
                codes.append("invalid_cursor")
        if e.body is not None:
            codes += ["invalid_json", UNREADABLE_BODY]
    if status == 409 and any(h.name == "Idempotency-Key" for h in e.headers):
        codes.append("idempotency_conflict")
    if status == 422 and e.body is not None:
        codes.append("invalid_order" if e.on_invalid is not None else "invalid_request")
    return codes


def _codes(e: Endpoint, status: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_implied_codes(e, status) + list(e.codes.get(status, ()))))


def _rate_headers(required: bool = True) -> dict[str, Any]:
    """Required on answers that went through the key's budget; an error may come before it
    (a path the router does not match)."""
    return {
        name: {"description": text, "required": required, "schema": INTEGER}
        for name, text in RATE_HEADERS.items()
    }


def _error(e: Endpoint, status: int) -> dict[str, Any]:
    codes = ", ".join(f"`{c}`" for c in _codes(e, status))
    answer: dict[str, Any] = {
        "description": f"{HTTPStatus(status).phrase}: {codes}"
        if codes
        else HTTPStatus(status).phrase,
        "content": _json({"$ref": REF.format(model="ErrorBody")}),
    }
    headers = _rate_headers(status == 429) if e.auth == "key" and status != 401 else {}
    if status == 429:
        headers |= RETRY_AFTER
    if status == 503:
        headers |= {name: {**spec, "required": False} for name, spec in RETRY_AFTER.items()}
    if headers:
        answer["headers"] = headers
    return answer


def _error_statuses(e: Endpoint) -> list[int]:
    implied = set(e.errors)
    if e.auth != "none":  # the database restarting: retry after a moment
        implied.add(503)
    if e.auth == "key":
        implied |= {401, 429}
    if e.body is not None:
        implied |= {400, 413, 415, 422}
    if e.query is not None:
        implied.add(400)
    if e.int_params or e.auth == "slug":
        implied.add(404)
    if e.headers:
        implied.add(400)
    return sorted(implied)


def _file(media_type: str) -> dict[str, Any]:
    text = media_type.startswith("text/")
    return {"schema": {"type": "string"} if text else {"type": "string", "format": "binary"}}


def _responses(e: Endpoint, refs: Mapping[Any, Any]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": HTTPStatus(e.status).phrase}
    if e.produces:
        ok["content"] = {media_type: _file(media_type) for media_type in e.produces}
    elif e.response is not None:
        ok["content"] = _json(refs[(e.response, "serialization")])
    elif e.status != 204:
        ok["content"] = _json({"type": "object"})
    if e.auth == "key":
        ok["headers"] = _rate_headers()
    answers = {str(e.status): ok}
    for status, text in e.also.items():
        answers[str(status)] = {**ok, "description": text}
    answers.update({str(s): _error(e, s) for s in _error_statuses(e)})
    return answers


def _query_parameters(model_schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(model_schema.get("required", []))
    params = []
    for name, prop in model_schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        options = [s for s in prop.pop("anyOf", []) if s != {"type": "null"}]
        if len(options) == 1:  # `X | None` is an optional parameter of type X
            prop = {**options[0], **{k: v for k, v in prop.items() if v is not None}}
        params.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "description": description,
                "schema": prop,
            }
        )
    return params


def _parameters(e: Endpoint, schemas: dict[str, Any], refs: Mapping[Any, Any]) -> list[Any]:
    params: list[dict[str, Any]] = []
    for name in e.path_params():
        if name in e.int_params:
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            schema = PATH_SCHEMAS.get(name, {"type": "string", "minLength": 1, "maxLength": 64})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    for header in e.headers:
        params.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": header.max_length,
                    "pattern": f"^{header.pattern}$",
                },
            }
        )
    if e.query is not None:
        name = refs[(e.query, "validation")]["$ref"].rsplit("/", 1)[1]
        params += _query_parameters(schemas[name])
    return params


def _operation(e: Endpoint, schemas: dict[str, Any], refs: Mapping[Any, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": e.operation_id,
        "summary": e.summary,
        "tags": [e.tag],
        "parameters": _parameters(e, schemas, refs),
        "responses": _responses(e, refs),
    }
    if e.description:
        operation["description"] = e.description
    if e.auth != "key":
        operation["security"] = []
    if e.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": _json(refs[(e.body, "validation")]),
        }
    return operation


def build_document(
    endpoints: Iterable[Endpoint], base_url: str, rate: Rate = DEFAULT_RATE
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `endpoints` (one operation per descriptor); `rate` is
    the per-key limit the server applies."""
    description = DESCRIPTION.format(
        max_limit=MAX_LIMIT, limit=rate.limit, period=f"{rate.period:g}"
    )
    endpoints = list(endpoints)
    refs, top = models_json_schema(_pairs(endpoints), ref_template=REF)
    schemas = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e, schemas, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hanout API", "version": "1.0.0", "description": description},
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{SECURITY_SCHEME: []}],
        "tags": [{"name": t} for t in dict.fromkeys(e.tag for e in endpoints)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The store's API key, as printed by `hanout store create`.",
                }
            },
        },
    }


async def serve_document(call: ApiCall) -> web.Response:
    return web.json_response(call.request.config_dict[DOCUMENT])


ENDPOINT = Endpoint(
    "GET",
    "/v1/openapi.json",
    serve_document,
    "getOpenApi",
    "This document",
    "meta",
    auth="none",
)
