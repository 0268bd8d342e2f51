import Foundation
import SwitchboardTestSupport
import GRDB
import Testing
@testable import SwitchboardCore
import SwitchboardBase

/// The hash chain, checkpoints and redaction, on a real SQLite file in a temp folder.
@Suite struct AuditChainTests {
    static func database() throws -> SwitchboardDatabase {
        let path = NSTemporaryDirectory() + "audit-\(UUID().uuidString)/switchboard.sqlite"
        return try SwitchboardDatabase(path: path, create: true)
    }

    static let context = AuditContext(actor: "lan", osUser: "root", role: "admin", tool: "test", host: "h")

    @Test func eventsChainFromTheGenesisHash() throws {
        let database = try Self.database()
        let log = AuditLog()
        let events = try database.write { db in
            try (1...3).map { try log.append(db, context: Self.context, action: "unit.add", target: "unit:U\($0)") }
        }
        #expect(events.map(\.seq) == [1, 2, 3])
        #expect(events[0].prevHash == AuditEvent.genesisHash)
        #expect(events[1].prevHash == events[0].hash)
        #expect(events[2].prevHash == events[1].hash)
        #expect(events.allSatisfy { $0.hash == $0.computedHash() && $0.hash.count == 64 })
        let result = try database.read { db in try AuditVerifier(publicKey: nil).verify(db) }
        #expect(result.intact)
        #expect(result.events == 3)
    }

    @Test func everyFieldIsCoveredByTheHash() throws {
        let database = try Self.database()
        let event = try database.write { db in try AuditLog().append(db, context: Self.context, action: "person.add", target: "person:an") }
        let changes: [(inout AuditEvent) -> Void] = [
            { $0.seq += 1 }, { $0.time += "x" }, { $0.actor = "x" }, { $0.osUser = "x" }, { $0.role = "x" }, { $0.tool = "x" },
            { $0.host = "x" }, { $0.action = "x" }, { $0.target = "x" }, { $0.outcome = "x" }, { $0.details = "{}x" },
            { $0.prevHash = String(repeating: "1", count: 64) },
        ]
        for change in changes {
            var copy = event
            change(&copy)
            #expect(copy.computedHash() != event.hash)
        }
        // Length prefixes keep field boundaries: moving a character between fields changes the hash.
        var shifted = event
        shifted.actor = "la"
        shifted.osUser = "nroot"
        #expect(shifted.computedHash() != event.hash)
    }

    @Test func aRefusedWriteLeavesNoEvent() throws {
        let database = try Self.database()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try database.write { db in
                try AuditLog().append(db, context: Self.context, action: "unit.add", target: "unit:X")
                throw Boom()
            }
        }
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_event") } == 0)
    }

    @Test func secretsAreRedactedByNameAndCannotBeRecordedByType() {
        var details = AuditDetails()
        details["password"] = "hunter2"
        details["api_token"] = "abc"
        details["login"] = "lan"
        #expect(details.canonicalJSON == #"{"api_token":"[redacted]","login":"lan","password":"[redacted]"}"#)
        // `Secret` does not conform to AuditValueConvertible, so `details["x"] = Secret("...")` does not compile.
        #expect(!((Secret("x") as Any) is any AuditValueConvertible))
        #expect("\(Secret("hunter2"))" == "[redacted]")
    }

    @Test func checkpointsAreSignedAutomaticallyAndVerify() throws {
        let database = try Self.database()
        let key = Curve25519Key.make()
        let log = AuditLog(checkpointEvery: 2, signer: CheckpointSigner(key: key, origin: "test"))
        try database.write { db in
            for index in 1...5 { try log.append(db, context: Self.context, action: "room.add", target: "room:\(index)") }
        }
        let checkpoints = try database.read { db in try AuditCheckpoint.all(db) }
        #expect(checkpoints.map(\.seq) == [2, 4])
        let result = try database.read { db in try AuditVerifier(publicKey: key.publicKey).verify(db) }
        #expect(result.intact)
        #expect(result.checkpointsVerified == 2)
        let stranger = Curve25519Key.make()
        let wrong = try database.read { db in try AuditVerifier(publicKey: stranger.publicKey).verify(db) }
        #expect(wrong.problems.map(\.kind) == ["bad-signature", "bad-signature"])
    }

    @Test func queriesFilterByActorActionAndTargetPrefix() throws {
        let database = try Self.database()
        var other = Self.context
        other.actor = "binh"
        try database.write { db in
            try AuditLog().append(db, context: Self.context, action: "person.add", target: "person:an")
            try AuditLog().append(db, context: other, action: "person.update", target: "person:an")
            try AuditLog().append(db, context: Self.context, action: "personal.note", target: "personal:x")
            try AuditLog().append(db, context: Self.context, action: "unit.add", target: "unit:IT")
        }
        let byAction = try database.read { db in try AuditLog.events(db, matching: AuditQuery(action: "person")) }
        #expect(byAction.map(\.seq) == [1, 2])
        let byTarget = try database.read { db in try AuditLog.events(db, matching: AuditQuery(target: "person:an")) }
        #expect(byTarget.map(\.seq) == [1, 2])
        let byActor = try database.read { db in try AuditLog.events(db, matching: AuditQuery(actor: "binh")) }
        #expect(byActor.map(\.seq) == [2])
        let newest = try database.read { db in try AuditLog.events(db, matching: AuditQuery(limit: 2)) }
        #expect(newest.map(\.seq) == [3, 4])
    }
}

import Crypto

