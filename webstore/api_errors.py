"""Every API error is `{"error": {"code", "message"}}` (SPEC §8), with `fields` for invalid
input and `details` for facts a client acts on (which variants are short, who changed the
order). Messages are English and meant for the developer of the client; clients show their
users a text of their own chosen by `code` and the field reason codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, NamedTuple

from aiohttp import web

from models.errors import (
    Blacklisted,
    ConcurrentChange,
    DomainError,
    IdempotencyConflict,
    IllegalTransition,
    InsufficientStock,
    InvalidInput,
    InvalidOrder,
    NotFound,
    OtherCustomersOrder,
)
from models.orders.lifecycle import OrderStatus, allowed_targets

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

# Blacklisted is 403: the request is well formed and nothing in it can be corrected.
DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    IllegalTransition: 409,
    ConcurrentChange: 409,
    IdempotencyConflict: 409,
    InsufficientStock: 422,
    InvalidOrder: 422,
    InvalidInput: 422,
    OtherCustomersOrder: 409,
    Blacklisted: 403,
}

# Checkout reason codes are keyed by form field; the intake body nests them.
INTAKE_FIELD_PATHS = {
    "name": "customer.name",
    "phone": "customer.phone",
    "wilaya": "shipping.wilaya",
    "commune": "shipping.commune",
    "address": "shipping.address",
    "delivery_type": "shipping.delivery_type",
    "quantity": "items.quantity",
}


class Issue(NamedTuple):
    """One invalid input: where (`customer.name`), a reason code, and a sentence."""

    path: str
    reason: str
    message: str


def code_for_status(status: int) -> str:
    """The error code used when only an HTTP status is known (router 404, 405, 413…)."""
    return STATUS_CODES.get(status, "bad_request" if status < 500 else "internal_error")


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    fields: Mapping[str, str] | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A JSON error in the Contract shape; `fields` and `details` only when given."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = dict(fields)
    if details is not None:
        error["details"] = dict(details)
    return web.json_response({"error": error}, status=status, headers=headers)


class ApiError(Exception):
    """Raised by the API layer for a refusal that has no domain error behind it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers = fields, headers

    def response(self) -> web.Response:
        return error_response(
            self.status, self.code, self.message, fields=self.fields, headers=self.headers
        )


def _allowed_targets(current: str) -> list[str]:
    try:
        status = OrderStatus(current)
    except ValueError:  # a refusal that names no status (`*`: a target no trigger reaches)
        return []
    return [to.value for to in allowed_targets(status)]


def _details(exc: DomainError) -> dict[str, Any] | None:
    if isinstance(exc, InsufficientStock):
        return {"shortages": [asdict(s) for s in exc.shortages]}
    if isinstance(exc, IllegalTransition):
        return {"status": exc.current, "allowed": _allowed_targets(exc.current)}
    if isinstance(exc, ConcurrentChange):
        return {"status": exc.status, "changed_by": exc.actor_name}
    return None


def invalid_order_fields(errors: Mapping[str, str]) -> dict[str, str]:
    return {INTAKE_FIELD_PATHS.get(k, k): reason for k, reason in errors.items()}


def describe_fields(fields: Mapping[str, str]) -> str:
    return ", ".join(f"{path} ({reason})" for path, reason in fields.items())


def domain_response(exc: DomainError) -> web.Response:
    """Translate a domain refusal into its status, code, message, fields and details."""
    status = next((s for kind, s in DOMAIN_STATUS.items() if isinstance(exc, kind)), 422)
    if isinstance(exc, InvalidOrder):
        fields = invalid_order_fields(exc.errors)
        message = f"The order was refused; check these fields: {describe_fields(fields)}"
        return error_response(status, exc.code, message, fields=fields)
    if isinstance(exc, IllegalTransition) and exc.current == "*":
        message = f"No transition leads to {exc.trigger}"  # e.g. back to pending
        return error_response(status, exc.code, message)
    return error_response(status, exc.code, str(exc), details=_details(exc))
