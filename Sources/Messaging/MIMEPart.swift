public import Foundation
import SwitchboardBase

/// One body part of a message besides the text and HTML bodies: a calendar invitation inside
/// multipart/alternative, or an attachment inside multipart/mixed.
public struct MIMEPart: Sendable, Hashable {
    /// How the part's body is written on the wire.
    public enum TransferEncoding: String, Sendable, Hashable {
        /// ASCII lines of at most 998 characters, sent as they are.
        case sevenBit = "7bit"
        /// Quoted-printable: for text that is mostly ASCII.
        case quotedPrintable = "quoted-printable"
        /// Base64: for binary data.
        case base64
    }

    /// The part's content before transfer encoding.
    public enum Content: Sendable, Hashable {
        /// Text: line breaks are normalized to CRLF and it is written as UTF-8.
        case text(String)
        /// Bytes, written exactly.
        case data(Data)
    }

    /// How mail clients should present the part.
    public enum Disposition: Sendable, Hashable {
        /// Shown in the message.
        case inline
        /// Offered as a file to save, under this name.
        case attachment(filename: String)
    }

    /// The full Content-Type value, e.g. `text/calendar; charset=UTF-8; method=REQUEST`.
    public var contentType: String
    /// The content.
    public var content: Content
    /// The transfer encoding used to write the content.
    public var transferEncoding: TransferEncoding
    /// The Content-Disposition, or nil to write none.
    public var disposition: Disposition?

    /// A text part, e.g. a calendar invitation: `text/calendar; charset=UTF-8; method=REQUEST`.
    public init(
        contentType: String, text: String, transferEncoding: TransferEncoding = .quotedPrintable,
        disposition: Disposition? = nil
    ) {
        self.contentType = contentType
        self.content = .text(text)
        self.transferEncoding = transferEncoding
        self.disposition = disposition
    }

    /// A binary part, base64-encoded by default.
    public init(
        contentType: String, data: Data, transferEncoding: TransferEncoding = .base64,
        disposition: Disposition? = nil
    ) {
        self.contentType = contentType
        self.content = .data(data)
        self.transferEncoding = transferEncoding
        self.disposition = disposition
    }

    /// An attachment offered for download as `filename`, base64-encoded.
    public static func attachment(filename: String, contentType: String, data: Data) -> MIMEPart {
        MIMEPart(contentType: contentType, data: data, disposition: .attachment(filename: filename))
    }
}
