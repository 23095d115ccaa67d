"""The report in Italian: every format of the snapshots' week, the locale's dates, numbers and
money, and no English word left (the pseudo-language).

The Italian snapshots are ``tests/snapshots/report/week.it.*``, made as the English ones are
(same data, same clock: :func:`tests.test_report_snapshots.week_report`); rewrite them with

    CAREWATCH_UPDATE_SNAPSHOTS=1 pytest tests/test_report_italian.py

and read the difference before committing it. JSON is the machine's contract: the Italian
JSON is the English one, byte for byte.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from carewatch import i18n, present
from carewatch.kpi.definitions import KPIS, markdown_table
from carewatch.report import Report, render
from tests.i18n_pseudo import use_pseudo
from tests.test_report_snapshots import EXTENSIONS, SNAPSHOTS, week_report

ITALIAN = ("text", "markdown", "html", "csv")


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def italian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    # The insights are sentences written when the report is read: read it in Italian.
    i18n.set_language("it")
    try:
        yield week_report(tmp_path_factory.mktemp("it") / "cw.db")
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("fmt", ITALIAN)
def test_the_italian_format_is_exactly_the_snapshot(italian: Report, fmt: str) -> None:
    i18n.set_language("it")
    path = SNAPSHOTS / f"week.it.{EXTENSIONS[fmt]}"
    text = render(italian, fmt)
    if os.environ.get("CAREWATCH_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8")


def test_the_json_does_not_depend_on_the_language(italian: Report) -> None:
    i18n.set_language("it")
    english = (SNAPSHOTS / "week.json").read_bytes().decode("utf-8")
    assert render(italian, "json") == english


def test_the_html_page_says_it_is_italian(italian: Report) -> None:
    i18n.set_language("it")
    page = render(italian, "html")
    assert '<html lang="it">' in page
    assert "<title>Riepilogo settimanale — Settimana 20 del 2024 (13–19 mag 2024)</title>" in page


def test_the_csv_stays_machine_readable(italian: Report) -> None:
    # Only the label column speaks Italian: keys, numbers and dates are the English file's.
    i18n.set_language("it")
    english = (SNAPSHOTS / "week.csv").read_bytes().decode("utf-8").splitlines()
    italian_rows = render(italian, "csv").splitlines()
    assert len(english) == len(italian_rows)
    assert italian_rows[0] == english[0]
    for en_row, it_row in zip(csv.reader(english), csv.reader(italian_rows), strict=True):
        assert en_row[:3] == it_row[:3]
        assert en_row[4:] == it_row[4:]
    assert any(row.startswith("kpi,,offered,Chiamate ricevute,7,2,0,") for row in italian_rows)
    assert any(
        row.startswith("kpi,,abandon_rate,Tasso di abbandono,0.285714,") for row in italian_rows
    )
    assert italian_rows[2].startswith("report,,to,Al,2024-05-19,")


# -- the locale's formats ----------------------------------------------------------------------


def test_italian_dates() -> None:
    i18n.set_language("it")
    assert present.date_text(date(2026, 3, 30)) == "lunedì 30 marzo 2026"
    assert present.date_text(date(2024, 5, 14), "short_weekday") == "mar 14 mag"
    assert present.date_text(date(2024, 5, 1), "month_year") == "maggio 2024"
    assert present.date_text(datetime(2024, 5, 14, 9, 5), "day_month_time") == "14 mag 09:05"


def test_italian_numbers_money_and_percentages() -> None:
    i18n.set_language("it")
    assert present.count(1234) == "1.234"
    assert present.number(1234.5, 1) == "1.234,5"
    assert present.money(1234.5, "€") == "1.234,50 €"
    assert present.percent(0.325) == "32,5%"
    assert present.percent(0.6, trim=True) == "60%"
    assert present.kpi_value("csat_avg", 4.256) == "4,26"
    assert present.age(2 * 86400 + 4 * 3600) == "2 g 4 h"
    assert present.duration(3900) == "1 h 05 min"
    assert present.duration(7839 * 3600 + 240) == "7.839 h 04 min"  # a year's talk
    assert present.age(1234 * 86400) == "1.234 g"
    assert present.yes_no(True) == "sì"
    i18n.set_language("en")
    assert present.duration(7839 * 3600 + 240) == "7,839 h 04 min"
    assert present.age(1234 * 86400 + 3600) == "1,234 d 1 h"


def test_a_change_of_money_has_the_amounts_precision() -> None:
    """Italian shows the cents: a change of 28.07 € is "28,07 €", not 28 shown as "28,00 €";
    English shows whole units for both."""
    from carewatch.report.values import change

    i18n.set_language("it")
    assert change("talk_cost", 790.33, 818.40, "€") == ("▼ 28,07 €", -1)
    assert change("talk_cost", 790.33, 790.331, "€") == ("=", 0)
    i18n.set_language("en")
    assert change("talk_cost", 790.33, 818.40, "€") == ("▼ € 28", -1)
    assert change("talk_cost", 790.33, 790.6, "€") == ("=", 0)


def test_english_formats_are_unchanged() -> None:
    i18n.set_language("en")
    assert present.date_text(date(2026, 3, 30)) == "Monday 30 March 2026"
    assert present.date_text(date(2024, 5, 14), "short_weekday") == "Tue 14 May"
    assert present.money(1234.5, "€") == "€ 1,234"
    assert present.percent(0.325) == "32.5%"
    assert present.age(2 * 86400 + 4 * 3600) == "2 d 4 h"
    assert present.yes_no(True) == "yes"


def test_kpi_labels_are_translated_and_the_docs_table_stays_english() -> None:
    i18n.set_language("it")
    assert present.kpi_label("offered") == "Chiamate ricevute"
    assert present.kpi_label("service_level") == "Livello di servizio"
    table = markdown_table()
    assert all(f"| {d.label} |" in table for d in KPIS)
    assert "Chiamate ricevute" not in table


# -- nothing left in English -------------------------------------------------------------------

#: The fixture's data: operators, queues, categories, outcomes, a pause reason, a call id, and
#: the notes and the issue title (as Markdown escapes them too).
DATA_WORDS = {"anna", "bruno", "support", "sales", "shipping", "complaint", "information"}
DATA_WORDS |= {"sale", "lunch", "w4"}
DATA_PHRASES = (
    "asked for the tracking link",
    "parcel arrived | broken *twice*",
    "parcel arrived \\| broken \\*twice\\*",
    "Courier misses zone 4",
)
#: The units of a duration, the same in both languages.
UNITS = {"h", "min", "s", "g"}
#: A catalog string in the pseudo-language: to its ⟦…⟧ end, or to the "…" where a column cut it.
_BRACKETED = re.compile(r"⟦[^⟧\n…]*[⟧…]")


def _locale_words() -> set[str]:
    """The names of months and days the locale's dates are written with (Babel's Italian)."""
    from babel.dates import get_day_names, get_month_names

    names: set[str] = set()
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            names |= set(get_month_names(width, context, "it").values())
            names |= set(get_day_names(width, context, "it").values())
    return {name.lower() for name in names}


def _english_words(text: str) -> set[str]:
    outside = _BRACKETED.sub(" ", text)
    for phrase in DATA_PHRASES:
        outside = outside.replace(phrase, " ")
    words = {w for w in re.findall(r"(?<![\w.-])[^\W\d][\w']*", outside) if w[0].islower()}
    return words - DATA_WORDS - UNITS - _locale_words()


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_no_report_string_is_left_outside_the_catalog(tmp_path: Path, fmt: str) -> None:
    # In the pseudo-language every catalog string shouts inside ⟦…⟧: a lower-case word left
    # outside is a string the catalog does not have (or data, listed above).
    use_pseudo()
    report = week_report(tmp_path / "cw.db")
    text = render(report, fmt)
    assert "⟦" in text
    assert _english_words(text) == set()


def test_english_formatting_does_not_import_babel() -> None:
    # Babel is for the other languages only: the CLI's start-up in English stays light.
    code = (
        "import sys\n"
        "from datetime import date\n"
        "import carewatch.report, carewatch.kpi.insights\n"
        "from carewatch import present\n"
        "present.date_text(date(2026, 3, 30)); present.money(1234.5, '€'); present.count(3)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "LANG": "C", "LC_ALL": "C"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"
