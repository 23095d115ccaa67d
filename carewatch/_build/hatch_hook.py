"""The hatchling build hook that compiles the translations into the wheel.

Every ``carewatch/locale/<lang>/LC_MESSAGES/*.po`` is compiled with Babel to a ``.mo`` beside
it in the wheel (``carewatch/locale/<lang>/LC_MESSAGES/carewatch.mo``), so an installed
carewatch reads compiled catalogs. The ``.mo`` files are written to a temporary folder and
force-included: they are never written into the source tree (where they are git-ignored).
An editable install skips this: :mod:`carewatch.i18n` reads the ``.po`` itself.

pyproject.toml names this file (``[tool.hatch.build.targets.wheel.hooks.custom]``) and keeps
the ``carewatch/_build`` folder out of the wheel; Babel is a build requirement.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(locale_dir: Path, out_dir: Path) -> dict[str, str]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``locale_dir`` into ``out_dir``;
    returns {compiled file: its path in the wheel, under ``carewatch/locale``}."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = {}
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        relative = po.relative_to(locale_dir).with_suffix(".mo")
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source, locale=relative.parts[0])
        with target.open("wb") as handle:
            write_mo(handle, catalog)
        compiled[str(target)] = f"carewatch/locale/{relative.as_posix()}"
    return compiled


class CatalogBuildHook(BuildHookInterface):
    """Compiles the gettext catalogs into the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        self._out = Path(tempfile.mkdtemp(prefix="carewatch-mo-"))
        locale_dir = Path(self.root) / "carewatch" / "locale"
        build_data["force_include"].update(compile_catalogs(locale_dir, self._out))

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
