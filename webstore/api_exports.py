"""Order exports over the API: CSV and XLSX for a period."""

from __future__ import annotations

from webstore.api_endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = ()
