import GRDB
import SwitchboardBase

extension SwitchboardDatabase {
    /// The ordered list of schema migrations: append, never edit one that has shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-directory-and-audit") { db in
            try db.execute(sql: """
                CREATE TABLE unit (
                    id INTEGER PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    name TEXT NOT NULL,
                    parent_id INTEGER REFERENCES unit(id) ON DELETE RESTRICT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX unit_parent ON unit(parent_id);

                CREATE TABLE person (
                    id INTEGER PRIMARY KEY,
                    login TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    given_name TEXT NOT NULL DEFAULT '',
                    family_name TEXT NOT NULL DEFAULT '',
                    search_key TEXT NOT NULL DEFAULT '',
                    email TEXT,
                    email_key TEXT UNIQUE,
                    unit_id INTEGER REFERENCES unit(id) ON DELETE RESTRICT,
                    title TEXT NOT NULL DEFAULT '',
                    employee_number TEXT NOT NULL DEFAULT '',
                    phone TEXT NOT NULL DEFAULT '',
                    manager_id INTEGER REFERENCES person(id) ON DELETE SET NULL,
                    language TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
                    role TEXT NOT NULL DEFAULT 'staff' CHECK (role IN ('admin', 'helpdesk', 'staff', 'auditor')),
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'departed', 'purged')),
                    status_changed_at TEXT NOT NULL,
                    purge_after TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX person_unit ON person(unit_id);
                CREATE INDEX person_search ON person(search_key);

                CREATE TABLE directory_group (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    description TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL
                );
                CREATE TABLE group_member (
                    group_id INTEGER NOT NULL REFERENCES directory_group(id) ON DELETE CASCADE,
                    person_id INTEGER REFERENCES person(id) ON DELETE CASCADE,
                    member_group_id INTEGER REFERENCES directory_group(id) ON DELETE CASCADE,
                    CHECK ((person_id IS NULL) <> (member_group_id IS NULL)),
                    UNIQUE (group_id, person_id),
                    UNIQUE (group_id, member_group_id)
                );
                CREATE INDEX group_member_person ON group_member(person_id);
                CREATE INDEX group_member_group ON group_member(member_group_id);

                CREATE TABLE room (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    kind TEXT NOT NULL CHECK (kind IN ('virtual', 'physical')),
                    capacity INTEGER NOT NULL CHECK (capacity >= 0),
                    location TEXT NOT NULL DEFAULT '',
                    equipment TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL
                );

                CREATE TABLE audit_event (
                    seq INTEGER PRIMARY KEY,
                    time TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    os_user TEXT NOT NULL,
                    role TEXT NOT NULL,
                    tool TEXT NOT NULL,
                    host TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_event_time ON audit_event(time);
                CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
                    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
                CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
                    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

                CREATE TABLE audit_checkpoint (
                    id INTEGER PRIMARY KEY,
                    seq INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    time TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    signature TEXT NOT NULL
                );
                CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
                    BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
                CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
                    BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
                """)
        }
        migrator.registerMigration("v2-mail") { db in
            try db.execute(sql: mailSchemaV2)
        }
        migrator.registerMigration("v3-live-mail") { db in
            try db.execute(sql: mailSchemaV3LiveMail)
        }
        migrator.registerMigration("v3-outbox") { db in
            try db.execute(sql: outboxSchemaV3)
        }
        migrator.registerMigration("v4-meetings") { db in
            try db.execute(sql: meetingSchemaV4)
        }
        migrator.registerMigration("v5-health") { db in
            try db.execute(sql: healthSchemaV5)
        }
        migrator.registerMigration("v6-dkim") { db in
            try db.execute(sql: mailSchemaV6DKIM)
        }
        return migrator
    }
}

extension SwitchboardDatabase {
    /// The outbox: notifications written in the transaction of the change that causes them and
    /// sent after its commit (the `Outbox` library). A row holds the whole rendered message,
    /// which never carries a password; `state` moves waiting -> sending (claimed by one sender)
    /// -> sent, or back to waiting with `last_error` when the relay refuses or is down.
    static let outboxSchemaV3 = """
        CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY,
            message_id      TEXT    NOT NULL UNIQUE,
            kind            TEXT    NOT NULL,
            target          TEXT    NOT NULL,
            sender          TEXT    NOT NULL,
            recipients      TEXT    NOT NULL,
            message         TEXT    NOT NULL,
            state           TEXT    NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sending', 'sent')),
            created_at      TEXT    NOT NULL,
            created_by      TEXT    NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            last_attempt_at TEXT,
            last_error      TEXT,
            claimed_by      TEXT,
            sent_at         TEXT,
            CHECK ((state = 'sent') = (sent_at IS NOT NULL))
        );
        CREATE INDEX outbox_state ON outbox(state, id);
        """
}
