"""The store settings an owner changes from Telegram (SPEC §3.3, §5): language, the
no-answer policy (limit, minimum span, call-back plan), the claim time, silent
notifications, roster mode, what agents may do besides calling (see the money figures,
move stock) and how parcel labels are printed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from models.calls.policy import parse_plan
from models.errors import InvalidInput
from models.stores import cache
from models.stores.setup import LANGS
from models.stores.tables import Store

log = logging.getLogger(__name__)

NO_ANSWER_LIMITS = range(0, 11)  # 0 = never cancel for no-answers
CLAIM_MINUTES = range(5, 241)
NO_ANSWER_MIN_HOURS = range(0, 169)  # up to a week
LABEL_FORMATS = ("a4", "thermal")  # A4 sheets of 4 labels, or 10×15 cm thermal rolls


def _is_plan(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_plan(value)
    except InvalidInput:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Setting:
    """A Store field an owner may change, and the rule its value must follow."""

    field: str
    accepts: Callable[[object], bool]
    rule: str


def _is_int_in(allowed: range) -> Callable[[object], bool]:
    return lambda value: type(value) is int and value in allowed


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


SETTINGS: dict[str, Setting] = {
    s.field: s
    for s in (
        Setting("lang", lambda value: value in LANGS, f"one of {', '.join(LANGS)}"),
        Setting("no_answer_limit", _is_int_in(NO_ANSWER_LIMITS), "a whole number from 0 to 10"),
        Setting("claim_minutes", _is_int_in(CLAIM_MINUTES), "a whole number from 5 to 240"),
        Setting(
            "no_answer_min_hours",
            _is_int_in(NO_ANSWER_MIN_HOURS),
            "a whole number of hours from 0 to 168",
        ),
        Setting("callback_plan", _is_plan, "steps such as 1h,3h,10:00"),
        Setting("silent_notifications", _is_bool, "true or false"),
        Setting("roster_mode", _is_bool, "true or false"),
        Setting("agents_see_money", _is_bool, "true or false"),
        Setting("agents_change_stock", _is_bool, "true or false"),
        Setting("label_format", lambda value: value in LABEL_FORMATS, "a4 or thermal"),
    )
}


async def change_setting(store: Store, field: str, value: object) -> Store:
    """Set one setting of the store and return the store as it now is. Raises InvalidInput
    (nothing changes) for an unknown setting or a value outside its rule."""
    setting = SETTINGS.get(field)
    if setting is None:
        raise InvalidInput(f"unknown setting {field!r}")
    if not setting.accepts(value):
        raise InvalidInput(f"{field} must be {setting.rule}")
    await Store.filter(id=store.id).update(**{field: value})
    cache.forget(store.id)  # the storefront reads the store from memory
    setattr(store, field, value)
    log.info("store setting changed store=%s field=%s value=%s", store.slug, field, value)
    return store


async def set_no_answer_limit(store: Store, limit: int) -> Store:
    """Cancel a pending order at its `limit`-th no-answer; 0 never cancels."""
    return await change_setting(store, "no_answer_limit", limit)


async def set_no_answer_min_hours(store: Store, hours: int) -> Store:
    """The no-answer policy cancels only once the first no-answer is this old."""
    return await change_setting(store, "no_answer_min_hours", hours)


async def set_claim_minutes(store: Store, minutes: int) -> Store:
    """How long an "I'm calling" claim keeps an order to one person."""
    return await change_setting(store, "claim_minutes", minutes)


async def set_roster_mode(store: Store, on: bool) -> Store:
    """Only listed members may press (not everyone in the team group)."""
    return await change_setting(store, "roster_mode", on)


async def set_label_format(store: Store, label_format: str) -> Store:
    """How the desk prints parcel labels: `a4` (4 to a sheet) or `thermal` (10×15 cm)."""
    return await change_setting(store, "label_format", label_format)


def may_change_stock(store: Store, role: str) -> bool:
    """Stock is the owner's to change, and the agents' when the owner allows it."""
    return role == "owner" or store.agents_change_stock


def sees_money(store: Store, role: str) -> bool:
    """Money figures are the owner's, and the agents' when the owner shares them."""
    return role == "owner" or store.agents_see_money
