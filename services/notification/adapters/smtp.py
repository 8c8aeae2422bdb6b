"""The email channel: messages built as MIME and sent over one SMTP connection reused across
messages, with each failure classified as permanent, transient or the server being down.

The MIME text is written here directly: the `email` package's classes parse, refold and
re-encode every header on the way (its header registry cost more than half the CPU of an
email, bench/notification_profile.py), while our messages have one fixed shape. Every body
part is base64 UTF-8 (76-character lines, so no line limit or character set can bite and
no boundary can occur inside a part); a header that is not ASCII is RFC 2047-encoded; line
ends are CRLF, as SMTP wants them.
"""
from __future__ import annotations

import smtplib
import ssl
from base64 import encodebytes
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from services.notification.adapters.channels import (
    Channel, ChannelUnavailable, OutboundMessage, PermanentDeliveryFailure, TransientDeliveryFailure)

MESSAGE_ID_DOMAIN = "defencepartnershipdays.in"


class SmtpMailer:
    def __init__(self, host: str, port: int, *, timeout: float, starttls: bool = False,
                 username: str = "", password: str = ""):
        self._host, self._port, self._timeout = host, port, timeout
        self._starttls, self._username, self._password = starttls, username, password
        self._connection: smtplib.SMTP | None = None

    def send(self, sender: str, recipient: str, message: bytes) -> None:
        options = () if recipient.isascii() else ("SMTPUTF8",)
        try:
            refused = self._send_reconnecting_once(sender, recipient, message, options)
        except smtplib.SMTPRecipientsRefused as error:
            self._raise_for_replies(list(error.recipients.values()))
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
            self.close()
            raise ChannelUnavailable(f"{type(error).__name__}: {error}") from error
        except smtplib.SMTPResponseException as error:
            self._raise_for_replies([(error.smtp_code, error.smtp_error)])
        except smtplib.SMTPException as error:
            self.close()
            raise TransientDeliveryFailure(f"{type(error).__name__}: {error}") from error
        if refused:  # we send to one recipient at a time, so this is that one
            self._raise_for_replies(list(refused.values()))

    def _send_reconnecting_once(self, sender: str, recipient: str, message: bytes, options) -> dict:
        """A reused connection the server has since closed gets one fresh connection."""
        if self._connection is not None:
            try:
                return self._connection.sendmail(sender, [recipient], message, mail_options=options)
            except smtplib.SMTPServerDisconnected:
                self.close()
        return self._connect().sendmail(sender, [recipient], message, mail_options=options)

    def _raise_for_replies(self, replies: list[tuple[int, bytes | str]]) -> None:
        """5xx replies are final; anything else may pass. The error reads as the server said it."""
        said = "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                         for code, text in replies)
        if replies and all(500 <= code < 600 for code, _ in replies):
            raise PermanentDeliveryFailure(said)
        self.close()
        raise TransientDeliveryFailure(said)

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        if self._starttls:
            connection.starttls(context=ssl.create_default_context())
        if self._username:
            connection.login(self._username, self._password)
        self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._connection = None


def _header(value: str) -> str:
    """A header value on one line (nothing a template or an organiser typed can add a header), encoded if not ASCII."""
    value = " ".join(value.split())
    return value if value.isascii() else Header(value, "utf-8").encode()


def from_header(sender: str) -> str:
    """The From header of "Name <address>", its name RFC 2047-encoded if it is not ASCII."""
    name, address = parseaddr(sender)
    return formataddr((name, address), charset="utf-8") if name else address


def _part(content_type: str, content: str, *extra_headers: str) -> str:
    body = encodebytes(content.encode()).decode("ascii").replace("\n", "\r\n")
    return "\r\n".join([f"Content-Type: {content_type}", "Content-Transfer-Encoding: base64", *extra_headers,
                         "", body])


def _multipart(subtype: str, boundary: str, parts: list[str]) -> str:
    """A multipart entity: its Content-Type header line, a blank line, and its parts."""
    delimited = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n{delimited}--{boundary}--\r\n'


def compose(message: OutboundMessage, *, from_header: str) -> bytes:
    """The email as sent: text and HTML alternatives, and for a meeting the calendar invite both
    as a `text/calendar; method=...` alternative (what calendar clients act on) and as an
    attached invite.ics (for the rest)."""
    # "=_" cannot occur in base64, so no part can contain a boundary line.
    alternatives = [_part('text/plain; charset="utf-8"', message.text),
                    _part('text/html; charset="utf-8"', message.html)]
    if message.calendar_ics is None:
        body = _multipart("alternative", f"=_alt_{message.id}", alternatives)
    else:
        alternatives.append(_part(f'text/calendar; charset="utf-8"; method={message.calendar_method}',
                                  message.calendar_ics))
        attachment = _part('application/ics; name="invite.ics"', message.calendar_ics,
                           'Content-Disposition: attachment; filename="invite.ics"')
        body = _multipart("mixed", f"=_mixed_{message.id}",
                          [_multipart("alternative", f"=_alt_{message.id}", alternatives).rstrip("\r\n"), attachment])
    headers = [
        f"From: {from_header}",
        f"To: {' '.join(message.recipient_address.split())}",  # raw: a UTF-8 address goes out with SMTPUTF8
        f"Subject: {_header(message.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        # Stable per queued email: if a crash makes us send it twice, mail clients can tell.
        f"Message-ID: <{message.id}@{MESSAGE_ID_DOMAIN}>",
        f"X-DPD-Email-ID: {message.id}",
        f"X-Correlation-ID: {_header(message.correlation_id)}",
        "MIME-Version: 1.0",
    ]
    return ("\r\n".join(headers) + "\r\n" + body).encode()


class EmailChannel(Channel):
    name = "email"

    def __init__(self, mailer: SmtpMailer, sender: str):
        self._mailer = mailer
        self._from_header = from_header(sender)
        self._envelope_sender = parseaddr(sender)[1]

    def send(self, message: OutboundMessage) -> None:
        self._mailer.send(self._envelope_sender, message.recipient_address,
                          compose(message, from_header=self._from_header))

    def close(self) -> None:
        self._mailer.close()
