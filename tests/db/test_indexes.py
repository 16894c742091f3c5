"""Every index earns its write cost: none is a left prefix of another key of the same table."""

from __future__ import annotations

from sqlalchemy import Index, PrimaryKeyConstraint, Table, UniqueConstraint

from kefu.db.metadata import target_metadata


def _keys(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    keys = [(index.name or "", tuple(c.name for c in index.columns)) for index in table.indexes]
    keys += [(c.name or "", tuple(col.name for col in c.columns)) for c in table.constraints
             if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)]
    return keys


def test_no_index_is_a_prefix_of_another_key() -> None:
    """An index whose columns begin another index or constraint only slows writes and misleads planners."""
    redundant = [
        (table.name, index.name)
        for table in target_metadata.sorted_tables
        for index in table.indexes
        if isinstance(index, Index)
        for name, columns in _keys(table)
        if name != index.name
        and columns[: len(index.columns)] == tuple(c.name for c in index.columns)
    ]
    assert redundant == []