/// Key pairs for tests.
enum Curve25519Key {
    static func make() -> Curve25519.Signing.PrivateKey { Curve25519.Signing.PrivateKey() }
}

/// The migration and `ops/mail/schema.sql` (the mail servers' contract) must not drift apart.
@Suite struct MailSchemaContractTests {
    @Test func theMigrationIsTheDocumentedSchema() throws {
        let documented = try String(contentsOfFile: Repository.path("ops/mail/schema.sql"), encoding: .utf8)
        #expect(SwitchboardDatabase.mailSchemaV2.trimmingCharacters(in: .whitespacesAndNewlines)
                == documented.trimmingCharacters(in: .whitespacesAndNewlines),
                "ops/mail/schema.sql changed: copy it into SwitchboardDatabase+MailSchema.swift as a new migration")
        let liveMail = try String(contentsOfFile: Repository.path("ops/mail/schema-v3-live-mail.sql"), encoding: .utf8)
        #expect(SwitchboardDatabase.mailSchemaV3LiveMail.trimmingCharacters(in: .whitespacesAndNewlines)
                == liveMail.trimmingCharacters(in: .whitespacesAndNewlines),
                "ops/mail/schema-v3-live-mail.sql and SwitchboardDatabase+LiveMail.swift differ")
        let dkim = try String(contentsOfFile: Repository.path("ops/mail/schema-v6-dkim.sql"), encoding: .utf8)
        #expect(SwitchboardDatabase.mailSchemaV6DKIM.trimmingCharacters(in: .whitespacesAndNewlines)
                == dkim.trimmingCharacters(in: .whitespacesAndNewlines),
                "ops/mail/schema-v6-dkim.sql and SwitchboardDatabase+DKIM.swift differ")
        let database = try AuditChainTests.database()
        let views = try database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
        }
        // The views the servers read (OpenDKIM reads mail_dkim_signing_view), and the one they are
        // built on (not read by the servers).
        #expect(views == ["mail_alias_view", "mail_auth_view", "mail_dkim_sender_view", "mail_dkim_signing_view", "mail_domain_view", "mail_mailbox_state",
                          "mail_recipient_access_view", "mail_recipient_view", "mail_sender_login_view"])
    }
}

/// How every tool opens the file matters to the mail servers that keep it open too.
@Suite struct DatabaseOpeningTests {
    @Test func openingNeverChangesTheSchemaAndKeepsFullSync() throws {
        let path = NSTemporaryDirectory() + "open-\(UUID().uuidString)/switchboard.sqlite"
        var versions: [Int] = []
        for _ in 0..<3 {
            let database = try SwitchboardDatabase(path: path, create: true)
            // The write connection is the one whose durability matters.
            let (version, sync, mode) = try database.write { db in
                (try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? -1,
                 try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                 try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "")
            }
            #expect(sync == 2, "synchronous must be FULL (2)")
            #expect(mode == "wal")
            versions.append(version)
            try database.writer.close()
            // Another process's truncating checkpoint leaves an empty -wal file, as the next tool run finds it.
            try SQLite.run(path, "PRAGMA wal_checkpoint(TRUNCATE);")
        }
        // Dovecot's prepared statements survive only while schema_version stays put.
        #expect(versions[1] == versions[0] && versions[2] == versions[0], "\(versions)")
    }
}

/// The series of checkpoint files kept off the host: never overwritten, never through a link.
@Suite struct CheckpointSeriesTests {
    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "series-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static let checkpoint = CheckpointSigner(key: Curve25519.Signing.PrivateKey(), origin: "test")
        .sign(seq: 42, hash: String(repeating: "a", count: 64), time: "2026-12-04T21:00:00.000Z")

    @Test func namesSortBySeqThenTime() {
        var later = Self.checkpoint
        later.seq = 100
        var sameSeqLater = Self.checkpoint
        sameSeqLater.time = "2026-12-04T21:00:00.001Z"
        let names = [later, Self.checkpoint, sameSeqLater].map(AuditCheckpointSeries.fileName(for:))
        #expect(names[1] == "checkpoint-00000000000000000042-20261204T210000000Z.json")
        #expect(names.sorted() == [names[1], names[2], names[0]])
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        let folder = try Self.folder()
        let path = try AuditCheckpointSeries.add(Self.checkpoint, to: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var other = Self.checkpoint
        other.hash = String(repeating: "b", count: 64)
        #expect(AuditCheckpointSeries.fileName(for: other) == (path as NSString).lastPathComponent)
        let error = #expect(throws: CheckpointFileError.self) { try AuditCheckpointSeries.add(other, to: folder) }
        #expect(error?.description.contains("already exists and is never overwritten") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let series = try AuditCheckpointSeries.read(folder: folder, origin: "test")
        #expect(series.checkpoints.map(\.checkpoint) == [Self.checkpoint])
        #expect(series.problems.isEmpty)
    }

    @Test func aLinkPlantedUnderTheNextNameIsNotFollowed() throws {
        let folder = try Self.folder()
        let victim = folder + "/victim"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        let name = folder + "/" + AuditCheckpointSeries.fileName(for: Self.checkpoint)
        try FileManager.default.createSymbolicLink(atPath: name, withDestinationPath: victim)
        #expect(throws: CheckpointFileError.self) { try AuditCheckpointSeries.add(Self.checkpoint, to: folder) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aMissingFolderIsNotCreated() throws {
        let folder = try Self.folder() + "/not-mounted"
        let error = #expect(throws: CheckpointFileError.self) { try AuditCheckpointSeries.add(Self.checkpoint, to: folder) }
        #expect(error?.category.exitStatus == 69)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }
}
