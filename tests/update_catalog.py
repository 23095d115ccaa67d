"""Regenerate the translations' template and bring the catalogs up to it:
``python tests/update_catalog.py`` (docs/translating.md).

It extracts every message the sources mark (``_``, ``N_``, ``ngettext``, ``pgettext``) into
``carewatch/locale/carewatch.pot``, as

    pybabel extract -k N_ -k ngettext:1,2 -k pgettext:1c,2 --no-location \\
        -o carewatch/locale/carewatch.pot carewatch

would, then updates each ``carewatch/locale/<lang>/LC_MESSAGES/carewatch.po`` from it, as
``pybabel update -i carewatch/locale/carewatch.pot -d carewatch/locale -D carewatch`` would:
new messages come in untranslated, messages no source marks any more are kept as obsolete
(``#~``) for the translator to delete. ``--template`` writes the template only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCALE = ROOT / "carewatch" / "locale"
TEMPLATE = LOCALE / "carewatch.pot"


def template() -> Catalog:
    """The catalog of every marked message (Babel's ``Catalog``), without translations."""
    from babel.messages.catalog import Catalog

    from carewatch import __version__
    from tests.i18n_pseudo import extracted

    catalog = Catalog(project="carewatch", version=__version__, charset="utf-8")
    for message, context, _where in extracted():
        catalog.add(message, None, context=context)
    return catalog


def main(argv: list[str]) -> None:
    from babel.messages.pofile import read_po, write_po

    pot = template()
    with TEMPLATE.open("wb") as handle:
        write_po(handle, pot, omit_header=False, no_location=True, width=100)
    print(f"wrote {TEMPLATE.relative_to(ROOT)} ({len(pot)} messages)")
    if "--template" in argv:
        return
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/carewatch.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        catalog.update(pot, no_fuzzy_matching=True)
        with po.open("wb") as handle:
            write_po(handle, catalog, no_location=True, width=100)
        print(f"updated {po.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
