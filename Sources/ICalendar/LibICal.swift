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

    /// A parameter's value as text ("CN", "PARTSTAT"), or nil when the property has none.
    static func parameter(_ property: OpaquePointer, _ name: String) -> String? {
        LibICal.take(icalproperty_get_parameter_as_string_r(property, name))
    }
}
