"""Outgoing webhooks over the API: `GET|POST|DELETE /v1/webhooks`, deliveries, redelivery."""

from __future__ import annotations

from webstore.api_endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = ()
