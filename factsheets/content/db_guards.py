"""Append-only below the ORM: database triggers that refuse to rewrite the record, on SQLite and PostgreSQL.

Model `save()`/`delete()` guards do not see bulk `QuerySet.update()`/`.delete()`, raw SQL or a database
shell; these triggers do. Migrations install them through `RecordGuard` with frozen column lists, so a
migration always installs exactly what it says, whatever the models look like later.

Kinds of guard (one function each, building the SQL for a vendor from a table name and its columns):

- `append_only`: rows are only ever inserted (sign-offs, history rows, the access log).
- `frozen_revision`: once a revision leaves draft/changes requested, only the workflow's own columns
  (`REVISION_WORKFLOW_COLUMNS`) change, along the workflow's own status moves (`REVISION_TRANSITIONS`);
  a frozen revision is never deleted.
- `frozen_children`: rows of a frozen revision (its sections) are never changed or deleted.
- `signed_links`: the same for a frozen revision's link rows ("Used for" conditions), and a link is added
  to one only when its target is among those the revision signed (so loaddata can restore the record).
- `closed_review`: a review is never deleted; an open one changes only its status and closing time
  (`REVIEW_WORKFLOW_COLUMNS`); a closed one never changes.

PostgreSQL compares whole rows (`to_jsonb(NEW) - allowed` against `to_jsonb(OLD) - allowed`), so a column
added later is guarded without touching the trigger. SQLite has no row-to-JSON, so its triggers name the
guarded columns; a later migration that adds a column re-installs the guard with the longer list (SQLite
also drops a table's triggers whenever Django rebuilds the table, so such a migration must re-install them
anyway). `tests/test_db_guards.py` checks that every table's guard is installed and covers every column.

A later migration adding content columns to the revisions table, on both databases:
    DropRecordGuard("frozen_revision", "factsheets_factsheetrevision", columns=OLD_COLUMNS),
    AddField(...), RunPython(fill the new columns of existing versions),
    RecordGuard("frozen_revision", "factsheets_factsheetrevision", columns=NEW_COLUMNS),
and a new table of rows that belong to one revision (e.g. its stored rendition):
    RecordGuard("frozen_children", "<table>", parent_table="factsheets_factsheetrevision", parent_column="revision_id").
"""

from __future__ import annotations

from django.db import migrations

PREFIX = "record_guard"
EDITABLE_STATUSES = ("draft", "changes_requested")

# The workflow's own changes to a submitted revision: moving it along, dating it, naming the committee
# that approved it. Everything else on the row is what the committee signed.
REVISION_WORKFLOW_COLUMNS = (
    "status",
    "submitted_at",
    "approved_at",
    "published_at",
    "updated_on",
    "last_reviewed_on",
    "next_review_due",
    "reviewed_by_name",
)
# Cleared only when a submission is withdrawn back to draft before anyone signed.
REVISION_RESET_COLUMNS = ("content_hash",)
# (from, to) status moves of a submitted revision. A revision never goes back from approved or later.
REVISION_TRANSITIONS = (
    ("in_review", "in_review"),
    ("in_review", "draft"),
    ("in_review", "changes_requested"),
    ("in_review", "approved"),
    ("approved", "approved"),
    ("approved", "published"),
    ("published", "published"),
    ("published", "superseded"),
    ("superseded", "superseded"),
)
REVIEW_WORKFLOW_COLUMNS = ("status", "closed_at")


def _literal(message: str) -> str:
    return message.replace("'", "''")


def _quote_list(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _name(table: str, suffix: str = "") -> str:
    return f"{PREFIX}_{table}{suffix}"


# PostgreSQL ---------------------------------------------------------------------------------------


def _pg_install(table: str, body: str, *, events: str = "UPDATE OR DELETE", truncate: bool = True) -> list[str]:
    function = _name(table)
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $guard$\n"
        f"BEGIN\n{body}\nEND;\n$guard$;",
        f'DROP TRIGGER IF EXISTS {function} ON "{table}";',
        f'CREATE TRIGGER {function} BEFORE {events} ON "{table}" FOR EACH ROW EXECUTE FUNCTION {function}();',
    ]
    if truncate:
        statements += [
            f'DROP TRIGGER IF EXISTS {_name(table, "_truncate")} ON "{table}";',
            f'CREATE TRIGGER {_name(table, "_truncate")} BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_refuse_truncate();",
        ]
    return statements


