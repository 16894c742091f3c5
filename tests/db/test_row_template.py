"""`RowTemplate`: every column of a new row, the given values and the rest from the column definitions."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, text

from kefu.db.rows import RowTemplate


def _table(*extra: Column[Any]) -> Table:
    counter = itertools.count(1)
    return Table(
        "things",
        MetaData(),
        Column("id", Integer, primary_key=True, default=lambda: next(counter)),
        Column("name", String(20), nullable=False),
        Column("kind", String(10), nullable=False, default="plain"),
        Column("labels", String(20), default=list),
        Column("note", String(20)),
        *extra,
    )


def test_a_row_has_every_column_with_its_default_or_null() -> None:
    row = RowTemplate(_table()).row(name="a")
    assert row == {"id": 1, "name": "a", "kind": "plain", "labels": [], "note": None}


def test_given_values_win_over_defaults_and_callables_are_not_called_for_them() -> None:
    template = RowTemplate(_table())
    assert template.row(id=7, name="a", kind="odd", labels=["x"], note="n") == {
        "id": 7, "name": "a", "kind": "odd", "labels": ["x"], "note": "n",
    }
    assert template.row(name="b")["id"] == 1  # the counter was not advanced by the row given an id


def test_callable_defaults_are_called_for_each_row() -> None:
    template = RowTemplate(_table())
    first, second = template.row(name="a"), template.row(name="b")
    assert (first["id"], second["id"]) == (1, 2)
    assert first["labels"] == [] and first["labels"] is not second["labels"]


def test_a_column_added_to_the_table_is_in_every_row() -> None:
    added = (Column("waiting_since", String(30)), Column("urgent", Boolean, default=False))
    template = RowTemplate(_table(*added))
    row = template.row(name="a")
    assert row["waiting_since"] is None and row["urgent"] is False
    assert set(row) == {"id", "name", "kind", "labels", "note", "waiting_since", "urgent"}


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(KeyError, match="nmae"):
        RowTemplate(_table()).row(name="a", nmae="typo")


def test_a_required_column_must_be_given() -> None:
    with pytest.raises(TypeError, match="needs name"):
        RowTemplate(_table()).row(kind="k")


def test_a_column_with_a_server_default_must_be_given() -> None:
    template = RowTemplate(_table(Column("stamp", String(30), server_default=text("'now'"))))
    with pytest.raises(TypeError, match="needs stamp"):
        template.row(name="a")
    assert template.row(name="a", stamp="then")["stamp"] == "then"
    assert template.columns == frozenset({"id", "name", "kind", "labels", "note", "stamp"})
