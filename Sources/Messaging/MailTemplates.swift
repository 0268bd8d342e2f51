import Foundation
import SwitchboardBase
import Mustache

/// The helpdesk's mail templates, loaded from a folder of Mustache files and rendered by name
/// and language.
///
/// Files are named `NAME.LANG.KIND.mustache` with KIND `subject`, `txt` or `html`, e.g.
/// `welcome.vi.txt.mustache`. Subject and text are rendered without any escaping, so
/// "Lê & Hà" stays "Lê & Hà"; HTML values are HTML-escaped (Mustache's default). The loader
/// itself switches subject and text files to Mustache's TEXT content type, so a template
/// author cannot forget to.
public struct MailTemplates: Sendable {
    /// The language used when a template is not written in the one asked for.
    public static let fallbackLanguage = "vi"

    /// The folder the templates were loaded from.
    public let folder: String

    private struct Key: Hashable {
        let name: String
        let language: String
        let kind: Kind
    }

    private enum Kind: String, CaseIterable {
        case subject, txt, html
    }

    private let templates: [Key: MustacheTemplate]

    /// Loads every `.mustache` file in `folder` (not in subfolders) and parses it.
    ///
    /// - Throws: `MailTemplateError` naming the folder when it cannot be read, or the file (and
    ///   line, for a syntax error) when a file is misnamed, not UTF-8 or not valid Mustache.
    public init(folder: String) throws {
        self.folder = folder
        let fileManager = FileManager.default
        let entries: [String]
        do {
            entries = try fileManager.contentsOfDirectory(atPath: folder)
        } catch {
            throw MailTemplateError(
                .folderUnreadable, file: nil,
                "mail template folder \"\(folder)\" cannot be read (check the path and permissions)"
            )
        }
        var templates: [Key: MustacheTemplate] = [:]
        for file in entries.sorted() where file.hasSuffix(".mustache") {
            let key = try Self.key(forFile: file)
            let path = (folder as NSString).appendingPathComponent(file)
            guard let data = fileManager.contents(atPath: path) else {
                throw MailTemplateError(
                    .folderUnreadable, file: file,
                    "mail template \(file) in \"\(folder)\" cannot be read (check its permissions)"
                )
            }
            guard var text = String(data: data, encoding: .utf8) else {
                throw MailTemplateError(.syntax, file: file, "mail template \(file) is not UTF-8 text; save it as UTF-8")
            }
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            templates[key] = try Self.parse(text, kind: key.kind, file: file)
        }
        self.templates = templates
    }

    /// The template names found, sorted: ["password-reset", "quota-warning", "welcome"].
    public var names: [String] {
        Set(templates.keys.map(\.name)).sorted()
    }

    /// The languages `name` is written in, sorted.
    public func languages(of name: String) -> [String] {
        Set(templates.keys.filter { $0.name == name }.map(\.language)).sorted()
    }

    /// Renders template `name` in `language` with `context` values.
    ///
    /// The language is used when its subject and text files exist; "vi-VN" also tries "vi";
    /// otherwise the Vietnamese template is used. The subject is trimmed to one line, and a line
    /// break that a value brought into it is refused with `MessageError` (`.headerInjection`).
    /// - Parameters:
    ///   - name: The template name, e.g. "welcome".
    ///   - language: A language tag, e.g. "vi" or "en".
    ///   - context: The values, e.g. ["display_name": "Nguyễn Thị Thu Hà", "imap_port": 993].
    ///     A key left out, nil or "" hides an optional `{{#key}}…{{/key}}` section.
    /// - Throws: `MailTemplateError` (`.missingTemplate`) naming the expected file, or
    ///   `MessageError` for an unsafe subject.
    public func render(_ name: String, language: String, context: [String: Any]) throws -> RenderedMail {
        let chosen = try resolveLanguage(name, language: language)
        let values = Self.normalized(context)
        func render(_ kind: Kind) -> String? {
            templates[Key(name: name, language: chosen, kind: kind)]?.render(values)
        }
        let subjectFile = Self.fileName(name, chosen, .subject)
        let rawSubject = render(.subject) ?? ""
        let subject = rawSubject.trimmingCharacters(in: .whitespacesAndNewlines)
        try HeaderSafety.check(subject, field: "subject (from \(subjectFile))")
        return RenderedMail(subject: subject, text: render(.txt) ?? "", html: render(.html), language: chosen)
    }

    /// The context with optionals unwrapped and nil or empty-string values removed.
    ///
    /// swift-mustache prints a nil Optional as "nil" and treats it, like "", as true in a
    /// section; a mail must instead hide the section (`{{#webmail_url}}`) and print nothing.
    private static func normalized(_ context: [String: Any]) -> [String: Any] {
        var values: [String: Any] = [:]
        for (key, value) in context {
            guard let unwrapped = unwrap(value) else { continue }
            if let text = unwrapped as? String, text.isEmpty { continue }
            values[key] = unwrapped
        }
        return values
    }

