"""A real local SMTP server that keeps every message in a Maildir, where a person can read it.

`python -m shared.localinfra.smtp` runs it in the foreground for `up` (honcho);
tests start it as a subprocess through `SmtpSink` and read what arrived through
`Mailbox`. Delivery is per envelope recipient, as a real mail server does it:
each accepted recipient gets its own copy, with `X-Delivered-To: <recipient>`
and `Return-Path: <sender>` added on top, so Bcc recipients are visible too.
Read the folder with e.g. `mutt -f .run/mail`.
"""

from __future__ import annotations

import argparse
import logging
import mailbox
import re
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.localinfra import PROJECT_ROOT
from shared.localinfra.ports import free_port, wait_until
from shared.localinfra.process import Server, ServerProcess, run_until_signalled

__all__ = ["Mailbox", "MaildirHandler", "SmtpServer", "SmtpSink", "main"]

HOST = "127.0.0.1"
DATA_SIZE_LIMIT = 32 * 1024 * 1024
"""Largest message accepted (advertised in EHLO SIZE): room for attachments such as invoices."""


class MaildirHandler:
    """aiosmtpd handler: refuses some recipients at RCPT, stores one Maildir file per recipient.

    `reject_recipients` is a regular expression searched (case-insensitively)
    in each RCPT address; matches get `550 5.1.1 mailbox unavailable`, a
    permanent failure, while the message still goes to the other recipients.
    `mailbox.Maildir.add` writes into tmp/ and renames into new/, so readers
    never see half a message.
    """

    def __init__(self, maildir: Path, reject_recipients: str | None = None) -> None:
        # Maildir(create=True) makes tmp/, new/ and cur/ only when the folder itself is new.
        for part in ("tmp", "new", "cur"):
            (Path(maildir) / part).mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(maildir, create=False)
        self.reject = re.compile(reject_recipients, re.IGNORECASE) if reject_recipients else None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.reject is not None and self.reject.search(address):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # Maildir files use the local line ending, not SMTP's CRLF.
        content = envelope.original_content.replace(b"\r\n", b"\n")
        for recipient in envelope.rcpt_tos:
            trace = f"Return-Path: <{envelope.mail_from}>\nX-Delivered-To: {recipient}\n".encode()
            self.maildir.add(trace + content)
        return "250 OK: delivered to the local Maildir"


class SmtpServer(Server):
    """The SMTP server inside this process; aiosmtpd serves it from a background thread."""

    def __init__(self, maildir: Path, port: int, reject_recipients: str | None = None) -> None:
        self.maildir = Path(maildir).resolve()
        self.port = port
        self._controller = Controller(
            MaildirHandler(self.maildir, reject_recipients),
            hostname=HOST,
            port=port,
            server_hostname="localhost",  # the default, getfqdn(), can stall on DNS
            data_size_limit=DATA_SIZE_LIMIT,
            command_call_limit=None,  # no per-connection command budget: many messages per connection
            enable_SMTPUTF8=True,
        )
        self._running = False

    def start(self) -> None:
        self._controller.start()  # returns once the server answers its own test connection
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    def is_running(self) -> bool:
        return self._running


