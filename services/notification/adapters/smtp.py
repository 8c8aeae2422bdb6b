"""Sends email over one SMTP connection reused across messages, and says whether a failure may pass."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage


class PermanentDeliveryFailure(Exception):
    """The server refused this message for good (5xx): retrying will not help."""


class TransientDeliveryFailure(Exception):
    """The server is unreachable or asked us to try later (4xx)."""


class SmtpMailer:
    def __init__(self, host: str, port: int, *, timeout: float, starttls: bool = False,
                 username: str = "", password: str = ""):
        self._host, self._port, self._timeout = host, port, timeout
        self._starttls, self._username, self._password = starttls, username, password
        self._connection: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self._send_reconnecting_once(message)
        except smtplib.SMTPRecipientsRefused as error:
            self._raise_for_codes({code for code, _ in error.recipients.values()}, error)
        except smtplib.SMTPResponseException as error:
            self._raise_for_codes({error.smtp_code}, error)
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TransientDeliveryFailure(f"{type(error).__name__}: {error}") from error
        if refused:  # some recipients refused, others took it: we send to one recipient at a time
            self._raise_for_codes({code for code, _ in refused.values()}, refused)

    def _send_reconnecting_once(self, message: EmailMessage) -> dict:
        """A reused connection the server has since closed gets one fresh connection."""
        if self._connection is not None:
            try:
                return self._connection.send_message(message)
            except smtplib.SMTPServerDisconnected:
                self.close()
        return self._connect().send_message(message)

    def _raise_for_codes(self, codes: set[int], error) -> None:
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentDeliveryFailure(str(error))
        self.close()
        raise TransientDeliveryFailure(str(error))

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


def compose(*, sender: str, recipient: str, subject: str, text: str, html: str, email_id: str,
            correlation_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    # Stable per queued email: if a crash makes us send it twice, mail clients can tell.
    message["Message-ID"] = f"<{email_id}@defencepartnershipdays.in>"
    message["X-DPD-Email-ID"] = email_id
    message["X-Correlation-ID"] = correlation_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