    /// The value inside any number of Optional layers, or nil.
    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        guard let wrapped = mirror.children.first?.value else { return nil }
        return unwrap(wrapped)
    }

    /// The language to render `name` in, or an error naming the file that is missing.
    private func resolveLanguage(_ name: String, language: String) throws -> String {
        let asked = language.lowercased()
        var candidates = [asked]
        if let primary = asked.split(separator: "-").first.map(String.init), primary != asked {
            candidates.append(primary)
        }
        candidates.append(Self.fallbackLanguage)
        for candidate in candidates {
            let hasSubject = templates[Key(name: name, language: candidate, kind: .subject)] != nil
            let hasText = templates[Key(name: name, language: candidate, kind: .txt)] != nil
            if hasSubject && hasText { return candidate }
            if hasSubject || hasText {
                // Half a template set is a mistake to fix, not a reason to switch language.
                let missing = Self.fileName(name, candidate, hasSubject ? .txt : .subject)
                let present = Self.fileName(name, candidate, hasSubject ? .subject : .txt)
                throw MailTemplateError(
                    .missingTemplate, file: missing,
                    "mail template \(missing) is missing in \"\(folder)\" (\(present) exists); add it"
                )
            }
        }
        let expected = Self.fileName(name, Self.fallbackLanguage, .subject)
        let known = names.isEmpty ? "none" : names.joined(separator: ", ")
        throw MailTemplateError(
            .missingTemplate, file: expected,
            "no mail template \"\(name)\" for language \"\(language)\" or the fallback \"\(Self.fallbackLanguage)\": "
                + "expected \(expected) and \(Self.fileName(name, Self.fallbackLanguage, .txt)) in \"\(folder)\" "
                + "(templates there: \(known))"
        )
    }

    private static func fileName(_ name: String, _ language: String, _ kind: Kind) -> String {
        "\(name).\(language).\(kind.rawValue).mustache"
    }

    private static func key(forFile file: String) throws -> Key {
        let parts = file.dropLast(".mustache".count).split(separator: ".", omittingEmptySubsequences: false)
        let isLanguage = { (text: Substring) in
            !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "-") }
        }
        guard parts.count >= 3, let kind = Kind(rawValue: String(parts[parts.count - 1])),
            isLanguage(parts[parts.count - 2]), parts.dropLast(2).allSatisfy({ !$0.isEmpty })
        else {
            throw MailTemplateError(
                .badFileName, file: file,
                "mail template file \(file) is not named NAME.LANG.KIND.mustache with KIND subject, txt or html "
                    + "(e.g. welcome.vi.txt.mustache); rename it"
            )
        }
        return Key(
            name: parts.dropLast(2).joined(separator: "."), language: parts[parts.count - 2].lowercased(), kind: kind
        )
    }

    /// Put before subject and text templates: switches Mustache to no escaping. It stands on a
    /// line of its own, which Mustache drops with its line break, so output is unchanged and
    /// error line numbers are one too high.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT }}\n"

    /// Put before HTML templates: Mustache's own HTML escaping compares Characters, so a `<`
    /// glued to a combining or prepended mark (one grapheme cluster) would pass unescaped; this
    /// content type escapes by scalar (HTMLEscape). Values in mails come from monitored servers'
    /// banners and from people's names: text nobody here controls.
    private static let htmlPragma = "{{% CONTENT_TYPE: SWITCHBOARD_HTML }}\n"

    /// HTML escaping by scalar, registered once under the name `htmlPragma` uses.
    private struct ScalarHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLEscape.escape(text) }
    }

    private static let registerHTML: Void = MustacheContentTypes.register(ScalarHTML(), named: "SWITCHBOARD_HTML")

    private static func parse(_ text: String, kind: Kind, file: String) throws -> MustacheTemplate {
        let isText = kind != .html
        _ = registerHTML
        do {
            return try MustacheTemplate(string: (isText ? textPragma : htmlPragma) + text)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber - 1
            let reason = (error.error as? MustacheTemplate.Error).flatMap { syntaxReasons[$0] } ?? "\(error.error)"
            throw MailTemplateError(
                .syntax, file: file, line: line,
                "mail template \(file), line \(line), column \(error.context.columnNumber): \(reason) "
                    + "(the line reads \(Quoting.quoted(error.context.line)))"
            )
        }
    }

    /// swift-mustache's parser errors in words. A dictionary rather than a switch so a case added
    /// in a later swift-mustache release falls back to its name instead of breaking the build.
    private static let syntaxReasons: [MustacheTemplate.Error: String] = [
        .sectionCloseNameIncorrect: "a closing tag {{/…}} does not match the section it should close",
        .unfinishedName: "a tag is not closed with }} or has a name with characters not allowed",
        .expectedSectionEnd: "a section {{#…}} or {{^…}} is never closed with {{/…}}",
        .invalidSetDelimiter: "a set-delimiter tag {{=… …=}} is malformed",
        .transformAppliedToInheritanceSection: "a transform is applied to an inheritance section",
        .illegalTokenInsideInheritSection: "a tag is not allowed inside an inheritance section",
        .textInsideInheritSection: "text is not allowed inside an inheritance section",
        .invalidConfigVariableSyntax: "a pragma {{% NAME: VALUE }} is malformed",
        .unrecognisedConfigVariable: "a pragma {{% … }} is not one swift-mustache knows",
    ]
}
