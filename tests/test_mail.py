"""``carewatch report --mail-to``: the report arrives at an SMTP server the test starts on
loopback (aiosmtpd), as HTML with the text as its plain alternative."""

from __future__ import annotations

import email
import socket
import time
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from carewatch.cli import main
from carewatch.config import Mail, parse_config
from carewatch.mail import MailError, report_message, send
from carewatch.records import CallUpdate
from carewatch.report import build_report, render
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
DAY = date(2024, 5, 14)


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)  # type: ignore[attr-defined]
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[attr-defined]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cw.db")
    start = datetime(2024, 5, 14, 9, tzinfo=TZ).timestamp()
    with Store(path) as store:
        store.ingest(
            "log",
            [
                (
                    1,
                    CallUpdate(
                        "c1",
                        {
                            "started_at": start,
                            "answered_at": start + 10,
                            "ended_at": start + 110,
                            "agent": "desk-1",
                            "category": "shipping",
                            "note": "<b>bold</b> & co",
                        },
                    ),
                )
            ],
        )
    return path


def config_file(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "carewatch.toml"
    path.write_text(
        f'timezone = "Europe/Rome"\n[mail]\nhost = "127.0.0.1"\nport = {port}\n'
        'sender = "reports@centre.example"\n',
        encoding="utf-8",
    )
    return path


def test_the_report_arrives_as_html_with_the_text_as_alternative(
    smtp: tuple[Inbox, int], db: str, tmp_path: Path
) -> None:
    inbox, port = smtp
    config = parse_config({"timezone": "Europe/Rome", "mail": {"host": "127.0.0.1", "port": port}})
    with Store(db) as store:
        report = build_report(
            store, config, DAY, now=datetime(2024, 5, 15, 8, tzinfo=TZ).timestamp()
        )
    send(report_message(report, "reports@centre.example", ["boss@centre.example"]), config.mail)
    ((sender, recipients, message),) = inbox.received
    assert (sender, recipients) == ("reports@centre.example", ["boss@centre.example"])
    assert message["Subject"] == "carewatch: End-of-day summary — Tuesday 14 May 2024"
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    # the lines as rendered (SMTP carries them with CRLF line ends)
    assert text_part.get_content().replace("\r\n", "\n") == render(report, "text")
    assert html_part.get_content().replace("\r\n", "\n") == render(report, "html")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html_part.get_content()


def test_mail_to_from_the_command_line(
    smtp: tuple[Inbox, int], db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, port = smtp
    args = [
        "report",
        "--date",
        "2024-05-14",
        "--db",
        db,
        "--config",
        str(config_file(tmp_path, port)),
    ]
    assert main([*args, "--mail-to", "a@centre.example", "--mail-to", "b@centre.example"]) == 0
    out, err = capsys.readouterr()
    assert out == ""  # sent, not printed
    assert err == "report for 2024-05-14 sent to a@centre.example, b@centre.example\n"
    ((_, recipients, message),) = inbox.received
    assert recipients == ["a@centre.example", "b@centre.example"]
    assert message["To"] == "a@centre.example, b@centre.example"
    assert "CAREWATCH · END-OF-DAY SUMMARY" in message.get_body(("plain",)).get_content()


def test_a_server_that_does_not_answer_is_one_line_and_exit_1(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nobody listens there
    args = ["report", "--db", db, "--config", str(config_file(tmp_path, port))]
    with pytest.raises(SystemExit) as info:
        main([*args, "--mail-to", "a@centre.example"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"carewatch: report not sent: cannot send through 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("address", ["not an address", "manager@", "x@@centre.example"])
def test_something_that_is_no_address_is_a_usage_error_before_anything_is_sent(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str
) -> None:
    port = free_port()  # nothing is tried: nobody listens there anyway
    args = ["report", "--db", db, "--config", str(config_file(tmp_path, port))]
    with pytest.raises(SystemExit) as info:
        main([*args, "--mail-to", "a@centre.example", "--mail-to", address])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "expected an e-mail address such as manager@example.com, not " in err
    assert "not sent" not in err


def test_a_login_without_a_password_in_the_environment_is_refused(
    smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = smtp
    monkeypatch.delenv("CW_TEST_PASSWORD", raising=False)
    mail = Mail(host="127.0.0.1", port=port, username="reports", password_env="CW_TEST_PASSWORD")
    with pytest.raises(MailError, match=r"\$CW_TEST_PASSWORD holds no password"):
        send(EmailMessage(), mail)


class Picky(Inbox):
    """An inbox whose server refuses every address at ``gone.example``."""

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, options: object
    ) -> str:
        if address.endswith("@gone.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"


def test_an_address_refused_is_named_and_the_others_have_the_report(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, port = Picky(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        args = ["report", "--date", "2024-05-14", "--db", db]
        args += ["--config", str(config_file(tmp_path, port))]
        with pytest.raises(SystemExit) as info:
            main([*args, "--mail-to", "old@gone.example", "--mail-to", "Boss <b@centre.example>"])
    finally:
        controller.stop()
    assert info.value.code == 1  # not every address has it: cron says so
    ((_, recipients, _message),) = inbox.received
    assert recipients == ["b@centre.example"]
    assert capsys.readouterr().err == (
        "report for 2024-05-14 sent to Boss <b@centre.example>\n"
        "carewatch: report not sent to old@gone.example: 127.0.0.1:"
        f"{port} refused old@gone.example\n"
    )


def test_the_file_asked_for_is_written_when_the_mail_cannot_go(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nobody listens there
    out = tmp_path / "evening.html"
    args = ["report", "--date", "2024-05-14", "--db", db, "--format", "html"]
    args += ["--config", str(config_file(tmp_path, port)), "--output", str(out)]
    with pytest.raises(SystemExit) as info:
        main([*args, "--mail-to", "a@centre.example"])
    assert info.value.code == 1
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"report for 2024-05-14 written to {out}"
    assert err[1].startswith(f"carewatch: report not sent: cannot send through 127.0.0.1:{port}")
    assert len(err) == 2


def test_the_mail_is_dated_in_the_centres_zone_not_the_machines(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine in Tokyo, the centre in Rome: the Date header is the centre's time, as the
    report's own "printed" line."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        config = parse_config({"timezone": "Europe/Rome"})
        with Store(db) as store:
            report = build_report(
                store, config, DAY, now=datetime(2024, 5, 15, 8, tzinfo=TZ).timestamp()
            )
        message = report_message(report, "reports@centre.example", ["boss@centre.example"])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert message["Date"] == "Wed, 15 May 2024 08:00:00 +0200"
