"""Call outcomes over the API: `POST /v1/orders/{{number}}/calls`."""

from __future__ import annotations

from webstore.api_endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = ()
