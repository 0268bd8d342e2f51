import Foundation
import Testing

@testable import Messaging
import SwitchboardBase

@Suite struct MailTemplatesTests {
    static let password = "S3cret-Pa55!"

    static var context: [String: Any] {
        [
            "display_name": "Nguyễn Thị Thu Hà",
            "address": "ha@bo.gov.vn",
            "helpdesk_name": "Trung tâm CNTT",
            "helpdesk_phone": "024 3825 1234",
            "helpdesk_email": "hotro@bo.gov.vn",
            "imap_host": "imap.bo.gov.vn",
            "imap_port": 993,
            "smtp_host": "smtp.bo.gov.vn",
            "submission_port": 587,
            "webmail_url": "https://mail.bo.gov.vn",
            "time": "09:05 ngày 03/06/2025",
            "used_mb": 1843,
            "quota_mb": 2048,
            "percent": 90,
            // Present to prove no template ever prints it.
            "password": password,
        ]
    }

    static func templates() throws -> MailTemplates {
        try MailTemplates(folder: TestSupport.templateFolder)
    }

    @Test func shipsEveryTemplateInVietnameseAndEnglish() throws {
        let templates = try Self.templates()
        #expect(templates.names == ["password-reset", "quota-warning", "welcome"])
        for name in templates.names {
            #expect(templates.languages(of: name) == ["en", "vi"])
        }
    }

    @Test func welcomeInVietnamese() throws {
        let mail = try Self.templates().render("welcome", language: "vi", context: Self.context)
        #expect(mail.language == "vi")
        #expect(mail.subject == "Hộp thư mới của bạn: ha@bo.gov.vn")
        #expect(mail.text.hasPrefix("Kính gửi Nguyễn Thị Thu Hà,\n"))
        #expect(mail.text.contains("máy chủ imap.bo.gov.vn, cổng 993"))
        #expect(mail.text.contains("máy chủ smtp.bo.gov.vn, cổng 587"))
        #expect(mail.text.contains("trình duyệt tại: https://mail.bo.gov.vn\n"))
        #expect(mail.text.contains("mật khẩu không được gửi qua thư điện tử"))
        #expect(mail.text.contains("024 3825 1234"))
        let html = try #require(mail.html)
        #expect(html.contains("<html lang=\"vi\">"))
        #expect(html.contains("<a href=\"https://mail.bo.gov.vn\">"))
    }

    @Test func welcomeInEnglish() throws {
        let mail = try Self.templates().render("welcome", language: "en", context: Self.context)
        #expect(mail.language == "en")
        #expect(mail.subject == "Your new mailbox: ha@bo.gov.vn")
        #expect(mail.text.hasPrefix("Dear Nguyễn Thị Thu Hà,\n"))
        #expect(mail.text.contains("server imap.bo.gov.vn, port 993"))
        #expect(mail.text.contains("the password is never sent by e-mail"))
    }

    @Test(arguments: ["left out", "nil", "empty"])
    func webmailLineIsLeftOutWithoutAURL(how: String) throws {
        var context = Self.context
        switch how {
        case "nil": context["webmail_url"] = String?.none as Any
        case "empty": context["webmail_url"] = ""
        default: context["webmail_url"] = nil
        }
        let mail = try Self.templates().render("welcome", language: "vi", context: context)
        #expect(!mail.text.contains("trình duyệt"))
        #expect(!mail.text.contains("nil"))
        #expect(!mail.text.contains("\n\n\n"), "the hidden section must not leave a gap")
        #expect(mail.html?.contains("trình duyệt") == false)
    }

    /// A `<` glued to a prepended or combining mark is one Character, which an escaper that
    /// compares Characters (Mustache's own) lets through: the HTML part escapes by scalar.
    @Test(arguments: ["\u{0600}<img src=x onerror=alert(1)>", "<\u{0301}img src=x onerror=alert(1)>"])
    func htmlPartsEscapeMarkupGluedToMarks(hostile: String) throws {
        var context = Self.context
        context["display_name"] = hostile
        let mail = try Self.templates().render("welcome", language: "en", context: context)
        let html = try #require(mail.html)
        // Byte by byte: String.contains compares Characters, the very thing that hides the `<`.
        let bytes = Data(html.utf8)
        #expect(bytes.range(of: Data("<img".utf8)) == nil && bytes.range(of: Data("<\u{0301}img".utf8)) == nil, "\(html)")
        #expect(bytes.range(of: Data("&lt;".utf8)) != nil)
        #expect(mail.text.contains(hostile), "the text part keeps the value as it is")
        #expect(HTMLEscape.escape(hostile).unicodeScalars.filter { $0 == "<" }.isEmpty)
    }

