"""Domain errors, named for the rule they enforce. Adapters map them to pages, alerts, codes."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every refusal the domain makes. `code` is stable and machine-readable."""

    code = "domain_error"


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found")
        self.what = what
        self.key = key


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, current: str, trigger: str) -> None:
        super().__init__(f"cannot {trigger} an order that is {current}")
        self.current = current
        self.trigger = trigger


@dataclass(frozen=True, slots=True)
class Shortage:
    variant_id: int
    sku: str
    label: str
    wanted: int
    available: int


class InsufficientStock(DomainError):
    code = "insufficient_stock"

    def __init__(self, shortages: list[Shortage]) -> None:
        names = ", ".join(f"{s.label or s.sku} ({s.available}/{s.wanted})" for s in shortages)
        super().__init__(f"not enough stock: {names}")
        self.shortages = shortages


class ConcurrentChange(DomainError):
    """Someone else changed the order first (compare-and-set lost). Names who acted."""

    code = "conflict"

    def __init__(self, number: int, actor_name: str, status: str) -> None:
        super().__init__(f"order {number} was just changed by {actor_name} (now {status})")
        self.number = number
        self.actor_name = actor_name
        self.status = status


class InvalidOrder(DomainError):
    """Checkout input failed validation. `errors` maps field name → reason code."""

    code = "invalid_order"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Blacklisted(DomainError):
    code = "blacklisted"

    def __init__(self) -> None:
        super().__init__("this phone number cannot order from this store")


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"

    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was already used with a different request")


class InvalidInput(DomainError):
    """Catalogue or settings input refused; the message says which field and why."""

    code = "invalid_input"


class InvalidInvite(DomainError):
    code = "invalid_invite"

    def __init__(self) -> None:
        super().__init__("this invite is unknown, used or expired")


class NotAllowed(DomainError):
    """The person is not a member of the store (or lacks the role) for this action."""

    code = "not_allowed"


class ClaimedByOther(DomainError):
    code = "claimed"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is already calling this customer")
        self.name = name


class OtherCustomersOrder(DomainError):
    """A duplicate must be another order of the same customer; linking someone else's
    order takes an explicit override."""

    code = "other_customer"

    def __init__(self, number: int) -> None:
        super().__init__(f"order {number} belongs to another customer")
        self.number = number