def _pg_drop(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS {_name(table, "_truncate")} ON "{table}";',
        f'DROP TRIGGER IF EXISTS {_name(table)} ON "{table}";',
        f"DROP FUNCTION IF EXISTS {_name(table)}();",
    ]


PG_REFUSE_TRUNCATE = (
    f"CREATE OR REPLACE FUNCTION {PREFIX}_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $guard$\n"
    "BEGIN RAISE EXCEPTION 'record guard: % is part of the record and cannot be truncated', TG_TABLE_NAME "
    "USING ERRCODE = 'integrity_constraint_violation'; END;\n$guard$;"
)


def _pg_raise(message: str) -> str:
    return f"RAISE EXCEPTION 'record guard: {_literal(message)}' USING ERRCODE = 'integrity_constraint_violation';"


def _pg_unchanged_except(columns) -> str:
    allowed = f"ARRAY[{_quote_list(columns)}]::text[]"
    return f"(to_jsonb(NEW) - {allowed}) IS NOT DISTINCT FROM (to_jsonb(OLD) - {allowed})"


# SQLite -------------------------------------------------------------------------------------------


def _sqlite_trigger(table: str, suffix: str, event: str, when: str, message: str) -> str:
    when_clause = f"\nWHEN {when}" if when else ""
    return (
        f'CREATE TRIGGER IF NOT EXISTS {_name(table, suffix)} BEFORE {event} ON "{table}"{when_clause}\n'
        f"BEGIN SELECT RAISE(ABORT, 'record guard: {_literal(message)}'); END;"
    )


def _sqlite_changed(columns) -> str:
    return " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns) or "0"


def _sqlite_drop(table: str, suffixes) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {_name(table, suffix)};" for suffix in suffixes]


# Guards -------------------------------------------------------------------------------------------


def append_only(vendor: str, table: str) -> tuple[list[str], list[str]]:
    """(install, drop) SQL: rows of `table` are inserted, never updated or deleted."""
    message = f"{table} is append-only: rows are never changed or deleted"
    if vendor == "postgresql":
        return [PG_REFUSE_TRUNCATE, *_pg_install(table, _pg_raise(message))], _pg_drop(table)
    return (
        [
            _sqlite_trigger(table, "_update", "UPDATE", "", message),
            _sqlite_trigger(table, "_delete", "DELETE", "", message),
        ],
        _sqlite_drop(table, ["_update", "_delete"]),
    )


def frozen_revision(vendor: str, table: str, *, columns) -> tuple[list[str], list[str]]:
    """(install, drop) SQL for the revisions table; `columns` (all of its columns) is used on SQLite."""
    editable = _quote_list(EDITABLE_STATUSES)
    moves = _quote_list(f"{a}>{b}" for a, b in REVISION_TRANSITIONS)
    locked = "a submitted version's content is frozen; only the workflow moves it on"
    deleted = "a submitted version is part of the record and cannot be deleted"
    if vendor == "postgresql":
        body = (
            f"IF OLD.status IN ({editable}) THEN\n"
            "  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n  RETURN NEW;\nEND IF;\n"
            f"IF TG_OP = 'DELETE' THEN {_pg_raise(deleted)} END IF;\n"
            f"IF (OLD.status || '>' || NEW.status) NOT IN ({moves}) THEN {_pg_raise(locked)} END IF;\n"
            f"IF NEW.status IN ({editable}) THEN\n"
            f"  IF NOT {_pg_unchanged_except(REVISION_WORKFLOW_COLUMNS + REVISION_RESET_COLUMNS)} THEN {_pg_raise(locked)} END IF;\n"
            f"ELSIF NOT {_pg_unchanged_except(REVISION_WORKFLOW_COLUMNS)} THEN {_pg_raise(locked)} END IF;\n"
            "RETURN NEW;"
        )
        return [PG_REFUSE_TRUNCATE, *_pg_install(table, body)], _pg_drop(table)
    content = [c for c in columns if c not in REVISION_WORKFLOW_COLUMNS + REVISION_RESET_COLUMNS]
    frozen = f"OLD.status NOT IN ({editable})"
    when = (
        f"{frozen} AND ((OLD.status || '>' || NEW.status) NOT IN ({moves}) OR {_sqlite_changed(content)}"
        f" OR (NEW.status NOT IN ({editable}) AND ({_sqlite_changed(REVISION_RESET_COLUMNS)})))"
    )
    return (
        [
            _sqlite_trigger(table, "_update", "UPDATE", when, locked),
            _sqlite_trigger(table, "_delete", "DELETE", frozen, deleted),
        ],
        _sqlite_drop(table, ["_update", "_delete"]),
    )


