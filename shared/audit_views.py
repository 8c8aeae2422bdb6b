"""The audit log as every service shows it to admins: `/api/v1/audit` and `/admin/audit`."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, request
from marshmallow import Schema, fields
from sqlalchemy.engine import Engine

from shared.access import current_principal, organiser
from shared.audit import recent_entries
from shared.openapi import documented


class AuditQuery(Schema):
    action = fields.String(metadata={"description": "Only entries of this action."})
    actor = fields.String(metadata={"description": "Only entries by this actor id."})


class AuditEntryOut(Schema):
    id = fields.UUID(required=True)
    at = fields.String(required=True, metadata={"format": "date-time"})
    actor_kind = fields.String(required=True)
    actor_id = fields.String(required=True)
    actor_name = fields.String(required=True)
    action = fields.String(required=True)
    target_type = fields.String(required=True)
    target_id = fields.String(required=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    correlation_id = fields.String(required=True)


class AuditOut(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut), required=True)


def audit_blueprint(engine: Engine, table: sa.Table) -> Blueprint:
    blueprint = Blueprint("audit", __name__)

    def entries():
        return recent_entries(engine, table, action=request.args.get("action") or None,
                              actor_id=request.args.get("actor") or None)

    @blueprint.get("/api/v1/audit")
    @organiser("admin")
    @documented("The latest audit entries (at most 200)", query=AuditQuery, responses={200: AuditOut})
    def audit_api():
        return jsonify(entries=[{**dict(row._mapping), "at": row.at.isoformat()} for row in entries()])

    @blueprint.get("/admin/audit")
    @organiser("admin")
    def audit_page():
        return render_template("ui/audit_log.html", entries=entries(), viewer=current_principal(),
                               action=request.args.get("action", ""), show_nav=True)

    return blueprint
