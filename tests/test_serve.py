"""``carewatch serve`` in a real browser: headless Chromium loads the page from a server on
127.0.0.1, the live screen arrives over the websocket, a key typed in the page changes the
screen, and the page asks nothing of any other address (no web font from a CDN)."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from carewatch.cli.serve import TEMPLATES, monitor_command
from carewatch.records import CallUpdate
from carewatch.store import Store
from tests.browser import Browser, chromium_path

ROOT = Path(__file__).resolve().parent.parent
#: Starting Chromium, then a screen per browser tab, on a busy two-core machine.
DEADLINE = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """``carewatch serve`` on a free port of 127.0.0.1, over a database with two calls."""
    db = tmp_path / "served.db"
    now = time.time()
    with Store(str(db)) as store:
        calls = [
            CallUpdate(
                f"call-{n}",
                {
                    "started_at": now - 600 + 60 * n,
                    "answered_at": now - 590 + 60 * n,
                    "ended_at": now - 500 + 60 * n,
                    "queue": "support",
                    "agent": "op-one",
                    "caller": "+39 333 000 0001",
                },
            )
            for n in range(2)
        ]
        store.ingest("test", list(enumerate(calls, 1)))
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CAREWATCH_STATE": str(tmp_path / "state.toml"),
    }
    env.pop("CAREWATCH_CONFIG", None)
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "carewatch", "serve", "--db", str(db)]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--operator", "op-one"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "carewatch serve did not start listening"
            time.sleep(0.2)
    try:
        yield port, tmp_path / "serve.log"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


async def wait_until(predicate: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_the_screen_in_a_browser(served: tuple[int, Path]) -> None:
    port, log = served
    browser = Browser(chromium_path())
    await browser.start()
    try:
        base = f"http://127.0.0.1:{port}"
        await browser.send("Page.navigate", url=f"{base}/")
        # the page loads and the screen arrives over the websocket
        await wait_until(lambda: b"carewatch" in browser.frames, "the live screen")
        await wait_until(lambda: b"op-one" in browser.frames, "the operator's calls")
        has_terminal = "document.querySelector('.xterm-helper-textarea') !== null"
        assert await browser.evaluate(has_terminal)
        assert await browser.evaluate("document.body.classList.contains('-first-byte')")
        # a key typed in the page changes the screen: w shows the last hour
        assert b"Last hour" not in browser.frames
        await browser.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await browser.press("w")
        await wait_until(lambda: b"Last hour" in browser.frames, "the last hour after w")
        # and b opens the wallboard
        await browser.press("b")
        await wait_until(lambda: b"QUEUE" in browser.frames, "the wallboard after b")
        # nothing but the server on 127.0.0.1 was asked for anything
        own = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/")
        outside = [u for u in browser.requests if not u.startswith((*own, "data:", "about:"))]
        assert browser.requests and outside == []
        assert any(u.endswith(".ttf") for u in browser.requests)  # the font, served locally
    finally:
        await browser.close()
    assert f"on http://127.0.0.1:{port}" in re.sub(r"\s+", " ", log.read_text())


def test_the_page_refers_to_no_other_site() -> None:
    page = (TEMPLATES / "app_index.html").read_text(encoding="utf-8")
    addresses = re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", page)
    addresses += re.findall(r"""url\(["']?([^"')]+)""", page)
    assert addresses
    assert all(a.startswith("{{") for a in addresses), addresses


def test_each_browser_tab_runs_the_monitor_with_the_same_options(tmp_path: Path) -> None:
    args = argparse.Namespace(
        config="cw.toml",
        db="sqlite:///x.db",
        operator="alice smith",
        watch=["/var/log/queue_log:queue_log"],
        wall=True,
    )
    command = monitor_command(args)
    assert command.startswith(f"{sys.executable} -m carewatch --config ")
    assert str(Path("cw.toml").resolve()) in command
    assert "--db sqlite:///x.db monitor --operator 'alice smith'" in command
    assert command.endswith("--watch /var/log/queue_log:queue_log --wall")


def test_each_browser_tab_speaks_the_language_serve_was_given() -> None:
    """``carewatch --lang it serve``: the served screens speak Italian too (the language is
    not left to the server's locale); without ``--lang`` nothing is added."""
    args = argparse.Namespace(
        config=None, db="cw.db", operator=None, watch=None, wall=False, lang="it"
    )
    assert "--lang it monitor" in monitor_command(args)
    del args.lang  # --lang not given (its default is to leave it out)
    assert "--lang" not in monitor_command(args)
