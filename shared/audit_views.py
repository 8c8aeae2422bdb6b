"""The audit log as every service shows it to admins: `/api/v1/audit` and `/admin/audit`."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, request
from sqlalchemy.engine import Engine

from shared.access import current_principal, organiser
from shared.audit import recent_entries


def audit_blueprint(engine: Engine, table: sa.Table) -> Blueprint:
    blueprint = Blueprint("audit", __name__)

    def entries():
        return recent_entries(engine, table, action=request.args.get("action") or None,
                              actor_id=request.args.get("actor") or None)

    @blueprint.get("/api/v1/audit")
    @organiser("admin")
    def audit_api():
        return jsonify(entries=[{**dict(row._mapping), "at": row.at.isoformat()} for row in entries()])

    @blueprint.get("/admin/audit")
    @organiser("admin")
    def audit_page():
        return render_template("ui/audit_log.html", entries=entries(), viewer=current_principal(),
                               action=request.args.get("action", ""), show_nav=True)

    return blueprint
