"""Shared test settings: no inherited carewatch environment, no config of the machine or of
the developer, no colour settings; and the two databases (SQLite, and a real PostgreSQL started
for the session) that the store, ingest, tag and report tests run against."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from carewatch import i18n
from carewatch.cli.language import speak_argparse
from carewatch.store import Store
from tests.pgserver import PostgresServer, PostgresUnavailable

if TYPE_CHECKING:
    import psycopg

#: The databases a ``database`` test runs against.
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Tests never read the developer's CAREWATCH_CONFIG / CAREWATCH_DB, the real
    /etc/carewatch or ~/.config/carewatch, nor NO_COLOR / FORCE_COLOR, nor the locale's
    language (carewatch speaks English unless a test asks for another language); the report's
    cache of finished days is the test's own."""
    for name in (
        "CAREWATCH_CONFIG",
        "CAREWATCH_DB",
        "NO_COLOR",
        "FORCE_COLOR",
        "LANGUAGE",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("CAREWATCH_SYSTEM_CONFIG_DIR", str(Path(home) / "etc-carewatch"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(Path(home) / "xdg-config"))
    monkeypatch.setenv("CAREWATCH_CACHE", str(Path(home) / "cache"))
    yield
    # a test that ran carewatch in another language (``main(["--lang", "it", …])``) leaves
    # the process speaking English again
    i18n.set_language("en")
    speak_argparse("en")


class Children(list[int]):
    """The pids of the child processes a test forked (``os.fork``, counted)."""

    def all_ended(self) -> bool:
        """Whether every one has ended and been reaped (none running, none a zombie)."""
        for pid in self:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            return False
        return True


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> Children:
    """The child processes forked during the test."""
    pids = Children()
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return pids


def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server (a unix socket in a temporary folder), stopped afterwards; where
    none can be started the test fails, saying what to install."""
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL unavailable: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the session's own."""
    yield from postgres_server()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """The URL of an empty PostgreSQL database (a schema of its own on the session's server)."""
    return postgres.new_schema()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind: an SQLite file's path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "cw.db")
    return str(request.getfixturevalue("pg_url"))


def one_call_db(path: str, source: str, call_id: str, started_at: float) -> str:
    """An SQLite database at ``path`` holding one call of ``source``, started then."""
    from carewatch.records import CallUpdate
    from carewatch.store import Store

    with Store(path) as store:
        store.ingest(source, [(1, CallUpdate(call_id, {"started_at": started_at}))])
    return path


@pytest.fixture
def call_c1_db(tmp_path: Path) -> str:
    """An SQLite database holding one call, c1 (source pbx), for the tag command's tests."""
    return one_call_db(str(tmp_path / "cw.db"), "pbx", "c1", 1_700_000_000.0)


@pytest.fixture
def clerk(postgres: PostgresServer) -> Iterator[tuple[str, list[psycopg.Connection[Any]]]]:
    """A URL for a role that may hold 2 connections at once (a carewatch database in a
    schema of its own), and both of its connections, held open: the server has no slot
    free for it (SQLSTATE 53300) until they are closed."""
    import psycopg

    role = f"clerk{os.getpid()}_{time.monotonic_ns()}"
    url = postgres.new_schema()
    Store(url).close()  # the tables, made by the owner
    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 2")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
    own = url.replace("postgresql://carewatch@", f"postgresql://{role}@")
    held = [psycopg.connect(own, autocommit=True) for _ in range(2)]
    try:
        yield own, held
    finally:
        for conn in held:
            conn.close()
