import GRDB

/// The history file's schema and its own migrator (never the directory database's).
///
/// Sized for 1,000 services probed every minute: every time is an integer (raw instants in
/// milliseconds since 1970, hours and days as their number since 1970, UTC), every duration an
/// integer number of milliseconds, every table `WITHOUT ROWID` keyed by (service, time) so that
/// a service's rows are one contiguous range (one seek for a window) and no separate rowid or
/// index is stored. States are small integers (0 up, 1 degraded, 2 down, 3 maintenance; outcomes
/// 0 up, 1 degraded, 2 down): SQLite stores 0 and 1 in no bytes at all.
/// - `service`: one row per service name, with its last result (the open span and
///   ``HistoryStore/lastResults()``).
/// - `raw`: every result, `span_ms` the longest it holds, `phases` a compact blob
///   (``PhaseCoding``), `cert_expiry` in seconds since 1970.
/// - `hourly`, `daily`: rollups of the closed spans (a result's span is closed once the next result
///   of its service is recorded), split exactly at hour and UTC-day boundaries: milliseconds per
///   state, and the probes started in that hour or day (count, failures, duration sum/min/max).
/// - `meta`: the retention cutoffs actually applied (`raw_from`, `hourly_from`, `daily_from`,
///   milliseconds), so a query knows which tier holds which time.
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("h1-history") { db in
            try db.execute(sql: """
                CREATE TABLE service (
                    id               INTEGER PRIMARY KEY,
                    name             TEXT    NOT NULL UNIQUE,
                    last_at          INTEGER,
                    last_state       INTEGER,
                    last_outcome     INTEGER,
                    last_duration_ms INTEGER,
                    last_span_ms     INTEGER,
                    last_detail      TEXT,
                    last_http_status INTEGER,
                    last_cert_expiry INTEGER,
                    last_phases      BLOB
                );
                CREATE TABLE raw (
                    service     INTEGER NOT NULL,
                    at          INTEGER NOT NULL,
                    state       INTEGER NOT NULL,
                    outcome     INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    span_ms     INTEGER NOT NULL,
                    detail      TEXT    NOT NULL,
                    http_status INTEGER,
                    cert_expiry INTEGER,
                    phases      BLOB,
                    PRIMARY KEY (service, at)
                ) WITHOUT ROWID;
                CREATE TABLE hourly (
                    service         INTEGER NOT NULL,
                    hour            INTEGER NOT NULL,
                    up_ms           INTEGER NOT NULL DEFAULT 0,
                    degraded_ms     INTEGER NOT NULL DEFAULT 0,
                    down_ms         INTEGER NOT NULL DEFAULT 0,
                    maintenance_ms  INTEGER NOT NULL DEFAULT 0,
                    probes          INTEGER NOT NULL DEFAULT 0,
                    failures        INTEGER NOT NULL DEFAULT 0,
                    duration_sum_ms INTEGER NOT NULL DEFAULT 0,
                    duration_min_ms INTEGER,
                    duration_max_ms INTEGER,
                    PRIMARY KEY (service, hour)
                ) WITHOUT ROWID;
                CREATE TABLE daily (
                    service         INTEGER NOT NULL,
                    day             INTEGER NOT NULL,
                    up_ms           INTEGER NOT NULL DEFAULT 0,
                    degraded_ms     INTEGER NOT NULL DEFAULT 0,
                    down_ms         INTEGER NOT NULL DEFAULT 0,
                    maintenance_ms  INTEGER NOT NULL DEFAULT 0,
                    probes          INTEGER NOT NULL DEFAULT 0,
                    failures        INTEGER NOT NULL DEFAULT 0,
                    duration_sum_ms INTEGER NOT NULL DEFAULT 0,
                    duration_min_ms INTEGER,
                    duration_max_ms INTEGER,
                    PRIMARY KEY (service, day)
                ) WITHOUT ROWID;
                CREATE TABLE meta (
                    key   TEXT    PRIMARY KEY,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}

/// Phase timings stored compactly: per phase, one byte naming it (an index into ``known``, or
/// 0xFF followed by a length byte and the UTF-8 name) and its milliseconds as a LEB128 varint.
/// An HTTP probe's five phases take about ten bytes, where JSON would take eighty.
enum PhaseCoding {
    static let known = ["total", "resolve", "connect", "tls", "first_byte", "submit", "visible"]

    static func encode(_ phases: [String: Double]) -> [UInt8]? {
        guard !phases.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for (name, seconds) in phases.sorted(by: { $0.key < $1.key }) {
            if let index = known.firstIndex(of: name) {
                bytes.append(UInt8(index))
            } else {
                let utf8 = Array(name.utf8.prefix(255))
                bytes.append(0xFF)
                bytes.append(UInt8(utf8.count))
                bytes += utf8
            }
            var value = UInt64(max(0, (seconds * 1000).rounded()))
            repeat {
                let low = UInt8(value & 0x7F)
                value >>= 7
                bytes.append(value == 0 ? low : low | 0x80)
            } while value != 0
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]?) -> [String: Double] {
        guard let bytes else { return [:] }
        var phases: [String: Double] = [:]
        var index = 0
        while index < bytes.count {
            let name: String
            if bytes[index] == 0xFF {
                guard index + 1 < bytes.count else { break }
                let length = Int(bytes[index + 1])
                guard index + 2 + length <= bytes.count else { break }
                name = String(decoding: bytes[(index + 2)..<(index + 2 + length)], as: UTF8.self)
                index += 2 + length
            } else {
                guard Int(bytes[index]) < known.count else { break }
                name = known[Int(bytes[index])]
                index += 1
            }
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 || shift > 63 { break }
            }
            phases[name] = Double(value) / 1000
        }
        return phases
    }
}
