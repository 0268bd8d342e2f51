import Foundation
import SwitchboardCore
import SwitchboardBase
import Testing

/// Swift's String == uses canonical equivalence, so compare scalars to test normalization for real.
private func scalars(_ text: String) -> [Unicode.Scalar] {
    Array(text.unicodeScalars)
}

/// The reason an address is rejected, or nil when it is accepted.
private func rejection(_ text: String) -> String? {
    do {
        _ = try EmailAddress(text)
        return nil
    } catch let error as EmailAddressError {
        return error.reason
    } catch {
        return "unexpected error \(error)"
    }
}

private let composed = "Nguy\u{1EC5}n"           // ễ precomposed
private let decomposed = "Nguye\u{0302}\u{0303}n" // e + circumflex + tilde

@Suite struct NormalizationTests {
    @Suite struct Text {
        @Test func nfcUnifiesComposedAndDecomposed() {
            #expect(scalars(composed) != scalars(decomposed))
            #expect(scalars(TextNormalization.nfc(decomposed)) == scalars(composed))
            #expect(scalars(TextNormalization.nfc(composed)) == scalars(composed))
            #expect(scalars(TextNormalization.nfc("  \(decomposed) Va\u{0306}n\n")) == scalars("\(composed) V\u{0103}n"))
        }

        @Test func searchKeyIgnoresAccentsCaseAndForm() {
            #expect(Array(TextNormalization.searchKey(composed).utf8) == Array("nguyen".utf8))
            #expect(Array(TextNormalization.searchKey(decomposed).utf8) == Array("nguyen".utf8))
            let key = TextNormalization.searchKey("Nguyễn Văn Đức")
            #expect(Array(key.utf8) == Array("nguyen van duc".utf8))
            #expect(key.contains("nguyen"))
            #expect(key.contains(TextNormalization.searchKey("ĐỨC")))
            #expect(Array(TextNormalization.searchKey("  NGUYỄN\t\tVăn \n  đức  ").utf8) == Array("nguyen van duc".utf8))
            #expect(Array(TextNormalization.searchKey("Trần Thị Hương Giang").utf8) == Array("tran thi huong giang".utf8))
            #expect(TextNormalization.searchKey("").isEmpty)
        }

        @Test func acceptableSingleLineText() {
            #expect(TextNormalization.problem(inSingleLine: "Nguyễn Văn Đức", maxLength: 200) == nil)
            #expect(TextNormalization.problem(inSingleLine: String(repeating: "a", count: 200), maxLength: 200) == nil)
            // Character count, not scalars: 200 decomposed "ễ" are 600 scalars but 200 characters.
            #expect(TextNormalization.problem(inSingleLine: String(repeating: "e\u{0302}\u{0303}", count: 200), maxLength: 200) == nil)
            // A no-break space is not a control character.
            #expect(TextNormalization.problem(inSingleLine: "Phòng\u{00A0}Tổ chức", maxLength: 200) == nil)
        }

        @Test func rejectedSingleLineText() {
            let cases: [(String, String)] = [
                ("", "is empty"),
                ("   ", "is empty"),
                ("a\nb", "contains a line break (CR or LF)"),
                ("a\rb", "contains a line break (CR or LF)"),
                ("a\r\nb", "contains a line break (CR or LF)"),
                ("a\0b", "contains a NUL byte"),
                ("a\u{7}b", "contains a control character U+0007"),
                ("a\tb", "contains a tab (U+0009)"),
                ("a\u{7F}", "contains a control character U+007F"),
                ("a\u{85}", "contains a control character U+0085"),
                ("a\u{9B}b", "contains a control character U+009B"),
                ("a\u{2028}b", "contains a Unicode line or paragraph separator U+2028"),
                ("a\u{2029}b", "contains a Unicode line or paragraph separator U+2029"),
                ("evil\u{202E}gpj.exe", "contains a bidirectional override character U+202E"),
                ("a\u{202A}b", "contains a bidirectional override character U+202A"),
                ("a\u{2066}b", "contains a bidirectional override character U+2066"),
                ("a\u{2069}b", "contains a bidirectional override character U+2069"),
                (String(repeating: "a", count: 201), "is longer than 200 characters (201)"),
            ]
            for (input, reason) in cases {
                #expect(TextNormalization.problem(inSingleLine: input, maxLength: 200) == reason, "\(input.debugDescription)")
            }
        }

        @Test func hugeTextIsRejectedWithItsLength() {
            let huge = String(repeating: "a", count: 1_048_576)
            #expect(TextNormalization.problem(inSingleLine: huge, maxLength: 200) == "is longer than 200 characters (1048576)")
        }
    }

