"""Order exports over the API: the store's orders of a period as a CSV or XLSX file
(models.exports.files), built in a temporary file and then streamed."""

from __future__ import annotations

import logging
import tempfile

from aiohttp import web

from models.errors import InvalidInput
from models.exports.columns import MEDIA_TYPES
from models.exports.reading import local_today
from models.infra.clock import now
from webstore.api_endpoint import ApiCall, Endpoint
from webstore.api_errors import ApiError
from webstore.export_schemas import ExportQuery

log = logging.getLogger(__name__)

IN_MEMORY = 8 * 1024 * 1024  # larger files spill to disk while they are written
SEND_CHUNK = 256 * 1024


async def export_orders(call: ApiCall) -> web.StreamResponse:
    # The file writers (openpyxl, ~25 MB) load at the first export, not in every process.
    from models.exports.files import ExportRequest, write_export

    query, store, moment = call.query_as(ExportQuery), call.current_store(), now()
    try:
        period = query.export_period(local_today(moment))
    except InvalidInput as exc:
        field = str(exc).partition(":")[0]
        raise ApiError(400, "invalid_parameter", str(exc), fields={field: "invalid"}) from None
    request = ExportRequest(store, period, query.format, query.lang or store.lang, query.status)
    with tempfile.SpooledTemporaryFile(IN_MEMORY) as file:
        totals = await write_export(request, file, moment)
        size = file.tell()
        file.seek(0)
        log.info(
            "orders exported store=%s period=%s format=%s orders=%s",
            store.slug,
            period.label,
            query.format,
            totals.orders,
        )
        response = web.StreamResponse(
            headers={
                "Content-Type": request.media_type,
                "Content-Disposition": f'attachment; filename="{request.filename}"',
                "Cache-Control": "no-store",  # customers' names and phones
                "X-Order-Count": str(totals.orders),
            }
        )
        response.content_length = size
        await response.prepare(call.request)
        while chunk := file.read(SEND_CHUNK):
            await response.write(chunk)
    await response.write_eof()
    return response


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/v1/exports/orders",
        export_orders,
        "exportOrders",
        "The orders of a period as a CSV or XLSX file",
        "exports",
        query=ExportQuery,
        produces=(MEDIA_TYPES["csv"].partition(";")[0], MEDIA_TYPES["xlsx"]),
        errors=(400,),
        description="One row per order placed in the period (Africa/Algiers days): customer, "
        "place, items, amounts in dinars, calls, who confirmed it, courier, tracking and the "
        "parcel's last status, with headers and values in the store's language. The XLSX "
        "file adds a row per order line and a summary. At most 366 days per file; the "
        "header `X-Order-Count` gives the number of orders.",
    ),
)
