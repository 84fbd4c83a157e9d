"""`GET /v1/openapi.json`: an OpenAPI 3.1 document generated from the endpoint descriptors
and the pydantic models that validate the requests, so it cannot drift from the routes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from webstore.api_endpoint import ApiCall, Endpoint
from webstore.schemas import MAX_ID, ErrorBody

DOCUMENT = web.AppKey("openapi_document", dict)
REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "storeKey"
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$"
DESCRIPTION = (
    "Hanout's REST API. Authenticate with the store's API key: "
    '`Authorization: Bearer <key>`. Every error is `{"error": {"code", "message"}}`, '
    "with `fields` (field → reason code) for invalid input and `details` where a client "
    "can act on them. Orders of another store answer 404 like missing ones."
)

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


def _error(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": _json({"$ref": REF.format(model="ErrorBody")}),
    }


def _error_statuses(e: Endpoint) -> list[int]:
    implied = set(e.errors)
    if e.auth == "key":
        implied.add(401)
    if e.body is not None:
        implied |= {400, 413, 415, 422}
    if e.query is not None:
        implied.add(400)
    if e.int_params or e.auth == "slug":
        implied.add(404)
    if e.headers:
        implied.add(400)
    return sorted(implied)


def _responses(e: Endpoint, refs: Mapping[Any, Any]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": HTTPStatus(e.status).phrase}
    if e.response is not None:
        ok["content"] = _json(refs[(e.response, "serialization")])
    elif e.status != 204:
        ok["content"] = _json({"type": "object"})
    answers = {str(e.status): ok}
    for status, text in e.also.items():
        answers[str(status)] = {**ok, "description": text}
    answers.update({str(s): _error(s) for s in _error_statuses(e)})
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
        schema = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if name in e.int_params
            else {"type": "string", "pattern": SLUG_PATTERN}
        )
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


def build_document(endpoints: Iterable[Endpoint], base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `endpoints` (one operation per descriptor)."""
    endpoints = list(endpoints)
    refs, top = models_json_schema(_pairs(endpoints), ref_template=REF)
    schemas = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e, schemas, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hanout API", "version": "1.0.0", "description": DESCRIPTION},
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
