"""Bodies and queries of the webhook endpoints of the REST API (SPEC §7, §8)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from models.outbox.webhook_rows import WebhookEvent
from webstore.api_paging import PageQuery
from webstore.schemas import DATE_TIME, NEXT_CURSOR, NOT_NULL, Reply, RequestBody, Text

# The order events an endpoint subscribes to (models.outbox.webhooks.EVENTS, the same order).
EventName = WebhookEvent
Events = Annotated[list[EventName], Field(min_length=1, max_length=8)]
Outcome = Literal["delivered", "retrying", "dead"]

SIGNING = (
    "Each delivery is a POST of the envelope `{id, event, store: {id, slug}, occurred_at, "
    "data}` as JSON, with headers `X-Hanout-Event`, `X-Hanout-Delivery` (the envelope id: "
    "the same on every retry and redelivery, so dedupe on it), `X-Hanout-Timestamp` (unix "
    "seconds) and `X-Hanout-Signature: sha256=<hex>`, the HMAC-SHA256 with this secret of "
    "`<X-Hanout-Timestamp>.<raw body>`. Compute it over the bytes received, compare in "
    "constant time, and refuse timestamps more than 5 minutes from your clock."
)


# The URLs models.outbox.webhooks.clean_url takes, as the document states them: http(s), a host
# name with a dot and a letters-only top-level domain that is not a local one (a literal
# IP address, public ones included, is accepted but not stated), a port up to 65535, no
# blank, control character or #fragment.
_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LOCAL_TLD = "(?:local|internal|lan|localhost|arpa)(?![a-z0-9-])"
_PORT = "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_URL_CHARS = r"[^\s#\u0000-\u001F\u007F-\u009F]"
URL_PATTERN = (
    rf"^https?://(?:{_LABEL}\.)+(?!{_LOCAL_TLD})[a-z]{{2,63}}(?::{_PORT})?(?:[/?]{_URL_CHARS}*)?$"
)


class WebhookIn(RequestBody):
    url: Annotated[Text, Field(min_length=1, max_length=500)] = Field(
        description="http(s) address that receives the POSTs; public hosts only.",
        json_schema_extra={"pattern": URL_PATTERN},
    )
    events: Events = Field(description="Events to receive, at least one.")
    description: Annotated[Text, Field(max_length=120)] = ""
    include_personal_data: bool = Field(
        False,
        description="Also send the customer's name and phone, the address (wilaya, "
        "commune), the lines and the total. Off: only the order number and its status.",
    )


class WebhookPatch(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [name], "properties": {name: NOT_NULL}}
                for name in ("events", "active")
            ]
        }
    )

    events: Events | None = Field(None, description="Replaces the subscribed events.")
    active: bool | None = Field(
        None,
        description="`false` stops deliveries; `true` resumes them after the endpoint was "
        "disabled, its dead letters counted from zero.",
    )

    @model_validator(mode="after")
    def _something(self) -> WebhookPatch:
        if self.events is None and self.active is None:
            raise ValueError("give `events`, `active` or both")
        return self


class WebhookOut(Reply):
    id: int
    url: str
    description: str
    events: list[str]
    include_personal_data: bool
    active: bool = Field(description="False once disabled, by the store or by failures.")
    disabled_reason: str = Field(description="Why it is disabled; empty when active.")
    disabled_at: str | None = Field(json_schema_extra=DATE_TIME)
    dead_in_a_row: int = Field(
        description="Deliveries given up in a row; five disable the endpoint, one success "
        "resets it."
    )
    created_at: str = Field(json_schema_extra=DATE_TIME)


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret, shown only in this answer. " + SIGNING)


class WebhookList(Reply):
    data: list[WebhookOut] = Field(description="Oldest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class WebhookQuery(PageQuery):
    """Filters of `GET /v1/webhooks`."""

    KIND: ClassVar[str] = "webhooks"

    active: bool | None = Field(
        None, description="`true`: only endpoints receiving; `false`: only disabled ones."
    )


class DeliveryOut(Reply):
    """One try of one delivery (the delivery log)."""

    id: int = Field(description="The try; redeliver with it.")
    delivery_id: str = Field(description="The envelope id, `X-Hanout-Delivery`.")
    event: str
    order_number: int | None
    attempt: int = Field(description="1 for the first try, up to 6.")
    outcome: Outcome = Field(
        description="`retrying`: tried again later; `dead`: given up (4xx other than 408 "
        "and 429, or the sixth failure)."
    )
    status_code: int | None = Field(description="The receiver's HTTP status, if it answered.")
    error: str
    duration_ms: int
    created_at: str = Field(json_schema_extra=DATE_TIME)


class DeliveryList(Reply):
    data: list[DeliveryOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class DeliveryQuery(PageQuery):
    """Filters of `GET /v1/webhooks/{webhook_id}/deliveries`."""

    KIND: ClassVar[str] = "webhook_deliveries"

    outcome: Outcome | None = Field(None, description="Only tries with this outcome.")


class Queued(Reply):
    """A delivery queued; it shows in the delivery log once tried."""

    delivery_id: str = Field(description="The envelope id the receiver will see.")
    event: str
