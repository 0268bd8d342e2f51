import Foundation
import SwitchboardBase

/// LIKE patterns built from user text: `\`, `%` and `_` escaped, for `... LIKE ? ESCAPE '\\'`.
enum SQLLike {
    /// The text with LIKE's wildcards and the escape character escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
