/// An error that knows which exit status (DESIGN.md) it stands for, for errors of modules the
/// command-line layer does not import (mail transport, mail server steps).
public protocol ExitStatusProviding: Error {
    /// 1 failed, 64 usage, 65 bad data, 69 unavailable, 77 denied.
    var exitStatus: Int32 { get }
}
