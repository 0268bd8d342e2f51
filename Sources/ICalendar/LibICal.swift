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