    @Test func optionalValuesPrintTheirContent() throws {
        var context = Self.context
        context["display_name"] = String?.some("Nguyễn Thị Thu Hà") as Any
        let mail = try Self.templates().render("welcome", language: "en", context: context)
        #expect(mail.text.hasPrefix("Dear Nguyễn Thị Thu Hà,\n"))
    }

    @Test func passwordResetAndQuotaWarningCarryTheirValues() throws {
        let templates = try Self.templates()
        let reset = try templates.render("password-reset", language: "vi", context: Self.context)
        #expect(reset.subject == "Mật khẩu hộp thư ha@bo.gov.vn đã được đặt lại")
        #expect(reset.text.contains("đặt lại lúc 09:05 ngày 03/06/2025"))
        #expect(reset.text.contains("không yêu cầu đặt lại mật khẩu, vui lòng gọi ngay cho bộ phận hỗ trợ theo số 024 3825 1234"))
        let resetEn = try templates.render("password-reset", language: "en", context: Self.context)
        #expect(resetEn.text.contains("call the helpdesk at 024 3825 1234"))

        let quota = try templates.render("quota-warning", language: "vi", context: Self.context)
        #expect(quota.subject == "Hộp thư ha@bo.gov.vn sắp đầy (90%)")
        #expect(quota.text.contains("đang dùng 1843 MB trên tổng dung lượng 2048 MB (90%)"))
        let quotaEn = try templates.render("quota-warning", language: "en", context: Self.context)
        #expect(quotaEn.text.contains("using 1843 MB of its 2048 MB (90%)"))
    }

    @Test func noTemplateEverContainsThePassword() throws {
        let templates = try Self.templates()
        for name in templates.names {
            for language in ["vi", "en"] {
                let mail = try templates.render(name, language: language, context: Self.context)
                for part in [mail.subject, mail.text, mail.html ?? ""] {
                    #expect(!part.contains(Self.password), "\(name).\(language) prints the password")
                    #expect(!part.contains("{{") && !part.contains("}}"))
                }
                #expect(mail.text.contains("024 3825 1234") || mail.text.contains("hotro@bo.gov.vn"))
                #expect(mail.text.contains("ha@bo.gov.vn"))
            }
        }
    }

