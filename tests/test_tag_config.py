"""``carewatch tag`` reads the shipped default without the config's models (pydantic) and any
other config through them: the same values, and for a bad file the same error as every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.cli.tag import TagConfig
from carewatch.config import ConfigError, accepted, example_names, load_config, parse_config
from carewatch.config.files import default_config_text, shipped_path
from carewatch.config.layers import all_layers, merge_layers, user_config_path
from carewatch.config.show import starter_text
from carewatch.config.unchanged import is_default, same_document, without_database
from carewatch.records import CallUpdate
from carewatch.store import Store
from tests.conftest import one_call_db


def unchanged_default(path: str | Path | None = None, *, db: str | None = None) -> dict | None:
    """The merged document of the config layers when tag takes it as the shipped default (with
    at most a database string added), as :func:`carewatch.cli.tag.tag_config` tells it."""
    merged = merge_layers(all_layers(path, db=db))
    rest = without_database(merged)
    return merged if rest is not None and is_default(rest) else None


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An SQLite database with one call, C1."""
    return one_call_db(str(tmp_path / "cw.db"), "log", "C1", 1_715_670_000.0)


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


# -- a config of the centre's own: validated once, then read from the cache ----------------------

CENTRE = """\
[[categories]]
name = "billing"
subcategories = ["refund", "invoice copy"]

[[categories]]
name = "roaming"

[[outcomes]]
name = "solved"

[[outcomes]]
name = "escalated"

[targets]
talk_seconds = 100
"""


