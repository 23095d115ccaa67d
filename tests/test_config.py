"""The config: the documented default loads, and every mistake is one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from carewatch.config import ConfigError, default_config, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent


def test_default_config_is_the_documented_e_commerce_set() -> None:
    config = default_config()
    assert [c.name for c in config.categories] == [
        "pre-sale",
        "shipping",
        "order",
        "admin",
        "complaint",
    ]
    assert config.targets.talk_seconds == 120
    assert config.targets.service_level_seconds == 20
    assert config.targets.category_alert_share == pytest.approx(0.40)
    assert config.conversion_outcomes == {"sale", "appointment"}
    assert config.category("complaint").complaint is True
    assert config.privacy.mask_callers is True


def test_default_is_the_project_file() -> None:
    assert load_config(ROOT / "config" / "carewatch.toml") == default_config().model_copy(
        update={"path": str(ROOT / "config" / "carewatch.toml")}
    )


def test_a_shift_may_end_at_midnight() -> None:
    config = parse_config({"shifts": [{"name": "late", "start": "18:00", "end": "24:00"}]})
    assert config.shifts[0].end == "24:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[targets]\ntalk_seconds = 'two minutes'\n",
            "targets.talk_seconds: Input should be a valid number",
        ),
        ("[targets]\ntalk_seconds = -5\n", "targets.talk_seconds: Input should be greater than 0"),
        ("colour_scheme = 'dark'\n", "colour_scheme: unknown key"),
        ("timezone = 'Mars/Olympus'\n", "timezone: an IANA time zone"),
        (
            "[[categories]]\nname = 'a'\nkey = '1'\n[[categories]]\nname = 'b'\nkey = '1'\n",
            "key '1' of 'b' is already used by 'a'",
        ),
        ("[[categories]]\nname = 'a'\nkey = 'q'\n", "reserved for quit"),
        ("[[categories]]\nkey = '1'\n", "categories[0].name: Field required"),
        ("[mapping]\ncall_id = 'Id'\n", "mapping: needs 'started_at' or 'date'"),
        ("[privacy\n", "not valid TOML"),
        ("[[categories]]\nname = 'a'\nkey = 'tab'\n", "categories[0].key: 'tab' can never tag"),
        ("[[categories]]\nname = 'a'\nkey = ' '\n", "categories[0].key: ' ' can never tag"),
        ("[[outcomes]]\nname = 'a'\nkey = 'escape'\n", "outcomes[0].key: 'escape' can never"),
        ("[[outcomes]]\nname = 'a'\nkey = 'w'\n", "outcomes[0].key: 'w' is reserved for window"),
        ("[[categories]]\nname = 'a'\nkey = 'ab'\n", "one printable character"),
        (
            "[[categories]]\nname = 'a'\n[[categories]]\nname = 'a'\n",
            "categories: 'a' is listed twice",
        ),
        ("[[outcomes]]\nname = 'sale'\n[[outcomes]]\nname = 'sale'\n", "'sale' is listed twice"),
        (
            "[[categories]]\nname = 'a'\nkey = '1'\n[[outcomes]]\nname = 'b'\nkey = '1'\n",
            "outcomes: key '1' of 'b' is already used by 'a'",
        ),
        (
            "[[shifts]]\nname = 'x'\nstart = '99:99'\nend = '10:00'\n",
            "shifts[0].start: a time of day from 00:00 to 23:59",
        ),
        (
            "[[shifts]]\nname = 'x'\nstart = '08:00'\nend = '08:60'\n",
            "shifts[0].end: a time of day",
        ),
        (
            "[targets]\ntalk_seconds = 200\n",
            "targets: talk_amber_seconds (150) is below talk_seconds (200)",
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


def test_environment_variable_names_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.toml"
    path.write_text("agent_cost_per_hour = 42\n", encoding="utf-8")
    monkeypatch.setenv("CAREWATCH_CONFIG", str(path))
    assert load_config().agent_cost_per_hour == 42


def test_categories_not_in_config_have_default_alert_share() -> None:
    config = default_config()
    assert config.alert_share("warranty") == pytest.approx(0.40)


@pytest.mark.parametrize(
    "text",
    [
        "[targets]\nservice_level_seconds = inf\n",
        "[targets]\ntalk_seconds = nan\n",
        "agent_cost_per_hour = inf\n",
        "agent_cost_per_hour = -nan\n",
    ],
)
def test_an_infinite_or_not_a_number_value_is_refused(tmp_path: Path, text: str) -> None:
    """TOML has inf and nan; no target or cost can be either (the report would print "€ inf"
    or fail on it), so the config check refuses them with the key's name."""
    path = tmp_path / "carewatch.toml"
    path.write_text(text, encoding="utf-8")
    key = text.split("=")[0].split("\n")[-1].strip()
    with pytest.raises(ConfigError, match=f"{key}: Input should be a finite number"):
        load_config(str(path))


@pytest.mark.parametrize("name", ["untagged", " Untagged "])
def test_a_category_cannot_take_the_name_of_the_calls_without_one(name: str) -> None:
    """The figures keep the talk and cost of the calls with no category under "untagged": a
    category of that name would be counted into it (and its own figures lost)."""
    with pytest.raises(ConfigError) as info:
        parse_config({"categories": [{"name": name}]}, "c.toml")
    assert "is the name the figures give the calls without a category" in str(info.value)
