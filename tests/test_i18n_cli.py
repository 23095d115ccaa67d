"""The command line in Italian: choosing the language (--lang, [ui] language, the locale), the
help and argparse's own words, the messages, and a pseudo-language that finds a help string
left out of the catalog. (tests/conftest.py sets English again after each test.)"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from carewatch import i18n
from carewatch.cli import build_parser, main
from carewatch.cli.language import speak_argparse
from carewatch.ingest.summary import IngestSummary
from tests.i18n_pseudo import use_pseudo


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def _config(tmp_path: Path, language: str) -> Path:
    path = tmp_path / f"{language}.toml"
    path.write_text(f'[ui]\nlanguage = "{language}"\n', encoding="utf-8")
    return path


def test_lang_it_speaks_italian_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys, "--lang", "it")
    assert out.startswith("utilizzo: carewatch")
    assert "\nopzioni:\n" in out and "argomenti posizionali" in out
    assert "mostra questo messaggio di aiuto ed esce" in out
    # the command list's helps
    assert "importa i log delle chiamate nel database" in out
    assert "etichetta una chiamata da uno script" in out
    assert "usage:" not in out and "options:" not in out


def test_lang_after_the_command_speaks_italian_too(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys, "report", "--lang", "it")
    assert out.startswith("utilizzo: carewatch report")
    assert "il periodo (uno solo di questi; predefinito: oggi)" in out
    assert "solo le chiamate di questo operatore" in out


def test_english_is_unchanged_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys)
    assert out.startswith("usage: carewatch")
    assert "read call logs into the database" in out
    assert i18n.language() == "en"


def test_the_config_ui_language_speaks_italian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = _help(capsys, "--config", str(_config(tmp_path, "it")), "tag")
    assert out.startswith("utilizzo: carewatch tag")
    assert "chi etichetta (predefinito: il nome di accesso)" in out


def test_the_user_config_file_is_read_before_parsing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "carewatch").mkdir(parents=True)
    _config(tmp_path, "it").rename(xdg / "carewatch" / "carewatch.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert _help(capsys).startswith("utilizzo: carewatch")


def test_lang_environment_speaks_italian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    out = _help(capsys)
    assert out.startswith("utilizzo: carewatch")
    assert "la schermata in tempo reale (il comando predefinito)" in out


def test_flag_beats_config_beats_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    english = str(_config(tmp_path, "en"))
    assert _help(capsys, "--config", english).startswith("usage: carewatch")
    italian = str(_config(tmp_path, "it"))
    assert _help(capsys, "--lang", "en", "--config", italian).startswith("usage: carewatch")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert _help(capsys, "--config", italian).startswith("utilizzo: carewatch")


def test_an_unknown_language_is_one_line_listing_the_languages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "xx", "report"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err == "carewatch: --lang: expected one of en, it, not 'xx'\n"


def test_an_error_in_italian_is_one_italian_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "it", "report", "--db", str(missing)])
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err == (
        f"carewatch: il database {missing} non esiste (indicare --db, oppure importare "
        "i log delle chiamate con carewatch ingest)\n"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            '[targets]\ntalk_seconds = "two minutes"\n',
            "targets.talk_seconds: serve un numero valido: il testo non si legge come numero",
        ),
        ("[targets]\ntalk_seconds = -5\n", "targets.talk_seconds: serve un valore maggiore di 0"),
        ("nope = 1\n", "nope: chiave sconosciuta (le chiavi sono in config/carewatch.toml"),
        ('[[categories]]\nname = ""\n', "categories[0].name: serve un testo di almeno 1 carattere"),
        (
            '[[sources]]\npath = "/x"\nname = "' + "a" * 201 + '"\n',
            "sources[0].name: serve un testo di al massimo 200 caratteri",
        ),
        # carewatch's own checks of the config
        (
            'timezone = "Europe/Roma"\n',
            "timezone: un fuso orario IANA come 'Europe/Rome', non 'Europe/Roma'",
        ),
        (
            '[[categories]]\nname = "billing"\nkey = "q"\n',
            "categories[0].key: 'q' è riservato a «esci» sullo schermo",
        ),
        (
            "[targets]\ntalk_seconds = 300\ntalk_amber_seconds = 200\n",
            "targets: talk_amber_seconds (200) è sotto talk_seconds (300): la fascia ambra",
        ),
    ],
)
def test_a_config_error_in_italian_is_italian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, said: str
) -> None:
    """The validator's common errors (a type, a bound, an unknown key) in the user's
    language; the English stays pydantic's own words."""
    conf = tmp_path / "c.toml"
    conf.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "it", "config", "check", str(conf)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"carewatch: {conf}: {said}") and err.count("\n") == 1


def test_argparse_errors_are_italian(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "it", "report", "--format", "xx"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "carewatch report: errore: argomento --format: scelta non valida: 'xx'" in err


def test_tag_messages_are_italian(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "it", "tag", "c1", "--db", str(tmp_path / "t.db")])
    assert stop.value.code == 2
    assert capsys.readouterr().err == (
        "carewatch: niente da etichettare: indicare --category, --subcategory, --outcome, "
        "--resolved o --note\n"
    )


