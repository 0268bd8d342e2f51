public import SwitchboardBase

/// A mail template that cannot be loaded or rendered, naming the file to look at.
public struct MailTemplateError: SwitchboardError {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case folderUnreadable = "folder unreadable"
            case badFileName = "bad file name"
            case syntax = "template syntax"
            case missingTemplate = "missing template"
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The template folder or one of its files cannot be read.
        public static let folderUnreadable = Code(.folderUnreadable)
        /// A `.mustache` file is not named NAME.LANG.KIND.mustache.
        public static let badFileName = Code(.badFileName)
        /// A template has a Mustache syntax error; `file` and `line` say where.
        public static let syntax = Code(.syntax)
        /// No template file for the name and language asked (nor for the fallback language).
        public static let missingTemplate = Code(.missingTemplate)

        /// The kind in words, e.g. "template syntax".
        public var description: String { kind.rawValue }
    }

    /// The kind.
    public let code: Code
    /// The file concerned (name within the folder), or the expected file when one is missing.
    public let file: String?
    /// The 1-based line of a syntax error.
    public let line: Int?
    /// What failed, on what, and what to try.
    public let description: String

    init(_ code: Code, file: String?, line: Int? = nil, _ description: String) {
        self.code = code
        self.file = file
        self.line = line
        self.description = description
    }
}

extension MailTemplateError {
    /// A template the installation cannot use: the operation fails until it is fixed.
    public var category: ErrorCategory { .failed }
}
