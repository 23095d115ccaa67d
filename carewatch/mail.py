"""Sending a report by e-mail (``carewatch report … --mail-to ADDR``): the HTML page with
the text as its plain alternative, through the SMTP server of the config's ``[mail]``.

Standard library only (:mod:`smtplib`, :mod:`email`). A failure is a :class:`MailError`
whose text is one line for the user.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from carewatch.config import Mail
from carewatch.i18n import _
from carewatch.report import Report, render
from carewatch.report.rows import period_title, summary_title


class MailError(Exception):
    """The report could not be sent; ``str()`` is one line for the user."""


class PartlySent(MailError):
    """The server took the report for some recipients and refused ``refused`` (their bare
    addresses); ``str()`` says so in one line."""

    def __init__(self, text: str, refused: Sequence[str]) -> None:
        super().__init__(text)
        self.refused = tuple(refused)


def report_message(report: Report, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """The report as an e-mail: text first (what a plain client shows), HTML as the
    alternative a modern client shows."""
    message = EmailMessage()
    message["Subject"] = _("carewatch: {title} — {period}").format(
        title=summary_title(report), period=period_title(report.period)
    )
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    # the centre's time, as the report's own "printed" line
    message["Date"] = format_datetime(datetime.fromtimestamp(report.generated_at, report.tz))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(render(report, "text"))
    message.add_alternative(render(report, "html"), subtype="html")
    return message


def send(message: EmailMessage, mail: Mail) -> None:
    """Send ``message`` through ``mail``'s server (STARTTLS or TLS and a login when the
    config asks for them). Raises :class:`MailError`."""
    where = f"{mail.host}:{mail.port}"
    try:
        if mail.ssl:
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                mail.host,
                mail.port,
                timeout=mail.timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            server = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds)
        with server:
            if mail.starttls and not mail.ssl:
                server.starttls(context=ssl.create_default_context())
            if mail.username:
                password = os.environ.get(mail.password_env)
                if password is None:
                    raise MailError(
                        f"mail.username is set but ${mail.password_env} holds no password"
                    )
                server.login(mail.username, password)
            refused = server.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"{where} refused every recipient: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise MailError(f"{where} said {exc.smtp_code} {' '.join(text.split())}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"cannot send through {where}: {exc}") from None
    if refused:
        raise PartlySent(f"{where} refused {', '.join(sorted(refused))}", sorted(refused))
