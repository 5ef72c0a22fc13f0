"""Database triggers that bump ``owners.availability_version`` on every change that can
change an owner's free slots: any insert, update or delete of ``bookings`` or
``busy_blocks``, whoever makes it (ORM, bulk statements, foreign-key cascades), and
every change of the owner's boundaries or time zone.

The slots cache (``app.services.availability``) keys on that version, so a cached answer
can never outlive the data it was computed from. Triggers rather than application calls:
one forgotten write path would otherwise serve stale slots.

Installed by a migration (and by ``create_all`` for tests). On SQLite, a later batch
migration that *recreates* ``bookings`` or ``busy_blocks`` drops their triggers: such a
migration must run ``statements()`` again.
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

TABLES = ("owners", "bookings", "busy_blocks")
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _sqlite(table: str, action: str) -> list[str]:
    row = "OLD" if action == "DELETE" else "NEW"
    # Identifiers only, all this module's constants: no input ever reaches these strings.
    bump = f"UPDATE owners SET availability_version = availability_version + 1 WHERE id = {row}.owner_id;"  # noqa: E501, S608
    extra = ""
    if action == "UPDATE":  # a row moved to another owner changes both
        extra = (
            " UPDATE owners SET availability_version = availability_version + 1"
            " WHERE id = OLD.owner_id AND OLD.owner_id <> NEW.owner_id;"
        )
    name = f"{table}_{action.lower()}_bumps_availability"
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER {action} ON {table} FOR EACH ROW BEGIN {bump}{extra} END",
    ]


def _postgresql(table: str, action: str) -> list[str]:
    # Statement-level with transition tables: one UPDATE per owner per statement, not
    # per row (a sync replaces thousands of busy blocks in one statement).
    sources = {"INSERT": ["new_rows"], "DELETE": ["old_rows"], "UPDATE": ["new_rows", "old_rows"]}
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
        "UPDATE": "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows",
    }[action]
    owners = " UNION ".join(f"SELECT owner_id FROM {rows}" for rows in sources[action])  # noqa: S608
    function = f"{table}_{action.lower()}_bumps_availability"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE owners SET availability_version = availability_version + 1
  WHERE id IN ({owners});
  RETURN NULL;
END $$""",  # noqa: S608 - no input reaches this SQL: table and action are constants
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"CREATE TRIGGER {function} AFTER {action} ON {table} {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


# An owner's own row: new boundaries (hours, limits, offers) or a new zone change the slots.
OWNER_TRIGGER = "owners_boundaries_bump_availability"


def _owner_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        # ``json`` has no equality operator: compare the text.
        return [
            f"""CREATE OR REPLACE FUNCTION {OWNER_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.availability_version := OLD.availability_version + 1;
  RETURN NEW;
END $$""",
            f"DROP TRIGGER IF EXISTS {OWNER_TRIGGER} ON owners",
            f"CREATE TRIGGER {OWNER_TRIGGER} BEFORE UPDATE OF boundaries, timezone ON owners "
            "FOR EACH ROW WHEN (OLD.boundaries::text IS DISTINCT FROM NEW.boundaries::text "
            "OR OLD.timezone IS DISTINCT FROM NEW.timezone) "
            f"EXECUTE FUNCTION {OWNER_TRIGGER}()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {OWNER_TRIGGER}",
        f"CREATE TRIGGER {OWNER_TRIGGER} AFTER UPDATE OF boundaries, timezone ON owners "  # noqa: S608
        "FOR EACH ROW WHEN OLD.boundaries IS NOT NEW.boundaries "
        "OR OLD.timezone IS NOT NEW.timezone "
        "BEGIN UPDATE owners SET availability_version = availability_version + 1 "
        "WHERE id = NEW.id; END",
    ]


def statements(dialect: str, table: str) -> list[str]:
    """The SQL that installs ``table``'s triggers on ``dialect`` (idempotent)."""
    if table == "owners":
        return _owner_statements(dialect)
    build = _postgresql if dialect == "postgresql" else _sqlite
    return [sql for action in EVENTS for sql in build(table, action)]


def drop_statements(dialect: str, table: str) -> list[str]:
    names = [f"{table}_{action.lower()}_bumps_availability" for action in EVENTS]
    if table == "owners":
        names = [OWNER_TRIGGER]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {n} ON {table}" for n in names] + [
            f"DROP FUNCTION IF EXISTS {n}()" for n in names
        ]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]


def install_on_create(table: Table) -> None:
    """For ``create_all`` (tests): install the triggers right after the table is made."""
    for dialect in ("sqlite", "postgresql"):
        for sql in statements(dialect, table.name):
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))
