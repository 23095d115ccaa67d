"""Shared test settings: a fixed time zone, no inherited carewatch environment, and the two
databases (SQLite, and a real PostgreSQL started for the session) that the store, ingest,
tag and report tests run against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgserver import PostgresServer, PostgresUnavailable

#: The databases a ``database`` test runs against.
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's CAREWATCH_CONFIG / CAREWATCH_DB."""
    monkeypatch.delenv("CAREWATCH_CONFIG", raising=False)
    monkeypatch.delenv("CAREWATCH_DB", raising=False)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the session's own (a unix socket in a temporary folder).

    Where none can be started the tests that need it fail, saying what to install.
    """
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL unavailable: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


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