    @Test func templateFilesAreNFCSoDiacriticsShowEverywhere() throws {
        let folder = TestSupport.templateFolder
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(text.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars), "\(file) is not NFC")
        }
    }

    @Test func missingLanguageFallsBackToVietnamese() throws {
        let templates = try Self.templates()
        let french = try templates.render("welcome", language: "fr", context: Self.context)
        #expect(french.language == "vi")
        #expect(french.subject == "Hộp thư mới của bạn: ha@bo.gov.vn")
        #expect(try templates.render("welcome", language: "en-US", context: Self.context).language == "en")
        #expect(try templates.render("welcome", language: "VI", context: Self.context).language == "vi")
    }

    @Test func valuesAreVerbatimInTextAndEscapedInHTML() throws {
        var context = Self.context
        context["display_name"] = "Lê & Hà <x>"
        let folder = try TestSupport.folder(with: ["hi.vi.subject.mustache": "Chào {{display_name}}\n", "hi.vi.txt.mustache": "-"])
        let subject = try MailTemplates(folder: folder).render("hi", language: "vi", context: context).subject
        #expect(subject == "Chào Lê & Hà <x>")

        let mail = try Self.templates().render("welcome", language: "vi", context: context)
        #expect(mail.text.contains("Kính gửi Lê & Hà <x>,"))
        #expect(!mail.text.contains("&amp;"))
        let html = try #require(mail.html)
        #expect(html.contains("Kính gửi Lê &amp; Hà &lt;x&gt;,"))
        #expect(!html.contains("Lê & Hà <x>"))
    }

    @Test func missingTemplateNamesTheExpectedFile() throws {
        let error = try #require(throws: MailTemplateError.self) {
            try Self.templates().render("account-closed", language: "en", context: Self.context)
        }
        #expect(error.code == .missingTemplate)
        #expect(error.file == "account-closed.vi.subject.mustache")
        #expect(error.description.contains("account-closed.vi.subject.mustache"))
        #expect(error.description.contains("welcome"), "the error lists what exists")
    }

    @Test func halfATemplateSetIsAnErrorNotAFallback() throws {
        let folder = try TestSupport.folder(with: [
            "notice.vi.subject.mustache": "Thông báo", "notice.vi.txt.mustache": "Nội dung",
            "notice.en.subject.mustache": "Notice",
        ])
        let error = try #require(throws: MailTemplateError.self) {
            try MailTemplates(folder: folder).render("notice", language: "en", context: [:])
        }
        #expect(error.file == "notice.en.txt.mustache")
        #expect(error.description.contains("notice.en.txt.mustache is missing"))
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let folder = try TestSupport.folder(with: [
            "broken.vi.subject.mustache": "Chủ đề",
            "broken.vi.txt.mustache": "Dòng 1\nDòng 2 {{#webmail_url}}\nDòng 3 {{/webmail}}\n",
        ])
        let error = try #require(throws: MailTemplateError.self) { try MailTemplates(folder: folder) }
        #expect(error.code == .syntax)
        #expect(error.file == "broken.vi.txt.mustache")
        #expect(error.line == 3)
        #expect(error.description.contains("broken.vi.txt.mustache, line 3"))
        #expect(error.description.contains("does not match"))
    }

    @Test func syntaxErrorLineIsRightInHTMLToo() throws {
        let folder = try TestSupport.folder(with: ["x.vi.html.mustache": "<p>\n{{#open}}\n</p>\n"])
        let error = try #require(throws: MailTemplateError.self) { try MailTemplates(folder: folder) }
        #expect(error.file == "x.vi.html.mustache")
        #expect(error.description.contains("never closed"))
        let firstLine = try TestSupport.folder(with: ["y.vi.txt.mustache": "{{#a}}{{/b}}\nline 2\n"])
        let first = try #require(throws: MailTemplateError.self) { try MailTemplates(folder: firstLine) }
        #expect(first.line == 1)
    }

    @Test func misnamedFileIsRefused() throws {
        let folder = try TestSupport.folder(with: ["welcome.txt.mustache": "x"])
        let error = try #require(throws: MailTemplateError.self) { try MailTemplates(folder: folder) }
        #expect(error.code == .badFileName)
        #expect(error.description.contains("welcome.txt.mustache"))
    }

    @Test func missingFolderIsNamed() throws {
        let error = try #require(throws: MailTemplateError.self) { try MailTemplates(folder: "/nonexistent/mail") }
        #expect(error.code == .folderUnreadable)
        #expect(error.description.contains("/nonexistent/mail"))
    }

    @Test func lineBreakFromAValueIntoTheSubjectIsRefused() throws {
        var context = Self.context
        context["address"] = "ha@bo.gov.vn\r\nBcc: everyone@bo.gov.vn"
        let error = try #require(throws: MessageError.self) {
            try Self.templates().render("welcome", language: "vi", context: context)
        }
        #expect(error.code == .headerInjection)
        #expect(error.field == "subject (from welcome.vi.subject.mustache)")
    }

    @Test func subjectIsTrimmedToOneLine() throws {
        let folder = try TestSupport.folder(with: ["s.vi.subject.mustache": "\n  Chào {{name}}  \n\n", "s.vi.txt.mustache": "x"])
        let mail = try MailTemplates(folder: folder).render("s", language: "vi", context: ["name": "Hà"])
        #expect(mail.subject == "Chào Hà")
        #expect(mail.html == nil)
    }

    @Test func renderedTemplateTravelsIntactThroughARealParser() throws {
        let content = try Self.templates().render("welcome", language: "vi", context: Self.context)
        let message = MailMessage(
            from: try Mailbox(displayName: "Trung tâm CNTT", address: "hotro@bo.gov.vn"),
            to: [try Mailbox(displayName: "Nguyễn Thị Thu Hà", address: "ha@bo.gov.vn")],
            content: content
        )
        let view = try TestSupport.python(try message.render())
        #expect(view.defects.isEmpty)
        #expect(view.subject == content.subject)
        #expect(view.text == TestSupport.crlf(content.text))
        #expect(view.html == content.html.map(TestSupport.crlf))
    }
}