def _frozen_parent(vendor: str, parent_table: str, parent_column: str, row: str) -> str:
    """SQL: the revision that `row` belongs to is frozen. PostgreSQL reads its status FOR SHARE, so a
    submission that holds the revision's row lock is waited for, not raced."""
    lock = " FOR SHARE" if vendor == "postgresql" else ""
    return (
        f'(SELECT status FROM "{parent_table}" WHERE id = {row}."{parent_column}"{lock}) '
        f"NOT IN ({_quote_list(EDITABLE_STATUSES)})"
    )


def _children(vendor: str, table: str, *, parent_table: str, parent_column: str, insert_refused: str = ""):
    """Rows of a frozen revision never change, move or go; with `insert_refused` (SQL over NEW), an insert
    that makes it true is refused too."""
    message = f"{table} rows of a submitted version are frozen"

    def frozen(row: str) -> str:
        return _frozen_parent(vendor, parent_table, parent_column, row)

    if vendor == "postgresql":
        body = (
            (
                f"IF TG_OP = 'INSERT' THEN\n  IF {insert_refused} THEN {_pg_raise(message)} END IF;\n  RETURN NEW;\nEND IF;\n"
                if insert_refused
                else ""
            )
            + f"IF {frozen('OLD')} THEN {_pg_raise(message)} END IF;\n"
            # NEW does not exist in a DELETE trigger; plpgsql does not promise to short-circuit an AND.
            f"IF TG_OP = 'UPDATE' THEN\n  IF {frozen('NEW')} THEN {_pg_raise(message)} END IF;\nEND IF;\n"
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\nRETURN NEW;"
        )
        events = "INSERT OR UPDATE OR DELETE" if insert_refused else "UPDATE OR DELETE"
        return [PG_REFUSE_TRUNCATE, *_pg_install(table, body, events=events)], _pg_drop(table)
    install = [
        _sqlite_trigger(table, "_update", "UPDATE", f"{frozen('OLD')} OR {frozen('NEW')}", message),
        _sqlite_trigger(table, "_delete", "DELETE", frozen("OLD"), message),
    ]
    if insert_refused:
        install.append(_sqlite_trigger(table, "_insert", "INSERT", insert_refused, message))
    return install, _sqlite_drop(table, ["_update", "_delete", "_insert"])


def frozen_children(vendor: str, table: str, *, parent_table: str, parent_column: str) -> tuple[list[str], list[str]]:
    """(install, drop) SQL: rows of `table` whose parent revision is frozen are never changed or deleted,
    and no row is moved into a frozen revision."""
    return _children(vendor, table, parent_table=parent_table, parent_column=parent_column)


def signed_links(
    vendor: str,
    table: str,
    *,
    parent_table: str,
    parent_column: str,
    signed_column: str,
    target_table: str,
    target_column: str,
    key: str = "slug",
) -> tuple[list[str], list[str]]:
    """(install, drop) SQL for link rows whose targets a revision signs by `key` (its "Used for" conditions,
    signed as `conditions_as_signed`, a JSON list of {slug, name}): a frozen revision's links never change
    or go, and a link is added to one only when it restores a signed one (loaddata rebuilding the record).
    Condition pages list sheets through these rows, so a row slipped in would list a sheet under a
    condition nobody signed it for."""
    frozen = _frozen_parent(vendor, parent_table, parent_column, "NEW")
    target_key = f'(SELECT "{key}" FROM "{target_table}" WHERE id = NEW."{target_column}")'
    signed = f'(SELECT "{signed_column}" FROM "{parent_table}" WHERE id = NEW."{parent_column}")'
    if vendor == "postgresql":
        is_signed = f"COALESCE({signed} @> jsonb_build_array(jsonb_build_object('{key}', {target_key})), FALSE)"
    else:
        is_signed = f"EXISTS (SELECT 1 FROM json_each({signed}) WHERE json_extract(value, '$.{key}') = {target_key})"
    return _children(
        vendor,
        table,
        parent_table=parent_table,
        parent_column=parent_column,
        insert_refused=f"{frozen} AND NOT {is_signed}",
    )


