"""The language carewatch speaks: choosing it, loading the Italian catalog, English untouched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from carewatch import i18n
from tests.i18n_pseudo import extracted, italian_catalog, pseudo, use_pseudo


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("it_IT.UTF-8", "it"),
        ("it", "it"),
        ("it-CH", "it"),
        ("en_GB.UTF-8", "en"),
        ("C", "en"),
        ("POSIX", "en"),
        ("C.UTF-8", "en"),
        ("de_DE.UTF-8", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_locale_names(value: str | None, expected: str | None) -> None:
    assert i18n.normalise(value) == expected


def test_flag_beats_config_beats_environment() -> None:
    env = {"LANG": "it_IT.UTF-8"}
    assert i18n.choose_language("en", "it", env) == "en"
    assert i18n.choose_language(None, "en", env) == "en"
    assert i18n.choose_language(None, None, env) == "it"
    assert i18n.choose_language(None, None, {}) == "en"


def test_environment_order_is_gettexts() -> None:
    # LC_ALL wins over LANG; a C locale means English even when LANG says Italian.
    assert i18n.choose_language(None, None, {"LC_ALL": "C", "LANG": "it_IT.UTF-8"}) == "en"
    assert i18n.choose_language(None, None, {"LC_MESSAGES": "it_IT", "LANG": "en_US"}) == "it"
    # LANGUAGE lists preferences; an unknown one falls through to the next.
    assert i18n.choose_language(None, None, {"LANGUAGE": "de:it", "LANG": "en_US"}) == "it"
    # An unknown language set in LC_ALL does not fall through to LANG: gettext would not.
    assert i18n.choose_language(None, None, {"LC_ALL": "de_DE", "LANG": "it_IT"}) == "en"


def test_english_is_the_source_and_untouched() -> None:
    i18n.set_language("en")
    assert i18n._("no data") == "no data"
    assert i18n.ngettext("call", "calls", 2) == "calls"


def test_italian_catalog_is_read_from_the_source_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkout without compiled catalogs reads the .po itself.
    folder = tmp_path / "it" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = i18n.LOCALE_DIR / "it" / "LC_MESSAGES" / "carewatch.po"
    (folder / "carewatch.po").write_bytes(source.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n.set_language("it_IT.UTF-8") == "it"
    assert i18n.language() == "it"
    assert i18n._("Service level") == "Livello di servizio"
    assert i18n._("a string no catalog has") == "a string no catalog has"


def test_compiled_catalog_is_preferred_when_newer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    folder = tmp_path / "it" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="it")
    catalog.add("no data", "nessun dato (compilato)")
    with (folder / "carewatch.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.set_language("it")
    assert i18n._("no data") == "nessun dato (compilato)"


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^{}]*\}|%\([^)]*\)[sdif]|%[sdif]", text))


def test_every_marked_message_is_translated_in_the_italian_catalog() -> None:
    # The sources mark what a user reads with _(), N_(), ngettext(), pgettext(): each one
    # must have an Italian translation (not empty, not fuzzy) with the same placeholders.
    catalog = italian_catalog()
    problems = []
    for message, context, where in extracted():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key, context=context)
        if entry is None or entry.fuzzy:
            problems.append(f"{where}: not in the catalog: {key!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            problems.append(f"{where}: not translated: {key!r}")
            continue
        if any(_placeholders(s) != _placeholders(key) for s in strings):
            problems.append(f"{where}: placeholders differ: {key!r} -> {strings!r}")
    assert not problems, "\n".join(problems)


def test_the_pseudo_language_shows_an_untranslated_string() -> None:
    # The checker the screen, report and help tests use: a marked string shouts, a literal
    # string passed around the catalog stays lower case.
    use_pseudo()
    assert i18n._("a literal no source marks") == "a literal no source marks"
    for message, context, _where in extracted():
        if isinstance(message, str):
            shown = i18n.pgettext(context, message) if context else i18n._(message)
            assert shown == pseudo(message)
    assert pseudo("Offered {count} calls") == "⟦OFFERED {count} CALLS⟧"
