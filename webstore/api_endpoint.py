"""The endpoint descriptor: one record per API operation. `webstore.api` builds the routes
from these records and `webstore.openapi` builds the document from the very same records."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel

from models.errors import NotFound
from models.orders.timeline import Actor
from models.stores.tables import Store
from webstore.api_errors import Issue
from webstore.schemas import MAX_ID

M = TypeVar("M", bound=BaseModel)
Auth = Literal["key", "slug", "none"]
PATH_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class HeaderParam:
    """A request header the operation reads; checked before the body is parsed."""

    name: str
    description: str
    pattern: str
    max_length: int
    error_code: str
    required: bool = True


@dataclass(slots=True)
class ApiCall:
    """What a handler gets: the request and what the descriptor made of it."""

    request: web.Request
    store: Store | None
    actor: Actor
    body: BaseModel | None = None
    query: BaseModel | None = None

    def current_store(self) -> Store:
        assert self.store is not None, "endpoint descriptor and handler disagree"
        return self.store

    def body_as(self, model: type[M]) -> M:
        assert isinstance(self.body, model), "endpoint descriptor and handler disagree"
        return self.body

    def query_as(self, model: type[M]) -> M:
        assert isinstance(self.query, model), "endpoint descriptor and handler disagree"
        return self.query

    def path_int(self, name: str) -> int:
        """An integer path parameter; one too large to be a row id is simply not found."""
        value = int(self.request.match_info[name])
        if not 1 <= value <= MAX_ID:
            raise NotFound(name, value)
        return value


Handler = Callable[[ApiCall], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation. `path` is in OpenAPI form (`/v1/orders/{number}`).

    auth: "key" needs a Bearer key (the store is the key's); "slug" is public and the store
    comes from the `{slug}` path parameter; "none" is public and store-less.
    """

    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    auth: Auth = "key"
    status: int = 200
    response: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    int_params: tuple[str, ...] = ()
    headers: tuple[HeaderParam, ...] = ()
    errors: tuple[int, ...] = ()
    # Error codes an answer of a status may carry beyond those the descriptor implies
    # (401 `unauthorized`, 400 `invalid_parameter`…); the document lists them.
    codes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Other successful answers: status → description (same `response` schema).
    also: dict[int, str] = field(default_factory=dict)
    # Media types of a success answer that is a file, not JSON (`text/csv`…); the document
    # shows text/* as a string and the others as binary.
    produces: tuple[str, ...] = ()
    # Landing pages on other origins call it from the browser.
    cors: bool = False
    # Turns body validation errors into a response; None: the generic `invalid_request`.
    on_invalid: Callable[[list[Issue]], web.Response] | None = None
    description: str = ""

    def path_params(self) -> list[str]:
        return PATH_PARAM.findall(self.path)

    def route_path(self) -> str:
        """The aiohttp form: integer parameters only match digits (else the route 404s)."""
        return PATH_PARAM.sub(
            lambda m: f"{{{m[1]}:\\d{{1,10}}}}" if m[1] in self.int_params else m[0], self.path
        )


def reply(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(text=model.model_dump_json(), status=status, headers=headers)
