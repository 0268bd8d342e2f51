import Foundation
import SwitchboardBase
public import SwitchboardCore

/// The `meet:` section of the configuration, owned and decoded by this library (see
/// `Config/switchboard.yaml` for each key).
public struct MeetSettings: Sendable, Equatable {
    /// Base of the videoconference join links: a virtual room's link is `BASE/SLUG`.
    public var joinBaseURL: String = "https://meet.bonoivu.demo.gov.vn"
    /// Folder of the invite templates (NAME.LANG.subject|txt|html.mustache).
    public var templatesDir: String = "/usr/local/share/switchboard/meet-templates"
    /// How far ahead a meeting may be booked, and how far a series is materialized, in days.
    public var bookingWindowDays: Int = 540
    /// The longest meeting, in hours.
    public var maxDurationHours: Int = 12
    /// The domain of rooms' calendar addresses (`room-SLUG@DOMAIN`): they appear in invites as
    /// ATTENDEE;CUTYPE=ROOM and are never mailed.
    public var roomDomain: String = "rooms.bonoivu.demo.gov.vn"
    /// The mailbox `meetctl replies sync` reads when none is named, and the file holding its
    /// password (never the password itself); empty: a mailbox must be named.
    public var repliesMailbox: String = ""
    /// See ``repliesMailbox``.
    public var repliesPasswordFile: String = ""
    /// The step find-time proposes starts at, in minutes.
    public var slotMinutes: Int = 30
    /// Per-attendee Jitsi join tokens (`meet.jitsi_jwt`), or nil when the deployment has none.
    public var jitsiJWT: JitsiJWT?

    /// `meet.jitsi_jwt`: the app id, audience and the file of the shared secret.
    public struct JitsiJWT: Sendable, Equatable {
        /// `iss`.
        public var appID: String
        /// `aud` (default `jitsi`).
        public var audience: String = "jitsi"
        /// The file holding the shared secret.
        public var secretFile: String

        /// Tokens for `appID`, signed with the secret in `secretFile`.
        public init(appID: String, audience: String = "jitsi", secretFile: String) {
            self.appID = appID
            self.audience = audience
            self.secretFile = secretFile
        }
    }

    /// The defaults.
    public init() {}

    /// The settings of a loaded configuration: its `meet:` section, or the defaults.
    public init(_ loaded: LoadedConfig) throws {
        try self.init(section: try loaded.section("meet"))
    }

    /// Decodes a `meet:` section; every error names the file, line and key.
    public init(section: ConfigNode?) throws {
        self.init()
        guard let section else { return }
        let keys = try section.mapping(known: [
            "join_base_url", "templates_dir", "booking_window_days", "max_duration_hours", "room_domain",
            "replies_mailbox", "replies_password_file", "slot_minutes", "jitsi_jwt",
        ])
        if let value = keys["join_base_url"] {
            let text = try value.nonEmptyString()
            guard let url = URL(string: text), let scheme = url.scheme, ["https", "http"].contains(scheme.lowercased()),
                  url.host?.isEmpty == false, url.query == nil, url.fragment == nil
            else { throw value.error("expected an http(s) URL with no query, such as https://meet.example.gov.vn, got \"\(text)\"") }
            joinBaseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        if let value = keys["templates_dir"] { templatesDir = try value.filePath() }
        if let value = keys["booking_window_days"] { bookingWindowDays = try value.integer(in: 1...3650) }
        if let value = keys["max_duration_hours"] { maxDurationHours = try value.integer(in: 1...168) }
        if let value = keys["room_domain"] {
            let text = try value.nonEmptyString()
            guard (try? EmailAddress("room@\(text)")) != nil else { throw value.error("expected a mail domain, got \"\(text)\"") }
            roomDomain = text.lowercased()
        }
        if let value = keys["replies_mailbox"] {
            let text = try value.string()
            if !text.isEmpty, (try? EmailAddress(text)) == nil { throw value.error("expected an e-mail address, got \"\(text)\"") }
            repliesMailbox = text
        }
        if let value = keys["replies_password_file"] { repliesPasswordFile = try value.optionalFilePath() }
        if let value = keys["jitsi_jwt"] {
            let jwt = try value.mapping(known: ["app_id", "audience", "secret_file"])
            guard let app = jwt["app_id"], let file = jwt["secret_file"] else {
                throw value.error("jitsi_jwt needs app_id and secret_file")
            }
            var settings = JitsiJWT(appID: try app.nonEmptyString(), secretFile: try file.filePath())
            if let audience = jwt["audience"] { settings.audience = try audience.nonEmptyString() }
            jitsiJWT = settings
        }
        if let value = keys["slot_minutes"] {
            slotMinutes = try value.integer(in: 5...240)
            guard 1440 % slotMinutes == 0 else { throw value.error("expected a number of minutes that divides a day (5, 10, 15, 30, 60, ...), got \(slotMinutes)") }
        }
    }
}
