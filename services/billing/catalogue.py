"""Finance's catalogue use cases: the editions on sale and what each sells. Each one a
transaction, audited; a change never touches orders already placed (they keep their prices)."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine

from services.billing.adapters.tables import audit_log, catalogue_items, editions
from services.billing.domain.catalogue import BoothPlace, CatalogueItem, ItemKind, check_item
from services.billing.domain.states import state_by_key
from shared.audit import record_audit
from shared.auth import Principal
from shared.db import violated_constraint
from shared.errors import InvalidFields, StateConflict

DEFAULT_VENUE_STATE = "DL"  # the Manekshaw Centre, New Delhi


def save_edition(engine: Engine, *, edition_id: str, name: str, venue_state: str, actor: Principal,
                 correlation_id: str) -> None:
    """Open (or rename) an edition for sale. Its id is registration's, so buyers of that edition see its catalogue."""
    try:
        state = state_by_key(venue_state)
    except ValueError as error:
        raise InvalidFields({"venue_state": [str(error)]}) from None
    with engine.begin() as connection:
        statement = insert(editions).values(id=edition_id, name=name, venue_state=state.key)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["id"], set_={"name": statement.excluded.name, "venue_state": statement.excluded.venue_state}))
        record_audit(connection, audit_log, actor=actor, action="edition.saved", target_type="edition",
                     target_id=edition_id, after={"name": name, "venue_state": state.key},
                     correlation_id=correlation_id)


def keep_edition(connection: Connection, edition_id: str, name: str, *, venue_state: str = DEFAULT_VENUE_STATE) -> None:
    """An edition registration created or renamed: billing can sell for it (finance sets the
    venue's state when it is not Delhi; a rename keeps what finance set)."""
    statement = insert(editions).values(id=edition_id, name=name, venue_state=venue_state)
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"name": statement.excluded.name}))


def _columns(item: CatalogueItem) -> dict:
    booth = item.booth
    return dict(kind=item.kind.value, name=item.name, description=item.description,
                unit_price_paise=item.unit_price_paise, gst_rate_bp=item.gst_rate_bp, sac_code=item.effective_sac,
                quantity=item.quantity, matchmaking_priority=item.matchmaking_priority,
                includes_booth=item.includes_booth,
                hall=booth.hall if booth else None, booth_number=booth.booth_number if booth else None,
                x_m=booth.x_m if booth else None, y_m=booth.y_m if booth else None,
                width_m=booth.width_m if booth else None, depth_m=booth.depth_m if booth else None)


def _audit_view(columns: dict) -> dict:
    return {key: (str(value) if value is not None and not isinstance(value, (int, str, bool)) else value)
            for key, value in columns.items()}


def add_item(engine: Engine, edition_id: str, item: CatalogueItem, *, actor: Principal, correlation_id: str) -> str:
    check_item(item)
    item_id = str(uuid.uuid4())
    with engine.begin() as connection:
        if connection.execute(sa.select(editions.c.id).where(editions.c.id == edition_id)).first() is None:
            raise StateConflict("This edition is not open for sale in billing yet.")
        columns = _columns(item)
        _insert_or_explain(connection, catalogue_items.insert().values(id=item_id, edition_id=edition_id, **columns))
        record_audit(connection, audit_log, actor=actor, action="catalogue.item_added", target_type="catalogue_item",
                     target_id=item_id, after=_audit_view(columns), correlation_id=correlation_id)
    return item_id


def change_item(engine: Engine, item_id: str, item: CatalogueItem, *, active: bool, actor: Principal,
                correlation_id: str) -> None:
    """New price, quantity or place; orders already placed keep theirs. The quantity cannot go
    below what is held and sold, and an item's kind never changes."""
    check_item(item)
    with engine.begin() as connection:
        before = connection.execute(sa.select(catalogue_items).where(catalogue_items.c.id == item_id)
                                    .with_for_update()).first()
        if before is None:
            raise StateConflict("No such catalogue item.")
        if before.kind != item.kind.value:
            raise InvalidFields({"kind": ["An item's kind cannot change; withdraw it and add a new one."]})
        if item.quantity < before.held + before.sold:
            raise InvalidFields({"quantity": [f"{before.held + before.sold} are already held or sold: "
                                              "the quantity cannot go below that."]})
        columns = {**_columns(item), "active": active}
        _insert_or_explain(connection, catalogue_items.update().where(catalogue_items.c.id == item_id).values(**columns))
        record_audit(connection, audit_log, actor=actor, action="catalogue.item_changed", target_type="catalogue_item",
                     target_id=item_id, correlation_id=correlation_id,
                     before=_audit_view({key: getattr(before, key) for key in columns}), after=_audit_view(columns))


def _insert_or_explain(connection: Connection, statement) -> None:
    try:
        with connection.begin_nested():
            connection.execute(statement)
    except sa.exc.IntegrityError as error:
        constraint = violated_constraint(error)
        if "booth_place" in constraint:
            raise InvalidFields({"booth_number": ["This hall already has a booth with this number."]}) from None
        if "kind_name" in constraint:
            raise InvalidFields({"name": ["The edition already sells an item of this kind with this name."]}) from None
        raise


def item_from_row(row: sa.Row) -> CatalogueItem:
    """A stored item as the domain knows it (to change one field and save it back)."""
    booth = BoothPlace(row.hall, row.booth_number, row.x_m, row.y_m, row.width_m, row.depth_m) \
        if row.kind == ItemKind.BOOTH else None
    return CatalogueItem(kind=ItemKind(row.kind), name=row.name, unit_price_paise=row.unit_price_paise,
                         quantity=row.quantity, gst_rate_bp=row.gst_rate_bp, sac_code=row.sac_code,
                         description=row.description, matchmaking_priority=row.matchmaking_priority,
                         includes_booth=row.includes_booth, booth=booth, id=row.id)
