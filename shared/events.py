"""The one envelope every event travels in: CloudEvents 1.0, structured JSON mode.

An event's `type` names its contract and version (`registration.submitted.v1`); each
service keeps its own copy of the contracts it publishes or consumes as marshmallow
schemas in a `ContractRegistry`, so an unknown type or a payload that breaks its schema is
refused with a clear error before any handler sees it. The correlation id travels in a
Kafka header beside the envelope, so it follows a request across services.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
CORRELATION_HEADER = "correlation-id"


class InvalidEvent(Exception):
    """An event that must not be applied: malformed envelope, unknown type or bad data."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message if not errors else f"{message}: {json.dumps(errors, sort_keys=True)}")
        self.errors = errors or {}


class _EnvelopeSchema(Schema):
    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_.-]*\.v[0-9]+$"))
    time = fields.AwareDateTime(required=True, format="iso")
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    datacontenttype = fields.String(required=True, validate=validate.Equal("application/json"))
    data = fields.Dict(required=True)


_envelope_schema = _EnvelopeSchema()


@dataclass(frozen=True)
class Envelope:
    """A CloudEvent: `subject` is the aggregate id (also the Kafka key, keeping its events in order)."""

    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.astimezone(timezone.utc).isoformat(),
            "subject": self.subject,
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_dict(cls, raw: Any) -> Envelope:
        if not isinstance(raw, dict):
            raise InvalidEvent("event is not a JSON object")
        try:
            loaded = _envelope_schema.load(raw)
        except ValidationError as error:
            raise InvalidEvent("malformed CloudEvents envelope", error.messages) from None
        return cls(type=loaded["type"], source=loaded["source"], subject=loaded["subject"],
                   data=loaded["data"], id=loaded["id"], time=loaded["time"])

    @classmethod
    def from_json(cls, raw: bytes | str) -> Envelope:
        try:
            decoded = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidEvent(f"event is not valid JSON ({error})") from None
        return cls.from_dict(decoded)


class ContractRegistry:
    """The event types a service knows, each with the schema its `data` must satisfy."""

    def __init__(self, source: str):
        self.source = source
        self._schemas: dict[str, Schema] = {}

    def register(self, event_type: str, schema: type[Schema]) -> None:
        if event_type in self._schemas:
            raise ValueError(f"event type {event_type} is registered twice")
        self._schemas[event_type] = schema()

    def knows(self, event_type: str) -> bool:
        return event_type in self._schemas

    @property
    def types(self) -> list[str]:
        return sorted(self._schemas)

    def create(self, event_type: str, subject: str, data: dict[str, Any]) -> Envelope:
        """A new event from this service, its data checked (and serialised) by its contract."""
        schema = self._schema(event_type)
        serialised = schema.dump(data)
        errors = schema.validate(serialised)
        if errors:
            raise InvalidEvent(f"{event_type} data breaks its contract", errors)
        return Envelope(type=event_type, source=self.source, subject=subject, data=serialised)

    def load_data(self, envelope: Envelope) -> dict[str, Any]:
        """The event's data deserialised by its contract (dates become datetimes...)."""
        try:
            return self._schema(envelope.type).load(envelope.data)
        except ValidationError as error:
            raise InvalidEvent(f"{envelope.type} event {envelope.id} breaks its contract", error.messages) from None

    def _schema(self, event_type: str) -> Schema:
        try:
            return self._schemas[event_type]
        except KeyError:
            raise InvalidEvent(f"unknown event type {event_type!r}") from None
