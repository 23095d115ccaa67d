"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder,
reached through a unix socket in that folder (nothing listens on the network).

initdb refuses to run as root: as root, the server runs as the ``postgres`` user (which
Debian's ``postgresql`` package creates), with its folder given to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

INSTALL_HINT = (
    "the PostgreSQL tests need a local PostgreSQL server's programs (initdb, pg_ctl): "
    "on Debian/Ubuntu run 'apt-get install postgresql' (.ci/run does), or put a PostgreSQL "
    "bin folder on PATH; and the driver: pip install -e '.[test]'"
)
USER = "carewatch"


class PostgresUnavailable(Exception):
    """No PostgreSQL can be started here; ``str()`` says what to install."""


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise PostgresUnavailable(f"{name} not found: {INSTALL_HINT}")


class PostgresServer:
    """One server in its own folder; :meth:`stop` ends it and removes the folder."""

    def __init__(self) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise PostgresUnavailable(f"psycopg is not installed: {INSTALL_HINT}") from None
        initdb, self._pg_ctl = _bin("initdb"), _bin("pg_ctl")
        self._prefix: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="cw-pg-"))
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root and there is no 'postgres' user to run the server: "
                    f"{INSTALL_HINT}"
                ) from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._prefix = ["runuser", "-u", "postgres", "--"]
        self.data = self.folder / "data"
        self.socket_dir = str(self.folder)
        self._run(
            [
                initdb,
                "-D",
                str(self.data),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]
        )
        self.start()
        self._schemas = 0

    def start(self) -> None:
        """Start the server (again, after :meth:`halt`)."""
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            [
                self._pg_ctl,
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "server.log"),
                "-o",
                options,
            ]
        )

    def halt(self) -> None:
        """Stop the server, keeping its data (the database is gone until :meth:`start`): a
        fast shutdown, which ends every connection and writes what was committed."""
        self._run([self._pg_ctl, "stop", "-D", str(self.data), "-m", "fast", "-w"])

    def _run(self, args: Sequence[str]) -> None:
        result = subprocess.run(
            [*self._prefix, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}\n{tail}"
            )

    def url(self, schema: str | None = None) -> str:
        """A ``postgresql://`` URL of the server's ``postgres`` database (in ``schema``)."""
        url = f"postgresql://{USER}@/postgres?host={self.socket_dir}"
        if schema:
            url += f"&options=-csearch_path%3D{schema}"
        return url

    def new_schema(self) -> str:
        """A URL whose tables live in a schema of their own (a fresh, empty database as far
        as carewatch can tell)."""
        import psycopg

        self._schemas += 1
        name = f"t{self._schemas}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            conn.execute(f"CREATE SCHEMA {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([self._pg_ctl, "stop", "-D", str(self.data), "-m", "immediate", "-w"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
