"""Products and their variants (option values, price in whole dinars, stock)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.stores.tables import Store


class Product(Model):
    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="products", on_delete=fields.CASCADE
    )
    slug = fields.CharField(max_length=80)
    name = fields.CharField(max_length=160)
    description = fields.TextField(default="")
    price = fields.BigIntField()
    photo = fields.CharField(max_length=512, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    variants: fields.ReverseRelation[Variant]

    class Meta:
        table = "product"
        unique_together = (("store", "slug"),)


class Variant(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="variants", on_delete=fields.CASCADE
    )
    # Denormalised so checkout and the API can look a variant up by store in one query.
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="variants", on_delete=fields.CASCADE
    )
    sku = fields.CharField(max_length=64)
    # [[name, value], ...]: a list keeps the merchant's order (PostgreSQL's JSONB sorts the
    # keys of an object, so "Couleur / Taille" would read differently per database).
    options: fields.Field[list[list[str]]] = fields.JSONField(default=list)
    price = fields.BigIntField()
    stock = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "variant"
        unique_together = (("store", "sku"),)

    def option_map(self) -> dict[str, str]:
        """The options as name → value, in the merchant's order."""
        return {str(name): str(value) for name, value in self.options}

    def label(self) -> str:
        """`Taille: M / Couleur: Rouge`, or '' for a product without options."""
        return " / ".join(f"{k}: {v}" for k, v in self.option_map().items())
