extension SwitchboardDatabase {
    /// Service health (`healthd`, the HealthMonitor library): what operators and the daemon decide,
    /// never the probe results themselves.
    ///
    /// Probe results and their hourly and daily rollups live in a second SQLite file beside this
    /// one (`health.history_file`), so that probe churn never reaches this database's WAL, its
    /// backups or the mail servers' lookups. Here stay the rare, valuable rows:
    /// - `health_incident`: one row per outage of one service, from its first failed probe
    ///   (`started_at`) to the probe that resolved it (`ended_at`, NULL while open). `suppressed_by`
    ///   names the parent service whose outage explains this one (its alerts went into the
    ///   parent's digest). `alerted_at` is when the first alert (or digest) went out, NULL when
    ///   the failure never reached its threshold; `acked_by`/`acked_at`/`ack_note` an operator's
    ///   acknowledgement (`health.ack`), which stops reminders.
    /// - `health_maintenance`: maintenance windows planned by an operator (`healthd maintenance
    ///   add`, `POST /api/v1/maintenance`), besides those written in the configuration. `services`
    ///   is a JSON array of service names (`["*"]`: every service). `ended_at` is set when an
    ///   operator ends a window early. Changes are `health.maintenance` audit events.
    /// Instants are ``Timestamp`` text (UTC, milliseconds, fixed width: text order is time order).
    /// The `services` check uses `substr`, not `json_valid`: the opener sets `trusted_schema = OFF`,
    /// and SQLite 3.40 (Debian 12) refuses the JSON functions in a schema then ("unsafe use of
    /// json_valid()"), so the migration could not run at all.
    static let healthSchemaV5 = """
        CREATE TABLE health_incident (
            id            INTEGER PRIMARY KEY,
            service       TEXT    NOT NULL,
            severity      TEXT    NOT NULL CHECK (severity IN ('down', 'degraded')),
            started_at    TEXT    NOT NULL,
            ended_at      TEXT,
            cause         TEXT    NOT NULL DEFAULT '',
            suppressed_by TEXT,
            alerted_at    TEXT,
            acked_by      INTEGER REFERENCES person(id),
            acked_at      TEXT,
            ack_note      TEXT    NOT NULL DEFAULT '',
            CHECK (ended_at IS NULL OR ended_at >= started_at)
        );
        CREATE UNIQUE INDEX health_incident_open ON health_incident(service) WHERE ended_at IS NULL;
        CREATE INDEX health_incident_time ON health_incident(started_at);
        CREATE TABLE health_maintenance (
            id          INTEGER PRIMARY KEY,
            services    TEXT    NOT NULL CHECK (substr(services, 1, 1) = '[' AND substr(services, -1, 1) = ']'),
            starts_at   TEXT    NOT NULL,
            ends_at     TEXT    NOT NULL,
            reason      TEXT    NOT NULL,
            created_by  INTEGER NOT NULL REFERENCES person(id),
            created_at  TEXT    NOT NULL,
            ended_at    TEXT,
            CHECK (ends_at > starts_at)
        );
        CREATE INDEX health_maintenance_time ON health_maintenance(ends_at);
        """
}
