"""Customers over the API: history per phone, risk, blacklist.

A customer is a phone in one store's books (E.164); `{phone}` in a path takes any usual
form, with `+` percent-encoded (`%2B213550123456`) or the national form (`0550123456`).
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from models.customers import registry
from models.customers.phones import national_display
from models.customers.registry import CustomerFilter, CustomerView, History, actor_label
from models.orders.tables import Order
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.customer_schemas import (
    BlacklistRequest,
    BlacklistState,
    CustomerOut,
    CustomerPage,
    CustomerQuery,
)
from webstore.query_schemas import moment_or_none
from webstore.schemas import CustomerHistory, OrderCustomer, OrderCustomerDetail


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def history_out(history: History) -> CustomerHistory:
    return CustomerHistory(
        orders=history.orders,
        open=history.open,
        delivered=history.delivered,
        returned=history.returned,
        cancelled=history.cancelled,
        fake=history.fake,
        unanswered=history.unanswered,
        delivered_amount=history.delivered_amount,
        first_order_at=_when(history.first_order_at),
        last_order_at=_when(history.last_order_at),
    )


def customer_out(view: CustomerView) -> CustomerOut:
    customer = view.customer
    return CustomerOut(
        phone=customer.phone,
        phone_national=national_display(customer.phone),
        name=customer.name,
        risk=view.risk,
        history=history_out(view.history),
        blacklist=BlacklistState(
            blacklisted=customer.blacklisted,
            reason=customer.blacklist_reason,
            at=_when(customer.blacklisted_at),
            by=customer.blacklisted_by,
        ),
        first_seen_at=customer.created_at.isoformat(),
    )


async def customer_detail(order: Order, brief: OrderCustomer) -> OrderCustomerDetail:
    """The customer of one order as its detail shows them: their other orders and mark."""
    standing = await registry.standing_of(order)
    return OrderCustomerDetail(
        **dict(brief),
        risk=standing.risk,
        blacklisted=standing.blacklisted,
        history=history_out(standing.history),
    )


def _phone(call: ApiCall) -> str:
    return call.request.match_info["phone"]


async def list_customers(call: ApiCall) -> web.Response:
    query = call.query_as(CustomerQuery)
    where = CustomerFilter(query.blacklisted, query.risk, query.phone, moment_or_none(query.since))
    page = await registry.customers_page(call.current_store(), where, query.after(), query.limit)
    return reply(
        CustomerPage(
            data=[customer_out(v) for v in page.items],
            next_cursor=query.next_cursor(page.next_before),
        )
    )


async def show_customer(call: ApiCall) -> web.Response:
    return reply(customer_out(await registry.get_customer(call.current_store(), _phone(call))))


async def put_blacklist(call: ApiCall) -> web.Response:
    body = call.body_as(BlacklistRequest)
    view = await registry.blacklist_phone(
        call.current_store(), _phone(call), body.reason, actor_label(call.actor)
    )
    return reply(customer_out(view))


async def delete_blacklist(call: ApiCall) -> web.Response:
    await registry.unblacklist_phone(call.current_store(), _phone(call), actor_label(call.actor))
    return web.Response(status=204)


BAD_PHONE = "422 `invalid_input` when `{phone}` is not an Algerian phone number."

ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/customers",
        list_customers,
        "listCustomers",
        "List customers with their history and risk, newest first",
        "customers",
        query=CustomerQuery,
        response=CustomerPage,
        errors=(400,),
        description="A customer is a phone that ordered from the store or that the store "
        "blacklisted. Filters combine with AND; keep them the same from page to page.",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{phone}",
        show_customer,
        "getCustomer",
        "One customer: history, risk mark and blacklist state",
        "customers",
        response=CustomerOut,
        errors=(404, 422),
        description="404 when the store never had an order from this phone and did not "
        "blacklist it. " + BAD_PHONE,
    ),
    Endpoint(
        "PUT",
        "/v1/customers/{phone}/blacklist",
        put_blacklist,
        "blacklistCustomer",
        "Blacklist a phone: its orders are refused at checkout",
        "customers",
        body=BlacklistRequest,
        response=CustomerOut,
        errors=(422,),
        description="Works for a phone the store never saw. Blacklisting a phone already "
        "on the list keeps who and when, and replaces the reason when one is given. The "
        "storefront tells a blacklisted customer politely to contact the store; the public "
        "intake answers 403 `blacklisted`. " + BAD_PHONE,
    ),
    Endpoint(
        "DELETE",
        "/v1/customers/{phone}/blacklist",
        delete_blacklist,
        "unblacklistCustomer",
        "Take a phone off the blacklist",
        "customers",
        status=204,
        errors=(404, 422),
        description="204 also when the phone was not blacklisted. A phone that never "
        "ordered is forgotten (`getCustomer` answers 404 then). " + BAD_PHONE,
    ),
)
