"""Shared datasets are read from $KEFU_SHARED_DATA or ../shared/data beside the working tree only."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.nlp.training import datasets


def test_the_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_SHARED_DATA", str(tmp_path))
    assert datasets.shared_data_dir() == tmp_path


def test_the_folder_beside_the_working_tree_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shared" / "data").mkdir(parents=True)
    monkeypatch.delenv("KEFU_SHARED_DATA", raising=False)
    monkeypatch.setattr(datasets, "WORKING_TREE", tmp_path / "kefu")
    assert datasets.shared_data_dir() == tmp_path / "shared" / "data"


def test_a_missing_folder_names_both_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_SHARED_DATA", str(tmp_path / "nowhere"))
    monkeypatch.setattr(datasets, "WORKING_TREE", tmp_path / "kefu")
    with pytest.raises(datasets.SharedDataNotFound) as raised:
        datasets.shared_data_dir()
    message = str(raised.value)
    assert "KEFU_SHARED_DATA" in message and str(tmp_path / "shared" / "data") in message


def test_no_machine_path_is_left_in_the_source() -> None:
    assert "/work/" not in Path(datasets.__file__).read_text(encoding="utf-8")
