/// An iCalendar input that cannot be used, or an object that cannot be written, in one line:
/// `FILE: line N: what; what to try` (the file and line where known).
public struct CalendarError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, for callers that act on it (a refused import, a bad rule typed by an operator).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String {
            case notICalendar = "not iCalendar"
            case truncated
            case tooBig = "too big"
            case malformed
            case unknownTimeZone = "unknown time zone"
            case badTime = "bad time"
            case badRecurrence = "bad recurrence"
            case cannotWrite = "cannot write"
        }

        let kind: Kind
        /// The text is not an iCalendar object (no VCALENDAR, or libical could not read it).
        public static let notICalendar = Code(kind: .notICalendar)
        /// The text stops before its `END:VCALENDAR`.
        public static let truncated = Code(kind: .truncated)
        /// Bigger than the limits allow (bytes or events).
        public static let tooBig = Code(kind: .tooBig)
        /// A property libical could not read (X-LIC-ERROR), or a required one missing.
        public static let malformed = Code(kind: .malformed)
        /// A time zone name that is neither IANA, a known Windows name, nor defined by a VTIMEZONE.
        public static let unknownTimeZone = Code(kind: .unknownTimeZone)
        /// A date or time out of order (DTEND before DTSTART) or out of range.
        public static let badTime = Code(kind: .badTime)
        /// A recurrence rule that cannot be read or is refused for meetings.
        public static let badRecurrence = Code(kind: .badRecurrence)
        /// An object the writer cannot serialize.
        public static let cannotWrite = Code(kind: .cannotWrite)

        /// The kind in words ("unknown time zone").
        public var description: String { kind.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The file or message the text came from, when known.
    public let source: String?
    /// The 1-based line in `source`, when known.
    public let line: Int?
    /// What is wrong and what to try, without the file and line.
    public let message: String

    init(_ code: Code, _ message: String, source: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = Self.oneLine(message)
        self.source = source.map(Self.oneLine)
        self.line = line
    }

    /// The same error, naming the file (and line) it was found in, unless it already does.
    func located(source: String, line: Int? = nil) -> CalendarError {
        CalendarError(code, message, source: self.source ?? source, line: self.line ?? line)
    }

    /// `FILE: line N: what; what to try`.
    public var description: String {
        var parts: [String] = []
        if let source { parts.append(source) }
        if let line { parts.append("line \(line)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// Text quoted from an input never breaks the error onto a second line.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// Input quoted in an error: on one line and at most `limit` characters.
    static func quote(_ text: String, limit: Int = 60) -> String {
        let flat = oneLine(text)
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}