    @Suite struct Puny {
        @Test func rfc3492Vectors() {
            #expect(Punycode.encode("bücher") == "bcher-kva")
            #expect(Punycode.encode("münchen") == "mnchen-3ya")
            #expect(Punycode.encode("ü") == "tda")
            #expect(Punycode.encode("abc") == "abc-")
            // RFC 3492 section 7.1 samples (L) Vietnamese and (B) Chinese (simplified).
            #expect(Punycode.encode("T\u{1EA1}isaoh\u{1ECD}kh\u{00F4}ngth\u{1EC3}ch\u{1EC9}n\u{00F3}iti\u{1EBF}ngVi\u{1EC7}t")
                == "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g")
            #expect(Punycode.encode("\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}")
                == "ihqwcrb4cv8a8dqg056pqjye")
        }

        @Test func vietnameseVectorsFromPython() {
            // Expected values computed with Python 3: "bộ".encode("punycode"), "bộ-nội-vụ.vn".encode("idna").
            #expect(Punycode.encode("b\u{1ED9}") == "b-8xm")
            #expect(Punycode.encode("bộ-nội-vụ") == "b-ni-v-3n8bc5i")
            #expect(Punycode.encode("việt") == "vit-5kz")
            #expect(Punycode.encode("đức") == "c-kia430u")
            #expect(Punycode.encode("nguyễn") == "nguyn-s71b")
            #expect(Punycode.encode("đ") == "fea")
            #expect(Punycode.toASCII(domain: "bộ-nội-vụ.vn") == "xn--b-ni-v-3n8bc5i.vn")
        }

        @Test func toASCIINormalizesCaseAndForm() {
            #expect(Punycode.toASCII(domain: "BỘ-Nội-Vụ.VN") == "xn--b-ni-v-3n8bc5i.vn")
            #expect(Punycode.toASCII(domain: "bo\u{0323}\u{0302}.vn") == "xn--b-8xm.vn")
            #expect(Punycode.toASCII(domain: "Example.COM") == "example.com")
            #expect(Punycode.toASCII(domain: "XN--B-8XM.vn") == "xn--b-8xm.vn")
            #expect(Punycode.toASCII(domain: "bộ\u{3002}vn") == "xn--b-8xm.vn")
        }

        @Test func toASCIIRejectsBadDomains() {
            #expect(Punycode.toASCII(domain: "a..vn") == nil)
            #expect(Punycode.toASCII(domain: "x.vn.") == nil)
            #expect(Punycode.toASCII(domain: "") == nil)
            #expect(Punycode.toASCII(domain: String(repeating: "a", count: 63) + ".vn") != nil)
            #expect(Punycode.toASCII(domain: String(repeating: "a", count: 64) + ".vn") == nil)
            // 60 non-ASCII letters need more than 59 punycode digits after "xn--".
            #expect(Punycode.toASCII(domain: String(repeating: "ộ", count: 60) + ".vn") == nil)
            let label = String(repeating: "a", count: 63)
            #expect(Punycode.toASCII(domain: [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")) != nil)
            #expect(Punycode.toASCII(domain: [label, label, label, String(repeating: "b", count: 62)].joined(separator: ".")) == nil)
            // "xn--bo-dub5k" is the punycode of the NFD form: not a canonical A-label.
            #expect(Punycode.toASCII(domain: "xn--bo-dub5k.vn") == nil)
            #expect(Punycode.toASCII(domain: "xn--abc-.vn") == nil)
            #expect(Punycode.toASCII(domain: "xn--.vn") == nil)
        }
    }

    @Suite struct Email {
        @Test func keyIgnoresCase() throws {
            let upper = try EmailAddress("A@X.VN")
            let lower = try EmailAddress("a@x.vn")
            #expect(upper.key == "a@x.vn")
            #expect(upper.key == lower.key)
            #expect(upper.display == "A@X.VN")
            #expect(upper.localPart == "A")
            #expect(upper.asciiDomain == "x.vn")
            #expect(upper == lower)
            #expect(Set([upper, lower]).count == 1)
            #expect(upper.description == "A@X.VN")
        }

        @Test func idnDomainKeyEqualsPunycodeForm() throws {
            let unicode = try EmailAddress("Duc.Nguyen@Bộ-Nội-Vụ.vn")
            let ascii = try EmailAddress("duc.nguyen@xn--b-ni-v-3n8bc5i.vn")
            #expect(unicode.key == "duc.nguyen@xn--b-ni-v-3n8bc5i.vn")
            #expect(unicode.key == ascii.key)
            #expect(unicode.asciiDomain == "xn--b-ni-v-3n8bc5i.vn")
            #expect(unicode.asciiDomain == Punycode.toASCII(domain: "Bộ-Nội-Vụ.vn"))
            #expect(scalars(unicode.display) == scalars("Duc.Nguyen@Bộ-Nội-Vụ.vn".precomposedStringWithCanonicalMapping))
            #expect(try EmailAddress("a@b\u{1ED9}.vn").key == "a@xn--b-8xm.vn")
            #expect(try EmailAddress("a@b\u{1ED9}.vn").key == EmailAddress("a@xn--b-8xm.vn").key)
        }

        @Test func nfcAndNFDInputShareAKey() throws {
            let nfc = try EmailAddress("a@b\u{1ED9}.vn")
            let nfd = try EmailAddress("a@bo\u{0323}\u{0302}.vn")
            #expect(nfc.key == nfd.key)
            #expect(scalars(nfc.display) == scalars(nfd.display))
            #expect(nfc == nfd)
        }

        @Test func acceptsValidAddresses() throws {
            let address = try EmailAddress("  first.last+tag!#$%&'*/=?^_`{|}~-@sub.example.com.vn ")
            #expect(address.display == "first.last+tag!#$%&'*/=?^_`{|}~-@sub.example.com.vn")
            #expect(try EmailAddress(String(repeating: "a", count: 64) + "@x.vn").localPart.count == 64)
            #expect(try EmailAddress("x@a1-b.c0m").asciiDomain == "a1-b.c0m")
            #expect(try EmailAddress("info@việt.vn").asciiDomain == "xn--vit-5kz.vn")
            #expect(try EmailAddress("x@đức.com").asciiDomain == "xn--c-kia430u.com")
        }

        @Test func rejectsMalformedAddresses() {
            let label = String(repeating: "a", count: 63)
            let longDomain = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
            let cases: [(String, String)] = [
                ("", "is empty"),
                ("   ", "is empty"),
                ("alice", "has no @"),
                ("a@b@x.vn", "contains more than one @"),
                ("@x.vn", "local part is empty"),
                ("a@", "domain is empty"),
                ("a b@x.vn", "contains a space"),
                ("a@x.vn\r\nBcc: eve@evil.vn", "contains a line break"),
                ("a@x.vn\n", "contains a line break"),
                ("a\u{2028}@x.vn", "contains a line break"),
                ("a\0@x.vn", "contains a NUL byte"),
                ("a\t@x.vn", "contains a tab"),
                ("a\u{1B}@x.vn", "contains a control character U+001B"),
                ("a\u{200B}@x.vn", "contains an invisible formatting character U+200B"),
                ("a@x\u{202E}.vn", "contains an invisible formatting character U+202E"),
                ("a\u{3000}b@x.vn", "contains a space"),
                (".a@x.vn", "local part starts with a dot"),
                ("a.@x.vn", "local part ends with a dot"),
                ("a..b@x.vn", "local part contains two consecutive dots"),
                ("a(b)@x.vn", "local part contains a character that is not allowed: \"(\""),
                ("\"a\"@x.vn", "local part contains a character that is not allowed: \"\"\""),
                ("nguy\u{1EC5}n@x.vn", "local part contains a non-ASCII character U+1EC5"),
                (String(repeating: "a", count: 65) + "@x.vn", "local part is longer than 64 octets (65)"),
                ("a@localhost", "domain needs at least two labels (like example.vn)"),
                ("a@x..vn", "domain contains two consecutive dots"),
                ("a@.x.vn", "domain starts with a dot"),
                ("a@x.vn.", "domain ends with a dot"),
                ("a@-x.vn", "domain label \"-x\" starts with a hyphen"),
                ("a@x-.vn", "domain label \"x-\" ends with a hyphen"),
                ("a@x_y.vn", "domain contains a character that is not allowed: \"_\""),
                ("a@[1.2.3.4]", "domain contains a character that is not allowed: \"[\""),
                ("a@x.123", "top-level domain \"123\" is all-numeric"),
                ("a@1.2.3.4", "top-level domain \"4\" is all-numeric"),
                ("a@\u{2603}.vn", "domain contains a character that is not allowed: U+2603"),
                ("a@x!\u{1ED9}.vn", "domain contains a character that is not allowed: \"!\""),
                ("a@xn--bo-dub5k.vn", "domain label \"xn--bo-dub5k\" is not valid punycode"),
                ("a@\u{0301}x.vn", "domain label \"\u{0301}x\" starts with a combining mark"),
                ("a@" + String(repeating: "a", count: 64) + ".vn",
                 "domain label \"\(String(repeating: "a", count: 64))\" is longer than 63 octets (64)"),
                ("a@" + longDomain + "b", "domain is longer than 253 octets (254)"),
                (String(repeating: "a", count: 64) + "@" + longDomain, "is longer than 254 octets (318)"),
                (String(repeating: "a", count: 2000) + "@x.vn", "is longer than 254 octets"),
            ]
            for (input, reason) in cases {
                #expect(rejection(input) == reason, "\(input.debugDescription)")
            }
        }

        @Test func errorDescriptionIsSafeAndTruncated() {
            let spaced = #expect(throws: EmailAddressError.self) { try EmailAddress("a b@x.vn") }
            #expect(spaced?.description == "invalid e-mail address \"a b@x.vn\": contains a space")
            let hostile = "a@x.vn\r\n\u{1B}[31m\"" + String(repeating: "z", count: 500)
            let error = #expect(throws: EmailAddressError.self) { try EmailAddress(hostile) }
            let input = error?.input ?? ""
            #expect(error?.reason == "contains a line break")
            #expect(!input.unicodeScalars.contains("\r"))
            #expect(!input.unicodeScalars.contains("\n"))
            #expect(!input.unicodeScalars.contains("\u{1B}"))
            #expect(input.hasPrefix("a@x.vn\\r\\n\\u{1B}[31m\\\"zzz"))
            #expect(input.hasSuffix("z…"))
            #expect(input.count < 100)
            #expect(error?.description.unicodeScalars.contains("\n") == false)
        }
    }
}
