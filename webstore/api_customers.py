"""Customers over the API: history per phone, risk, blacklist."""

from __future__ import annotations

from webstore.api_endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = ()
