public import GRDB
import SwitchboardBase

/// An organizational unit: a department, an office, a team. Units form a tree.
public struct Unit: Sendable, Codable, Equatable, FetchableRecord {
    /// Stable id.
    public var id: Int64
    /// Short unique code used on the command line (`IT`, `IT-NET`).
    public var code: String
    /// Display name.
    public var name: String
    /// The parent unit's id, nil for a top unit.
    public var parentID: Int64?

    enum CodingKeys: String, CodingKey { case id, code, name, parentID = "parent_id" }

    public init(row: Row) {
        id = row["id"]
        code = row["code"]
        name = row["name"]
        parentID = row["parent_id"]
    }
}

/// A person in the directory.
public struct Person: Sendable, Codable, Equatable, FetchableRecord {
    /// Stable id, kept after purge so audit events still resolve.
    public var id: Int64
    /// Login, as the operating system and the mail servers know it.
    public var login: String
    /// Full name as shown (`Nguyễn Văn An`), Unicode NFC.
    public var displayName: String
    /// Given name.
    public var givenName: String
    /// Family name.
    public var familyName: String
    /// E-mail address as typed.
    public var email: String?
    /// The unit's code.
    public var unit: String?
    /// Job title.
    public var title: String
    /// Employee number.
    public var employeeNumber: String
    /// Phone number.
    public var phone: String
    /// The manager's login.
    public var manager: String?
    /// `vi` or `en`.
    public var language: String
    /// Role in the suite.
    public var role: String
    /// `active`, `suspended`, `departed` or `purged`.
    public var status: String
    /// When the status last changed (UTC).
    public var statusChangedAt: String
    /// For a departed person, when the personal data will be purged.
    public var purgeAfter: String?

    enum CodingKeys: String, CodingKey {
        case id, login, displayName = "display_name", givenName = "given_name", familyName = "family_name", email, unit
        case title, employeeNumber = "employee_number", phone, manager, language, role, status
        case statusChangedAt = "status_changed_at", purgeAfter = "purge_after"
    }

    public init(row: Row) {
        id = row["id"]
        login = row["login"]
        displayName = row["display_name"]
        givenName = row["given_name"]
        familyName = row["family_name"]
        email = row["email"]
        unit = row["unit_code"]
        title = row["title"]
        employeeNumber = row["employee_number"]
        phone = row["phone"]
        manager = row["manager_login"]
        language = row["language"]
        role = row["role"]
        status = row["status"]
        statusChangedAt = row["status_changed_at"]
        purgeAfter = row["purge_after"]
    }

    /// The SELECT every person read uses, joining unit code and manager login.
    static let selection: SQL = """
        SELECT p.*, u.code AS unit_code, m.login AS manager_login
        FROM person p LEFT JOIN unit u ON u.id = p.unit_id LEFT JOIN person m ON m.id = p.manager_id
        """
}

/// A group of people and other groups (distribution lists, teams, meeting invitee lists).
public struct DirectoryGroup: Sendable, Codable, Equatable, FetchableRecord {
    /// Stable id.
    public var id: Int64
    /// Unique name.
    public var name: String
    /// What the group is for.
    public var description: String

    public init(row: Row) {
        id = row["id"]
        name = row["name"]
        description = row["description"]
    }
}

/// A meeting room, physical or virtual.
public struct Room: Sendable, Codable, Equatable, FetchableRecord {
    /// Stable id.
    public var id: Int64
    /// Unique name.
    public var name: String
    /// `physical` or `virtual`.
    public var kind: String
    /// Seats (physical) or participants (virtual).
    public var capacity: Int
    /// Where it is (building, floor) or, for a virtual room, the platform.
    public var location: String
    /// Equipment, such as projector, videoconference, whiteboard.
    public var equipment: [String]

    public init(row: Row) {
        id = row["id"]
        name = row["name"]
        kind = row["kind"]
        capacity = row["capacity"]
        location = row["location"]
        let list: String = row["equipment"]
        equipment = list.split(separator: ",").map(String.init)
    }
}