class Mailbox:
    """Read side of a Maildir written by the server: what tests assert on.

    A test run's mailbox fills with thousands of messages, so finding one
    recipient's mail reads only the trace header of each file (remembered by
    file name, as a delivered file never changes) and parses only what matches.
    """

    # How mailbox.Maildir names files: "<seconds>.M<microseconds>P<pid>Q<counter>.<host>".
    _UNIQUE_NAME = re.compile(r"(\d+)\.M(\d+)P\d+Q(\d+)\.")
    _DELIVERED_TO = re.compile(rb"^X-Delivered-To: *(.*?) *$", re.MULTILINE)
    _TRACE_BYTES = 1024
    """The trace headers come first; the rest of a file is not needed to know its recipient."""

    def __init__(self, maildir: Path) -> None:
        self.path = Path(maildir)
        self._recipients: dict[str, str] = {}  # Maildir unique name -> casefolded envelope recipient

    def messages(self) -> list[EmailMessage]:
        """Every delivered message (read or not), oldest first."""
        return [self._parse(file) for file in self._files()]

    def messages_to(self, *addresses: str) -> list[EmailMessage]:
        """The copies delivered to any of these envelope recipients (case-insensitive), oldest first."""
        wanted = {address.casefold() for address in addresses}
        return [self._parse(file) for file in self._files() if self._recipient(file) in wanted]

    def wait_for_count(self, count: int, *, to: str | None = None, timeout: float = 10) -> list[EmailMessage]:
        """Wait until at least `count` messages (to `to`, if given) arrived; return them all."""
        found: list[EmailMessage] = []

        def enough() -> bool:
            found[:] = self.messages_to(to) if to else self.messages()
            return len(found) >= count

        recipient = f" to {to}" if to else ""
        wait_until(
            enough,
            timeout,
            interval=0.05,
            message=lambda: f"expected {count} message(s){recipient} in {self.path}, {len(found)} arrived",
        )
        return list(found)

    def _files(self) -> list[Path]:
        folders = [self.path / "new", self.path / "cur"]  # unread, and read by a mail client
        return sorted((file for folder in folders if folder.is_dir() for file in folder.iterdir()), key=self._arrival)

    @staticmethod
    def _parse(file: Path) -> EmailMessage:
        return BytesParser(policy=default_policy).parsebytes(file.read_bytes())

    def _recipient(self, file: Path) -> str:
        unique_name = file.name.split(":", 1)[0]  # a mail client moving it to cur/ appends ":2,<flags>"
        if unique_name not in self._recipients:
            with file.open("rb") as content:
                match = self._DELIVERED_TO.search(content.read(self._TRACE_BYTES).split(b"\n\n", 1)[0])
            self._recipients[unique_name] = match.group(1).decode().casefold() if match else ""
        return self._recipients[unique_name]

    def _arrival(self, file: Path) -> tuple[int, ...]:
        """Sort key: the delivery time in the Maildir name (file times are too coarse); mtime otherwise."""
        match = self._UNIQUE_NAME.match(file.name)
        if match:
            return tuple(int(part) for part in match.groups())
        mtime_ns = file.stat().st_mtime_ns
        return mtime_ns // 10**9, mtime_ns // 1000 % 10**6, 0


class SmtpSink(Server):
    """The SMTP server as a subprocess, for tests: start, send mail to it, read `mailbox`, stop.

    A separate process, like in `up`, so the test process holds no event loop
    or server thread. Its output goes to `<maildir>.log`.
    """

    host = HOST

    def __init__(self, maildir: Path, port: int | None = None, reject_recipients: str | None = None) -> None:
        self.maildir = Path(maildir).resolve()
        self.port = port or free_port()
        self.reject_recipients = reject_recipients
        self.mailbox = Mailbox(self.maildir)
        log_file = self.maildir.with_name(self.maildir.name + ".log")
        self._process = ServerProcess(f"SMTP sink on port {self.port}", log_file)

    def start(self, timeout: float = 30) -> None:
        command = [sys.executable, "-m", "shared.localinfra.smtp", "--maildir", self.maildir, "--port", self.port]
        if self.reject_recipients:
            command += ["--reject-recipients", self.reject_recipients]
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        with open(self._process.log_file, "ab") as log:
            self._process.spawn(command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        self._process.wait_ready(self._accepts_smtp, timeout)

    def stop(self, timeout: float = 10) -> None:
        self._process.stop(timeout)

    def is_running(self) -> bool:
        return self._process.is_running()

    def _accepts_smtp(self) -> bool:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=2) as client:
                return client.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False


def main(argv: list[str] | None = None) -> int:
    """`python -m shared.localinfra.smtp`: the SMTP server in the foreground until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--maildir", type=Path, default=PROJECT_ROOT / ".run" / "mail")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--reject-recipients", metavar="REGEX", help="refuse matching recipients with 550")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = SmtpServer(args.maildir, args.port, args.reject_recipients)
    return run_until_signalled(
        server, lambda: f"SMTP ready at {HOST}:{server.port}, mail kept in {server.maildir}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
