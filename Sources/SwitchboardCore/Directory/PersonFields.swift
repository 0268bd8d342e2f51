import Foundation
import SwitchboardBase

/// Person fields as given on the command line or in a CSV row; nil means "not given".
public struct PersonFields: Sendable, Equatable {
    /// Full name as shown.
    public var displayName: String?
    /// Given name.
    public var givenName: String?
    /// Family name.
    public var familyName: String?
    /// E-mail address; empty clears it.
    public var email: String?
    /// Unit code; empty clears it.
    public var unit: String?
    /// Job title.
    public var title: String?
    /// Employee number.
    public var employeeNumber: String?
    /// Phone number.
    public var phone: String?
    /// Manager's login; empty clears it.
    public var manager: String?
    /// `vi` or `en`.
    public var language: String?

    /// No fields.
    public init(displayName: String? = nil, givenName: String? = nil, familyName: String? = nil, email: String? = nil,
                unit: String? = nil, title: String? = nil, employeeNumber: String? = nil, phone: String? = nil,
                manager: String? = nil, language: String? = nil) {
        self.displayName = displayName
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.unit = unit
        self.title = title
        self.employeeNumber = employeeNumber
        self.phone = phone
        self.manager = manager
        self.language = language
    }

    /// The fields after validation and normalization; references (unit, manager) not yet resolved.
    struct Checked: Equatable {
        var displayName: String?
        var givenName: String?
        var familyName: String?
        var email: EmailAddress?
        var clearEmail = false
        var unit: String?
        var title: String?
        var employeeNumber: String?
        var phone: String?
        var manager: String?
        var language: String?
    }

    /// Validates every given field; the first bad one is thrown, naming the field.
    func checked() throws -> Checked {
        var result = Checked()
        result.displayName = try displayName.map { try DirectoryValidation.text("name", $0, maxLength: 200) }
        result.givenName = try givenName.map { try DirectoryValidation.optionalText("given name", $0, maxLength: 100) }
        result.familyName = try familyName.map { try DirectoryValidation.optionalText("family name", $0, maxLength: 100) }
        if let email {
            if email.trimmingCharacters(in: .whitespaces).isEmpty { result.clearEmail = true } else { result.email = try DirectoryValidation.email(email) }
        }
        result.unit = try unit.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : try DirectoryValidation.unitCode($0) }
        result.title = try title.map { try DirectoryValidation.optionalText("title", $0, maxLength: 200) }
        result.employeeNumber = try employeeNumber.map { try DirectoryValidation.optionalText("employee number", $0, maxLength: 32) }
        result.phone = try phone.map { try DirectoryValidation.phone($0) }
        result.manager = try manager.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : try DirectoryValidation.login($0) }
        result.language = try language.map { try DirectoryValidation.language($0) }
        return result
    }
}
