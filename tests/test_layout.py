"""The layout of models/ (README "Where things live"): each concept's tables beside its use
cases, registered once, importing only other tables. Database-free."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import grimp
from tortoise.models import Model

import models
from models.infra.db import TABLE_MODULES

# What a tables module may import from models: other tables, and the statuses of orders.
TABLE_MAY_IMPORT = ("models.errors", "models.orders.lifecycle")


def _is_tables(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("tables")


def _models_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(models.__path__, "models.")]


def test_every_tables_module_is_registered_and_every_table_lives_in_one() -> None:
    tables = sorted(m for m in _models_modules() if _is_tables(m))
    assert tables == sorted(TABLE_MODULES)
    for name in _models_modules():
        module = importlib.import_module(name)
        defined_here = [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Model) and cls.__module__ == name
        ]
        assert not defined_here or _is_tables(name), (name, defined_here)


def test_tables_import_only_tables_and_the_statuses() -> None:
    graph = grimp.build_graph("models")
    for name in TABLE_MODULES:
        imported = {
            m for m in graph.find_modules_directly_imported_by(name) if m.startswith("models")
        }
        wrong = {m for m in imported if not _is_tables(m) and m not in TABLE_MAY_IMPORT}
        assert not wrong, (name, wrong)


def test_every_concept_package_says_what_it_holds() -> None:
    for info in pkgutil.iter_modules(models.__path__, "models."):
        module = importlib.import_module(info.name)
        assert (module.__doc__ or "").strip(), info.name
