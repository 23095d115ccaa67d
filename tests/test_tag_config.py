"""``carewatch tag`` reads the shipped default without the config's models (pydantic) and any
other config through them: the same values, and for a bad file the same error as every command."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.cli.tag import TagConfig
from carewatch.config import ConfigError, example_names, load_config, parse_config
from carewatch.config.files import default_config_text, shipped_path
from carewatch.config.layers import user_config_path
from carewatch.config.show import starter_text
from carewatch.config.unchanged import same_document, unchanged_default
from carewatch.records import CallUpdate
from carewatch.store import Store


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An SQLite database with one call, C1."""
    path = str(tmp_path / "cw.db")
    with Store(path) as store:
        store.ingest("log", [(1, CallUpdate("C1", {"started_at": 1_715_670_000.0}))])
    return path


def test_the_default_read_without_the_models_is_what_the_models_give() -> None:
    document = unchanged_default()
    assert document is not None
    assert TagConfig.of_default(document) == TagConfig.of(load_config())
    assert TagConfig.of_default(document).categories["shipping"] == []


@pytest.mark.parametrize("example", [None, *example_names()])
def test_tags_choices_are_read_from_a_document_as_the_models_read_them(
    example: str | None,
) -> None:
    """The reading of :meth:`TagConfig.of_default` agrees with the models on other documents
    too (the examples; the default with sub-categories and a database)."""
    if example is None:
        data = tomllib.loads(default_config_text())
        data["categories"][1]["subcategories"] = ["tracking", "late delivery"]
        data["database"] = "centre.db"
    else:
        data = tomllib.loads((shipped_path("examples") / f"{example}.toml").read_text("utf-8"))
    assert TagConfig.of_default(data) == TagConfig.of(parse_config(data))


def test_files_that_change_nothing_but_the_database_are_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = write(user_config_path(), starter_text(str(user_config_path())))  # config init's
    system = write(
        tmp_path / "etc-carewatch" / "carewatch.toml",
        "[targets]\ntalk_seconds = 120\n[privacy]\nmask_callers = true\n",
    )
    monkeypatch.setenv("CAREWATCH_SYSTEM_CONFIG_DIR", str(system.parent))
    assert user.exists()
    assert unchanged_default() is not None
    named = write(tmp_path / "centre.toml", 'database = "centre.db"\n')
    document = unchanged_default(named)
    assert document is not None and document["database"] == "centre.db"
    monkeypatch.setenv("CAREWATCH_DB", "env.db")
    for db, expected in ((None, "env.db"), ("flag.db", "flag.db")):
        document = unchanged_default(named, db=db)
        assert document is not None and document["database"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "[targets]\ntalk_seconds = 120.0\n",  # the same number as another TOML type
        "[privacy]\nvisible_digits = 4.0\n",
        '[ui]\nlanguage = "it"\n',
        "database = 5\n",
        "categoris = []\n",
        '[[categories]]\nname = "order"\n',
        "[privacy]\nmask_callers = 1\n",
    ],
)
def test_any_other_setting_is_left_to_the_models(tmp_path: Path, text: str) -> None:
    assert unchanged_default(write(tmp_path / "c.toml", text)) is None


def test_documents_are_the_same_only_value_for_value_and_type_for_type() -> None:
    assert same_document({"a": [{"b": 1}], "c": "x"}, {"c": "x", "a": [{"b": 1}]})
    assert not same_document({"a": 1}, {"a": 1.0})
    assert not same_document({"a": 1}, {"a": True})
    assert not same_document({"a": [1, 2]}, {"a": [1]})
    assert not same_document({"a": 1}, {"a": 1, "b": 1})


@pytest.mark.parametrize(
    "text",
    [
        "categoris = []\n",
        "[targets]\ntalk_seconds = -1\n",
        "database = 5\n",
        "[mail]\nport = 0\n",  # a section tag never reads
        '[[categories]]\nname = "order"\nkey = "r"\n',
        "[targets\n",  # not TOML
    ],
)
def test_a_bad_config_is_the_same_error_for_tag_as_for_every_command(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no --db: "database = 5" is not overridden
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as expected:
        load_config(path)
    for command in (["tag", "C1", "--category", "order"], ["callbacks"]):
        with pytest.raises(SystemExit) as info:
            main([*command, "--config", str(path)])
        assert info.value.code == 2
        assert capsys.readouterr().err == f"carewatch: {expected.value}\n"


def test_tag_with_a_missing_config_file_says_so(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["tag", "C1", "--category", "order", "--db", db, "--config", str(tmp_path / "no")])
    assert info.value.code == 2
    assert capsys.readouterr().err == f"carewatch: {tmp_path / 'no'}: no such config file\n"


def test_tag_reads_the_choices_of_a_config_of_its_own(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(user_config_path(), '[[categories]]\nname = "weather"\n')
    with pytest.raises(SystemExit):
        main(["tag", "C1", "--category", "order", "--db", db])
    assert "unknown category 'order'; valid: weather" in capsys.readouterr().err
    assert main(["tag", "C1", "--category", "weather", "--db", db]) == 0
    with Store(db) as store:
        assert store.find_calls("C1")[0].category == "weather"
