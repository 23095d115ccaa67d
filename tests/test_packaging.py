"""What the wheel carries: the default and example configs where the installed package looks
for them, so ``carewatch config init --example NAME`` works outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP = (sys.executable, "-m", "pip")
QUIETLY = ("--quiet", "--no-deps")


def test_an_installed_layout_finds_the_shipped_configs(tmp_path: Path) -> None:
    """Lay the package out as pyproject.toml tells hatchling to build the wheel, and run it
    from another folder with nothing of the source tree around it."""
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"][
        "build"
    ]["targets"]["wheel"]
    site = tmp_path / "site"
    for package in wheel["packages"]:
        shutil.copytree(
            ROOT / package, site / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for source, target in wheel["force-include"].items():
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, site / target)
        else:
            (site / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, site / target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "CAREWATCH_SYSTEM_CONFIG_DIR": str(tmp_path / "etc"),
    }

    def carewatch(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "carewatch", *args],
            capture_output=True,
            text=True,
            cwd=elsewhere,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    where = carewatch("config", "show")
    assert "talk_seconds = 120.0  # built-in default" in where
    carewatch("config", "init", "--example", "anonymous-bank")
    written = (tmp_path / "xdg" / "carewatch" / "carewatch.toml").read_text(encoding="utf-8")
    assert 'name = "PS regular"' in written
    assert 'timezone = "Asia/Jerusalem"' in carewatch("config", "show")
    probe = "import carewatch.config.load as m; print(m.__file__)"
    module = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=elsewhere
    ).stdout.strip()
    assert module.startswith(str(site))


def test_the_wheel_carries_compiled_catalogs_and_speaks_italian(tmp_path: Path) -> None:
    """Build the wheel as pip does (the build hook compiles the translations), install it into
    a folder of its own and ask it for its help in Italian, from outside the source tree."""
    import zipfile

    built = subprocess.run(
        [*PIP, "wheel", *QUIETLY, "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("carewatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "carewatch/locale/it/LC_MESSAGES/carewatch.mo" in names
    # the sources of the translations and the build hook stay out of the wheel
    assert not [n for n in names if n.endswith(".po") or n.startswith("carewatch/_build/")]
    site = tmp_path / "site"
    installed = subprocess.run(
        [*PIP, "install", *QUIETLY, "--no-compile", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "carewatch", "--lang", "it", "--help"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("utilizzo: carewatch")
    assert "importa i log delle chiamate nel database" in result.stdout
    probe = "import carewatch.i18n as m; print(m.__file__)"
    module = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(site)},
    ).stdout.strip()
    assert module.startswith(str(site))
