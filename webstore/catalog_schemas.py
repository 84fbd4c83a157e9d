"""Request and response bodies of the catalogue endpoints (see webstore.schemas)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from models.catalog.products import MAX_PRICE, MAX_STOCK
from webstore.schemas import (
    DATE_TIME,
    NEXT_CURSOR,
    Reply,
    RequestBody,
    Sku,
    Text,
    exactly_one,
    keys_and_values,
)


class VariantIn(RequestBody):
    options: dict[
        Annotated[Text, Field(min_length=1, max_length=40)],
        Annotated[Text, Field(min_length=1, max_length=60)],
    ] = Field(
        default_factory=dict,
        max_length=10,
        examples=[{"Taille": "M"}],
        json_schema_extra=keys_and_values,
    )
    price: int | None = Field(None, ge=0, le=MAX_PRICE, description="Defaults to the product's.")
    stock: int = Field(0, ge=0, le=MAX_STOCK)
    sku: Sku = Field("", description="Unique in the store; generated when empty.")


class ProductIn(RequestBody):
    name: Annotated[Text, Field(min_length=1, max_length=160)]
    price: int = Field(ge=0, le=MAX_PRICE, description="Whole dinars.")
    description: Annotated[Text, Field(max_length=5000)] = ""
    variants: list[VariantIn] = Field(
        default_factory=list, max_length=100, description="None given: one plain variant."
    )


class StockChange(RequestBody):
    """Exactly one of `stock` (an inventory count) or `delta` (units in or out)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"delta": 5}, {"stock": 12}],
            "oneOf": exactly_one("stock", "delta"),
        }
    )

    stock: int | None = Field(None, ge=0, le=MAX_STOCK)
    delta: int | None = Field(None, ge=-MAX_STOCK, le=MAX_STOCK)

    @model_validator(mode="after")
    def _exactly_one(self) -> StockChange:
        if (self.stock is None) == (self.delta is None):
            raise ValueError("give exactly one of `stock` or `delta`")
        return self


class VariantOut(Reply):
    id: int
    product_id: int
    sku: str
    options: dict[str, str]
    label: str
    price: int
    stock: int
    active: bool


class ProductOut(Reply):
    id: int
    slug: str
    name: str
    description: str
    price: int
    photo: str
    active: bool
    created_at: str = Field(json_schema_extra=DATE_TIME)
    variants: list[VariantOut]


class ProductList(Reply):
    data: list[ProductOut] = Field(description="Oldest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
