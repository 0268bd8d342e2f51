internal import CICal

/// The process-wide libical settings, made once before the first call into libical.
enum LibICal {
    /// libical's default is to abort the process on an internal error (errors-are-fatal): bad
    /// input must come back as an error instead.
    private static let configured: Bool = {
        icalerror_set_errors_are_fatal(0)
        return true
    }()

    /// Makes sure the global options are set; cheap after the first call.
    static func prepare() {
        _ = configured
    }

    /// A string from a libical `*_r` function, freed here.
    static func take(_ buffer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let buffer else { return nil }
        defer { CICal_free(buffer) }
        return String(cString: buffer)
    }

    /// libical's error state as words an operator can read, or nil when it has none.
    static func lastError() -> String? {
        let code = CICal_errno()
        guard code != ICAL_NO_ERROR, let text = icalerror_strerror(code) else { return nil }
        return String(cString: text)
    }
}

extension LibICal {
    /// The one check after building with libical: its error state, cleared, as a ``CalendarError``.
    static func check(_ what: @autoclosure () -> String) throws(CalendarError) {
        guard let problem = lastError() else { return }
        CICal_clear_errno()
        throw CalendarError(.cannotWrite, "libical refused \(what()): \(problem); check that value")
    }
}

/// Owns one libical component tree (the root and everything added to it) and frees it once.
final class ICalTree {
    let root: OpaquePointer

    init(_ root: OpaquePointer) {
        self.root = root
    }

    deinit {
        icalcomponent_free(root)
    }

    /// The direct children of `parent` of one kind, in order (libical keeps one cursor per
    /// component: this takes them all before the caller looks at any).
    static func children(of parent: OpaquePointer, _ kind: icalcomponent_kind) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var child = icalcomponent_get_first_component(parent, kind)
        while let current = child {
            result.append(current)
            child = icalcomponent_get_next_component(parent, kind)
        }
        return result
    }

    /// The properties of `component` of one kind (`ICAL_ANY_PROPERTY` for all), in order.
    static func properties(of component: OpaquePointer, _ kind: icalproperty_kind) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var property = icalcomponent_get_first_property(component, kind)
        while let current = property {
            result.append(current)
            property = icalcomponent_get_next_property(component, kind)
        }
        return result
    }

    /// The parameters meetings read (CN, SENT-BY, ROLE, PARTSTAT, RSVP, CUTYPE) in one pass over the
    /// property's parameters, through libical's typed getters (no text built and parsed back).
    static func parameters(_ property: OpaquePointer) -> [icalparameter_kind: String] {
        var found: [icalparameter_kind: String] = [:]
        func text(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        func word(_ value: Int32, isX: Bool, _ parameter: OpaquePointer) -> String? {
            isX ? text(icalparameter_get_xvalue(parameter)) : text(icalparameter_enum_to_string(value))
        }
        var parameter = icalproperty_get_first_parameter(property, ICAL_ANY_PARAMETER)
        while let current = parameter {
            let kind = icalparameter_isa(current)
            if found[kind] == nil {
                switch kind {
                case ICAL_CN_PARAMETER: found[kind] = text(icalparameter_get_cn(current))
                case ICAL_SENTBY_PARAMETER: found[kind] = text(icalparameter_get_sentby(current))
                case ICAL_ROLE_PARAMETER:
                    let value = icalparameter_get_role(current)
                    found[kind] = word(Int32(value.rawValue), isX: value == ICAL_ROLE_X, current)
                case ICAL_PARTSTAT_PARAMETER:
                    let value = icalparameter_get_partstat(current)
                    found[kind] = word(Int32(value.rawValue), isX: value == ICAL_PARTSTAT_X, current)
                case ICAL_CUTYPE_PARAMETER:
                    let value = icalparameter_get_cutype(current)
                    found[kind] = word(Int32(value.rawValue), isX: value == ICAL_CUTYPE_X, current)
                case ICAL_RSVP_PARAMETER:
                    found[kind] = icalparameter_get_rsvp(current) == ICAL_RSVP_TRUE ? "TRUE" : "FALSE"
                default: break
                }
            }
            parameter = icalproperty_get_next_parameter(property, ICAL_ANY_PARAMETER)
        }
        return found
    }
}
