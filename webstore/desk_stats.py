"""The desk's figures (`GET /desk/api/{slug}/stats`): the numbers of /stats for a period
(today, 7 days, 30 days or chosen days), broken down by day, person, wilaya and product
(models.orders.stats_groups), each breakdown with its chart drawn here as SVG
(webstore.desk_charts).

Who sees what: every member sees the store's figures and the breakdowns by day, wilaya and
product, as /stats shows the team its figures; money only for the owner unless shared
(/settings); the breakdown by person compares the team's calls, so it is the owner's
screen: an agent sees their own row only."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from models.errors import InvalidInput
from models.infra.clock import now
from models.orders import stats_groups
from models.orders.stats import ALGIERS, CohortRules, Period, custom_period, period_of, store_stats
from models.orders.stats_groups import Part
from models.shipping.geography import get_wilaya
from webstore.api_errors import ApiError
from webstore.desk_api import sees_money
from webstore.desk_auth import DeskUser, desk_user
from webstore.desk_charts import Bar, day_chart, rows_chart
from webstore.desk_http import guarded
from webstore.desk_strings import strings_for

MAX_PARTS = 10  # rows of a breakdown: the parts with the most orders


def _day(request: web.Request, name: str) -> date:
    try:
        return date.fromisoformat(request.query.get(name, ""))
    except ValueError:
        raise ApiError(400, "bad_request", f"{name}: a date, YYYY-MM-DD") from None


def _period(request: web.Request) -> Period:
    """`period=today|week|month`, or `period=custom&from=…&to=…` (Algiers days)."""
    name = request.query.get("period", "today")
    try:
        if name == "custom":
            return custom_period(_day(request, "from"), _day(request, "to"), now())
        return period_of(name, now())
    except InvalidInput as exc:
        raise ApiError(400, "bad_request", str(exc)) from None


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _figures(f: CohortRules) -> dict[str, Any]:
    return {
        "placed": f.placed,
        "confirmed": f.confirmed,
        "cancelled_pending": f.cancelled_pending,
        "shipped": f.shipped,
        "delivered": f.delivered,
        "returned": f.returned,
        "confirmation_rate": _rate(f.confirmation_rate),
        "delivery_rate": _rate(f.delivery_rate),
        "return_rate": _rate(f.return_rate),
    }


def _wilaya_name(code: str, lang: str) -> str:
    wilaya = get_wilaya(int(code)) if code.isdigit() else None
    return wilaya.label(lang) if wilaya else code


def _labelled(parts: list[Part], label: Any) -> list[Bar]:
    return [Bar(label(p), p.figures) for p in parts]


async def _breakdowns(who: DeskUser, period: Period) -> dict[str, list[Bar]]:
    """The four breakdowns as chart bars (labels in the person's language)."""
    store, lang = who.store, who.lang
    people = await stats_groups.by_person(store, period)
    if not who.is_owner:
        people = [p for p in people if p.key == str(who.user.id)]
    return {
        "days": [
            Bar(date.fromisoformat(p.key).strftime("%d/%m"), p.figures)
            for p in await stats_groups.by_day(store, period)
        ],
        "people": _labelled(people[:MAX_PARTS], lambda p: p.label),
        "wilayas": _labelled(
            (await stats_groups.by_wilaya(store, period))[:MAX_PARTS],
            lambda p: _wilaya_name(p.key, lang),
        ),
        "products": _labelled(
            (await stats_groups.by_product(store, period))[:MAX_PARTS], lambda p: p.label
        ),
    }


def _charts(request: web.Request, who: DeskUser, bars: dict[str, list[Bar]]) -> dict[str, str]:
    words, rtl = strings_for(request, who.lang), who.lang == "ar"
    return {
        name: (day_chart if name == "days" else rows_chart)(rows, words["chart_" + name], rtl)
        for name, rows in bars.items()
    }


def _period_body(period: Period) -> dict[str, str]:
    return {
        "period": period.name,
        "from": period.start.astimezone(ALGIERS).date().isoformat(),
        "to": period.days()[-1].isoformat(),
    }


async def stats_screen(request: web.Request) -> web.Response:
    """The period's figures of /stats (models.orders.stats), its breakdowns (rows of figures, most
    orders first, at most MAX_PARTS) and their charts (SVG)."""
    who = await desk_user(request, request.match_info["slug"])
    period = _period(request)
    figures = await store_stats(who.store, period)
    bars = await _breakdowns(who, period)
    body: dict[str, Any] = {
        **_period_body(period),
        **_figures(figures),
        "by_status": figures.by_status,
        "team": [
            {"name": p.name, "calls": p.calls, "confirmations": p.confirmations}
            for p in figures.team
        ],
        **{name: [{"label": b.label, **_figures(b.figures)} for b in rows]
           for name, rows in bars.items()},
        "charts": _charts(request, who, bars),
    }  # fmt: skip
    if sees_money(who):
        body["money"] = {"delivered": figures.revenue_delivered, "booked": figures.revenue_booked}
    return web.json_response(body)


def setup(app: web.Application) -> None:
    app.router.add_get("/desk/api/{slug}/stats", guarded(stats_screen))
