extension SwitchboardDatabase {
    /// Meetings (`meetctl`, the Scheduling library).
    ///
    /// A meeting is a single event or a series (`rrule`), defined by its first start as a wall
    /// clock time in `time_zone`, so a weekly 09:00 stays 09:00 across daylight-saving changes.
    /// Every occurrence up to the booking window is materialized in `meeting_occurrence` with its
    /// UTC interval: conflict checks, agendas and find-time read only that table, through its
    /// indexes, never by expanding rules at query time. `materialized_to` (Unix seconds) is how far a
    /// series' occurrences are written; the booking window slides, and every booking first extends
    /// the series that stop short of it. Intervals are half-open: one meeting may
    /// end when the next begins.
    ///
    /// The organizer has an attendee row too (role CHAIR, ACCEPTED), so a person's busy time is
    /// the confirmed occurrences of the meetings where they have a row not DECLINED.
    /// `meeting_occurrence_reply` holds answers for a single occurrence (a reply that names a
    /// RECURRENCE-ID); `meeting_reply_mailbox` where `meetctl replies sync` stopped reading.
    static let meetingSchemaV4 = """
        CREATE TABLE meeting (
            id               INTEGER PRIMARY KEY,
            uid              TEXT    NOT NULL UNIQUE,
            title            TEXT    NOT NULL,
            agenda           TEXT    NOT NULL DEFAULT '',
            organizer_id     INTEGER NOT NULL REFERENCES person(id),
            sent_by_id       INTEGER REFERENCES person(id),
            room_id          INTEGER REFERENCES room(id),
            join_url         TEXT    NOT NULL DEFAULT '',
            time_zone        TEXT    NOT NULL,
            start_local      TEXT    NOT NULL,
            duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
            rrule            TEXT    NOT NULL DEFAULT '',
            sequence         INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
            status           TEXT    NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
            origin           TEXT    NOT NULL DEFAULT 'booked' CHECK (origin IN ('booked', 'imported')),
            materialized_to  INTEGER NOT NULL DEFAULT 0,
            created_at       TEXT    NOT NULL,
            updated_at       TEXT    NOT NULL
        );
        CREATE INDEX meeting_organizer ON meeting(organizer_id);
        CREATE INDEX meeting_series_reach ON meeting(materialized_to) WHERE rrule <> '' AND status = 'confirmed';

        CREATE TABLE meeting_occurrence (
            meeting_id    INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
            recurrence_id TEXT    NOT NULL,
            start_at      INTEGER NOT NULL,
            end_at        INTEGER NOT NULL,
            room_id       INTEGER REFERENCES room(id),
            status        TEXT    NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
            moved         INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1)),
            PRIMARY KEY (meeting_id, recurrence_id),
            CHECK (end_at > start_at)
        ) WITHOUT ROWID;
        CREATE INDEX meeting_occurrence_room ON meeting_occurrence(room_id, start_at, end_at) WHERE status = 'confirmed';
        CREATE INDEX meeting_occurrence_time ON meeting_occurrence(start_at);
        CREATE INDEX meeting_occurrence_meeting_time ON meeting_occurrence(meeting_id, start_at, end_at, status);
        -- An occurrence's status is what conflict checks read: a cancelled meeting cancels them all.
        CREATE TRIGGER meeting_cancels_occurrences AFTER UPDATE OF status ON meeting WHEN NEW.status = 'cancelled'
            BEGIN UPDATE meeting_occurrence SET status = 'cancelled' WHERE meeting_id = NEW.id; END;

        CREATE TABLE meeting_attendee (
            meeting_id     INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
            address        TEXT    NOT NULL COLLATE NOCASE,
            person_id      INTEGER REFERENCES person(id),
            name           TEXT    NOT NULL DEFAULT '',
            role           TEXT    NOT NULL DEFAULT 'REQ-PARTICIPANT'
                           CHECK (role IN ('CHAIR', 'REQ-PARTICIPANT', 'OPT-PARTICIPANT', 'NON-PARTICIPANT')),
            partstat       TEXT    NOT NULL DEFAULT 'NEEDS-ACTION'
                           CHECK (partstat IN ('NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED')),
            reply_sequence INTEGER,
            reply_stamp    TEXT,
            PRIMARY KEY (meeting_id, address)
        ) WITHOUT ROWID;
        CREATE INDEX meeting_attendee_person ON meeting_attendee(person_id, meeting_id, partstat);

        CREATE TABLE meeting_occurrence_reply (
            meeting_id     INTEGER NOT NULL,
            recurrence_id  TEXT    NOT NULL,
            address        TEXT    NOT NULL COLLATE NOCASE,
            partstat       TEXT    NOT NULL
                           CHECK (partstat IN ('NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED')),
            reply_sequence INTEGER NOT NULL,
            reply_stamp    TEXT    NOT NULL,
            PRIMARY KEY (meeting_id, recurrence_id, address),
            FOREIGN KEY (meeting_id, address) REFERENCES meeting_attendee(meeting_id, address) ON DELETE CASCADE ON UPDATE CASCADE
        ) WITHOUT ROWID;

        CREATE TABLE meeting_reply_mailbox (
            mailbox      TEXT    PRIMARY KEY,
            uid_validity INTEGER NOT NULL,
            last_uid     INTEGER NOT NULL
        );
        """
}