def closed_review(vendor: str, table: str, *, columns) -> tuple[list[str], list[str]]:
    """(install, drop) SQL for the reviews table; `columns` (all of its columns) is used on SQLite."""
    closed = "a closed review is part of the record and never changes"
    changed = "an open review changes only its status and closing time"
    deleted = "a review is part of the record and cannot be deleted"
    if vendor == "postgresql":
        body = (
            f"IF TG_OP = 'DELETE' THEN {_pg_raise(deleted)} END IF;\n"
            f"IF OLD.status <> 'open' THEN {_pg_raise(closed)} END IF;\n"
            f"IF NOT {_pg_unchanged_except(REVIEW_WORKFLOW_COLUMNS)} THEN {_pg_raise(changed)} END IF;\n"
            "RETURN NEW;"
        )
        return [PG_REFUSE_TRUNCATE, *_pg_install(table, body)], _pg_drop(table)
    others = [c for c in columns if c not in REVIEW_WORKFLOW_COLUMNS]
    return (
        [
            _sqlite_trigger(table, "_closed", "UPDATE", "OLD.status <> 'open'", closed),
            _sqlite_trigger(table, "_update", "UPDATE", _sqlite_changed(others), changed),
            _sqlite_trigger(table, "_delete", "DELETE", "", deleted),
        ],
        _sqlite_drop(table, ["_closed", "_update", "_delete"]),
    )


GUARDS = {
    "append_only": append_only,
    "frozen_revision": frozen_revision,
    "frozen_children": frozen_children,
    "signed_links": signed_links,
    "closed_review": closed_review,
}


class RecordGuard(migrations.operations.base.Operation):
    """Migration operation: install one guard on one table (reversed: drop it), for the database in use.

    `RecordGuard("append_only", "reviews_decision")`,
    `RecordGuard("frozen_revision", "factsheets_factsheetrevision", columns=[...every column...])`.
    Re-running it replaces the guard, so a later migration re-installs with a longer column list.
    """

    reversible = True
    reduces_to_sql = True
    atomic = True

    def __init__(self, kind: str, table: str, **options):
        if kind not in GUARDS:
            raise ValueError(f"unknown record guard {kind!r}")
        self.kind, self.table, self.options = kind, table, options

    def deconstruct(self):
        return self.__class__.__qualname__, [self.kind, self.table], self.options

    def state_forwards(self, app_label, state):
        pass

    def _sql(self, vendor: str):
        if vendor not in ("postgresql", "sqlite"):
            return [], []
        return GUARDS[self.kind](vendor, self.table, **self.options)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        install, drop = self._sql(schema_editor.connection.vendor)
        if schema_editor.connection.vendor == "sqlite":
            install = drop + install  # SQLite has no CREATE OR REPLACE TRIGGER
        for statement in install:
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self._sql(schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement, params=None)

    def describe(self):
        return f"Install the {self.kind.replace('_', ' ')} record guard on {self.table}"

    @property
    def migration_name_fragment(self):
        return f"guard_{self.table}"


class DropRecordGuard(RecordGuard):
    """The reverse of `RecordGuard`: drop a guard (reversed: install it). For a migration that must rewrite
    guarded rows itself (a data migration filling a new column of submitted versions): drop, run the data
    step, then `RecordGuard` again with the new column list."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Drop the {self.kind.replace('_', ' ')} record guard on {self.table}"

    @property
    def migration_name_fragment(self):
        return f"unguard_{self.table}"
