"""The extension point for ways of reaching people: a channel is a small class with `send`,
registered by name; the dispatcher sends each queued message through its row's channel.

Email is the one channel today (adapters/smtp.py). An SMS or webhook channel is a subclass
of `Channel` with its own name, added to the `Channels` the worker builds; rows queued with
that channel name then go through it, with the same retries, dead letters and delivery log.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class OutboundMessage:
    """One queued message as a channel sees it; a channel uses the parts its medium carries."""

    id: str  # stable per queued message: a channel may use it to let the receiver drop a duplicate
    recipient_address: str  # an email address for email; a phone number or URL for other channels
    recipient_name: str | None
    subject: str
    text: str
    html: str
    correlation_id: str
    calendar_ics: str | None = None  # an iCalendar invite to carry, if the medium can
    calendar_method: str | None = None  # its iTIP method (REQUEST, CANCEL)


class PermanentDeliveryFailure(Exception):
    """The receiver refused this message for good: retrying will not help."""


class TransientDeliveryFailure(Exception):
    """This message could not be delivered now; a later attempt may succeed."""


class ChannelUnavailable(TransientDeliveryFailure):
    """The channel itself cannot be reached (server down): no message of it can go now, so the
    dispatcher puts the rest of its batch off instead of trying each one."""


class Channel(ABC):
    """A way of reaching people. Hooks:

    - `send(message)`: deliver one message, or raise `PermanentDeliveryFailure` (recorded and
      dead-lettered at once), `TransientDeliveryFailure` (retried with backoff, dead-lettered
      after the bounded attempts) or `ChannelUnavailable`. It may keep a connection open between
      calls, and is called from one thread at a time. It must not touch notification's database
      (the dispatcher records the outcome) and must not block longer than its own timeout.
    - `close()`: release what `send` kept open; called when the dispatcher stops.
    """

    name: ClassVar[str]

    @abstractmethod
    def send(self, message: OutboundMessage) -> None: ...

    def close(self) -> None:
        """Nothing to release by default."""


class Channels:
    """The channels a dispatcher may send through, by name."""

    def __init__(self, *channels: Channel):
        names = [channel.name for channel in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"two channels share a name: {sorted(names)}")
        self._by_name = {channel.name: channel for channel in channels}

    def get(self, name: str) -> Channel | None:
        return self._by_name.get(name)

    def close(self) -> None:
        for channel in self._by_name.values():
            channel.close()
