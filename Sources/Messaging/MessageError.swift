public import SwitchboardBase

/// A message that cannot be built or sent as asked, in words the helpdesk can act on.
///
/// Thrown before anything leaves the machine: a refused message is never half sent.
public struct MessageError: SwitchboardError {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case headerInjection = "header injection"
            case invalidAddress = "invalid address"
            case invalidHeaderName = "invalid header name"
            case invalidMessageID = "invalid Message-ID"
            case invalidContentType = "invalid content type"
            case invalidBody = "invalid body"
            case noRecipients = "no recipients"
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// A header value (subject, display name, address, custom header) holds a line break or NUL.
        public static let headerInjection = Code(.headerInjection)
        /// An address is not a plain ASCII envelope address.
        public static let invalidAddress = Code(.invalidAddress)
        /// A custom header name is not an RFC 5322 field name, or is one the renderer writes itself.
        public static let invalidHeaderName = Code(.invalidHeaderName)
        /// A Message-ID is not of the form `<id@domain>`.
        public static let invalidMessageID = Code(.invalidMessageID)
        /// A MIME part's content type is not of the form `type/subtype; parameters`.
        public static let invalidContentType = Code(.invalidContentType)
        /// A body cannot be sent with the transfer encoding asked for.
        public static let invalidBody = Code(.invalidBody)
        /// The message has neither To nor Cc recipients.
        public static let noRecipients = Code(.noRecipients)

        /// The kind in words, e.g. "header injection".
        public var description: String { kind.rawValue }
    }

    /// The kind.
    public let code: Code
    /// The field concerned, in words: "subject", "recipient address", "header X-Ticket".
    public let field: String
    /// What failed, on what, and what to try.
    public let description: String

    init(_ code: Code, field: String, _ description: String) {
        self.code = code
        self.field = field
        self.description = description
    }
}

extension MessageError {
    /// A message refused before sending is bad input data.
    public var category: ErrorCategory { .badInput }
}