def test_ingest_summary_in_italian_counts_its_nouns() -> None:
    summary = IngestSummary(added=1, updated=3, skipped_by_reason={"malformed": 2})
    summary.last_skipped.append(("/logs/queue_log", 1234, "malformed"))
    english = "1 call added, 3 updated, 2 lines skipped (2 malformed; last: queue_log line 1234)"
    assert summary.summary_line() == english
    i18n.set_language("it")
    assert summary.summary_line() == (
        "1 chiamata aggiunta, 3 aggiornate, 2 righe scartate (2 malformed; ultima: queue_log "
        "riga 1234)"
    )


def test_counts_in_italian_messages_use_the_italian_thousands_separator() -> None:
    summary = IngestSummary(added=12_345, updated=1_234)
    assert summary.summary_line().startswith("12,345 calls added, 1,234 updated")
    i18n.set_language("it")
    assert summary.summary_line().startswith("12.345 chiamate aggiunte, 1.234 aggiornate")


def test_callers_to_call_back_in_italian_keep_whole_headings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log, db = tmp_path / "queue_log", str(tmp_path / "c.db")
    start = "2026-11-16"
    assert main(["simulate", "--out", str(log), "--days", "5", "--start", start]) == 0
    assert main(["ingest", str(log), "--db", db]) == 0
    capsys.readouterr()
    assert main(["--lang", "it", "callbacks", "--db", db, "--date", "2026-11-18"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Chiamanti da richiamare — mercoledì 18 novembre 2026")
    headings = lines[1]
    for word in ("Ultima chiamata ", "Chiamante ", "Coda ", "Risultato ", "Ultima attesa "):
        assert word in headings  # whole, and apart from the next column
    assert "…" not in "\n".join(lines)  # no word cut: "abbandonata" fits its column


# -- the pseudo-language: a help string not in the catalog shows ------------------------------

#: What may stay lower case in a help page outside the catalog's words: option names,
#: choices and metavars, command names, file names, URLs, examples and defaults.
_ALLOWED = re.compile(
    r"--?[a-z][\w-]*"  # options
    r"|\{[^{}\s]*\}"  # choices {text,json}
    r"|\[[^\[\]\s]*\]"  # [FORMAT], [yes/no]
    r"|[\w.~/$-]*/[\w.~/$-]*"  # paths, URLs and yes/no
    r"|\b[\w-]+\.(?:toml|db|bashrc)\b"
)


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def _english_left(page: str, names: set[str]) -> list[str]:
    outside = re.sub(r"⟦.*?⟧", " ", page, flags=re.S)
    outside = _ALLOWED.sub(" ", outside)
    return [w for w in re.findall(r"\b[a-z][a-z']+\b", outside) if w not in names]


def _names(pages: list[argparse.ArgumentParser]) -> set[str]:
    """Command names and choices: words a help page shows as they are."""
    names = {"carewatch"}
    for page in pages:
        names.update(page.prog.split())
        for action in page._actions:
            if action.choices is not None:
                names.update(str(choice) for choice in action.choices)
    return names


def test_every_help_page_goes_through_the_catalog() -> None:
    use_pseudo()
    speak_argparse("it")
    pages = list(_parsers(build_parser()))
    assert len(pages) > 15  # carewatch, each command, config's and db's actions
    names = _names(pages)
    problems = []
    for page in pages:
        text = page.format_help()
        left = _english_left(text, names)
        if left:
            problems.append(f"{page.prog}: {sorted(set(left))}")
    assert not problems, "\n".join(problems)


def test_the_pseudo_check_catches_a_help_left_in_english() -> None:
    use_pseudo()
    speak_argparse("it")
    parser = build_parser()
    parser.add_argument("--extra", help="a help nobody translated")
    names = _names(list(_parsers(parser)))
    assert _english_left(parser.format_help(), names) == [
        "help",
        "nobody",
        "translated",
    ]


def test_simulate_and_ingest_report_in_italian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log, db = tmp_path / "queue_log", str(tmp_path / "c.db")
    assert main(["--lang", "it", "simulate", "--out", str(log), "--days", "2"]) == 0
    written = capsys.readouterr().out
    assert re.fullmatch(rf"[\d,]+ chiamate in 2 giorni scritte in {re.escape(str(log))}\n", written)
    assert main(["--lang", "it", "ingest", str(log), "--db", db]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"[\d,]+ chiamate aggiunte, 0 aggiornate, .*0 righe scartate\n", out)
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "it", "ingest", str(tmp_path / "nope"), "--db", db])
    assert stop.value.code == 1
    assert (
        capsys.readouterr().err
        == f"carewatch: {tmp_path / 'nope'}: il file o la cartella non esiste\n"
    )


def test_an_abbreviated_lang_is_read_as_argparse_reads_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _help(capsys, "tag", "--la", "it").startswith("utilizzo: carewatch tag")
    assert _help(capsys, "--lan=it").startswith("utilizzo: carewatch")
    assert _help(capsys, "--lang=en").startswith("usage: carewatch")
