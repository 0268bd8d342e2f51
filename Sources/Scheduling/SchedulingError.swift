public import SwitchboardBase

/// A meeting operation that cannot be done, in words the person booking can act on.
public struct SchedulingError: SwitchboardError {
    /// What kind of failure, which decides the exit status.
    public enum Kind: Sendable, Equatable {
        /// Malformed input: a time, a duration, a recurrence, an attendee, a calendar file (65).
        case invalidInput
        /// A named meeting, person, group, unit or room does not exist (65).
        case notFound
        /// The booking clashes: the room is taken, attendees are busy, too many people (1).
        case conflict
        /// The meeting is in a state that forbids it (cancelled, in the past) (1).
        case refused
        /// Not the actor's to change (77; audited by the caller through `Session.deny`).
        case denied
    }

    /// The kind.
    public let kind: Kind
    /// What failed, on what, and what to try: one line.
    public let description: String

    /// An error of `kind`.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// See ``SwitchboardError``.
    public var category: ErrorCategory {
        switch kind {
        case .invalidInput, .notFound: .badInput
        case .conflict, .refused: .failed
        case .denied: .denied
        }
    }
}