def kept_files() -> list[Path]:
    folder = Path(os.environ["CAREWATCH_CACHE"]) / accepted.FOLDER
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def tag_fresh(*argv: str) -> tuple[int, str, str, bool]:
    """``main`` with these arguments in a fresh interpreter (as a user runs carewatch, the
    test's environment): exit code, output, error, and whether pydantic was loaded."""
    code = (
        "import contextlib, io, sys\n"
        "from carewatch.cli import main\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        "    try:\n"
        f"        code = main({list(argv)!r})\n"
        "    except SystemExit as exc:\n"
        "        code = exc.code\n"
        "print(json.dumps([code, out.getvalue(), err.getvalue(), 'pydantic' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    got = json.loads(result.stdout)
    return got[0], got[1], got[2], got[3]


def category_of(db: str) -> tuple[str | None, str | None, str | None]:
    with Store(db) as store:
        call = store.find_calls("C1")[0]
        return call.category, call.subcategory, call.outcome


def test_a_config_of_its_own_is_validated_once_then_read_without_pydantic(
    tmp_path: Path, db: str
) -> None:
    config = str(write(tmp_path / "centre.toml", CENTRE))
    argv = ("--config", config, "--db", db, "tag", "C1", "--category", "billing")
    first = tag_fresh(*argv, "--subcategory", "refund", "--outcome", "solved")
    assert first == (0, "call C1: 3 tags written, 0 unchanged\n", "", True)
    assert category_of(db) == ("billing", "refund", "solved")
    assert len(kept_files()) == 1
    # the next runs read the kept choices: no pydantic, the same checks and tags
    second = tag_fresh(*argv, "--subcategory", "invoice copy", "--outcome", "escalated")
    assert second == (0, "call C1: 2 tags written, 1 unchanged\n", "", False)
    assert category_of(db) == ("billing", "invoice copy", "escalated")
    code, out, err, pydantic = tag_fresh(*argv, "--subcategory", "late")
    assert (code, out, pydantic) == (2, "", False)
    assert err == "carewatch: unknown sub-category of billing 'late'; valid: refund, invoice copy\n"
    code, _out, err, pydantic = tag_fresh(*argv[:-1], "weather")
    assert (code, pydantic) == (2, False)
    assert err == "carewatch: unknown category 'weather'; valid: billing, roaming\n"
    # another database (--db or CAREWATCH_DB) is the same config: the same file serves
    other = str(tmp_path / "other.db")
    with Store(other) as store:
        store.ingest("log", [(1, CallUpdate("C1", {"started_at": 1_715_670_000.0}))])
    assert tag_fresh("--config", config, "--db", other, "tag", "C1", "--outcome", "solved") == (
        0,
        "call C1: 1 tag written, 0 unchanged\n",
        "",
        False,
    )
    assert category_of(other) == (None, None, "solved") and len(kept_files()) == 1


def test_a_config_edited_is_validated_again(tmp_path: Path, db: str) -> None:
    config = write(tmp_path / "centre.toml", CENTRE)
    argv = ("--config", str(config), "--db", db, "tag", "C1", "--category", "roaming")
    assert tag_fresh(*argv)[3] is True
    assert tag_fresh(*argv)[3] is False
    config.write_text(CENTRE.replace("talk_seconds = 100", "talk_seconds = 100.0"), "utf-8")
    assert tag_fresh(*argv)[3] is True  # the same number as another type: another document
    config.write_text(CENTRE.replace('name = "roaming"', 'name = "travel"'), "utf-8")
    code, _out, err, pydantic = tag_fresh(*argv)
    assert (code, pydantic) == (2, True)
    assert err == "carewatch: unknown category 'roaming'; valid: billing, travel\n"
    assert tag_fresh(*argv[:-1], "travel") == (
        0,
        "call C1: 1 tag written, 0 unchanged\n",
        "",
        False,
    )
    assert len(kept_files()) == 3


@pytest.mark.parametrize(
    "text",
    [
        CENTRE.replace("talk_seconds = 100", "talk_seconds = -1"),
        CENTRE.replace('name = "escalated"', 'name = "solved"'),  # listed twice
        CENTRE + "[mail]\nport = 0\n",  # a section tag never reads
    ],
    ids=["negative target", "outcome listed twice", "section tag never reads"],
)
def test_a_bad_config_is_the_models_error_every_time_and_nothing_is_kept(
    tmp_path: Path, db: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as expected:
        load_config(path)
    for _run in range(2):
        with pytest.raises(SystemExit) as info:
            main(["--config", str(path), "--db", db, "tag", "C1", "--category", "billing"])
        assert info.value.code == 2
        assert capsys.readouterr().err == f"carewatch: {expected.value}\n"
        assert kept_files() == []
    # the same error in a fresh interpreter, where nothing was validated before
    assert tag_fresh("--config", str(path), "--db", db, "tag", "C1", "--category", "billing") == (
        2,
        "",
        f"carewatch: {expected.value}\n",
        True,
    )


@pytest.mark.parametrize(
    "garbage",
    [
        "{not json",
        "\udcff",
        '{"format": 1, "kind": "tag", "value": {"categories": ["billing"], "outcomes": []}}',
        '{"format": 1, "kind": "tag", "value": null}',
        '{"format": 99, "kind": "tag", "value": {"categories": [], "outcomes": []}}',
        "[]",
    ],
)
def test_a_damaged_cache_file_is_passed_over_and_written_again(
    tmp_path: Path, db: str, garbage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write(tmp_path / "centre.toml", CENTRE))
    argv = ["--config", config, "--db", db, "tag", "C1", "--category", "billing"]
    assert main([*argv, "--subcategory", "refund"]) == 0
    [kept] = kept_files()
    good = kept.read_text("utf-8")
    kept.write_bytes(garbage.encode("utf-8", "surrogateescape"))
    assert main([*argv, "--subcategory", "invoice copy"]) == 0
    assert category_of(db) == ("billing", "invoice copy", None)
    assert kept_files() == [kept] and kept.read_text("utf-8") == good
    capsys.readouterr()


def test_a_cache_folder_that_cannot_be_written_still_tags(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = write(tmp_path / "cache-file", "")
    monkeypatch.setenv("CAREWATCH_CACHE", str(not_a_folder))
    config = str(write(tmp_path / "centre.toml", CENTRE))
    argv = ("--config", config, "--db", db, "tag", "C1", "--category", "billing")
    assert tag_fresh(*argv) == (0, "call C1: 1 tag written, 0 unchanged\n", "", True)
    assert tag_fresh(*argv) == (0, "call C1: 0 tags written, 1 unchanged\n", "", True)
    assert not_a_folder.read_text("utf-8") == "" and category_of(db)[0] == "billing"


def test_the_kept_file_is_named_by_the_document_type_for_type_and_by_the_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = accepted.document_key
    assert key("tag", {"a": 1, "b": "x"}) == key("tag", {"b": "x", "a": 1})
    names = {key("tag", {"a": v}) for v in (1, 1.0, True, "1", [1], {"b": 1})}
    assert len(names) == 6
    assert key("tag", {"a": 1}) != key("other", {"a": 1})
    before = key("tag", {"a": 1})
    monkeypatch.setattr(accepted, "__version__", "99.0")
    assert key("tag", {"a": 1}) != before
    # an edited checkout: a source of the models' rules changes size or time
    package = tmp_path / "carewatch"
    models = write(package / "config" / "models.py", "x = 1\n")
    write(package / "records.py", "")
    monkeypatch.setattr(accepted, "_PACKAGE", package)
    edited = key("tag", {"a": 1})
    assert key("tag", {"a": 1}) == edited
    models.write_text("x = 2\n", "utf-8")
    os.utime(models, ns=(0, 0))
    assert key("tag", {"a": 1}) != edited


def test_no_more_than_the_newest_files_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accepted, "MAX_FILES", 3)
    for n in range(5):
        accepted.keep("tag", {"n": n}, {"n": n})
        for file in kept_files():  # distinct times, the newest last, whatever the clock's grain
            if file.name.startswith(f"tag-{accepted.document_key('tag', {'n': n})}"):
                os.utime(file, ns=(n * 10**9, n * 10**9))
    assert len(kept_files()) == 3
    assert [accepted.find("tag", {"n": n}) for n in range(5)] == [
        None,
        None,
        {"n": 2},
        {"n": 3},
        {"n": 4},
    ]
