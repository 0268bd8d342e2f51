import Foundation
import SwitchboardCore
import SwitchboardBase
import Testing

/// Parses a string literal as UTF-8 bytes.
private func parse(_ text: String) throws -> CSVTable {
    try CSVReader.parse(Data(text.utf8))
}

/// Returns the CSVError thrown for `bytes`, or nil when parsing succeeded or threw something else.
private func csvError(_ bytes: [UInt8]) -> CSVError? {
    do {
        _ = try CSVReader.parse(Data(bytes))
        return nil
    } catch let error as CSVError {
        return error
    } catch {
        return nil
    }
}

private func csvError(_ text: String) -> CSVError? {
    csvError(Array(text.utf8))
}

@Suite struct CSVTests {
    @Suite struct Reader {
        @Test func quotedFieldsWithCommasNewlinesAndDoubledQuotes() throws {
            let text = "name,note\r\n"
                + "\"Doe, John\",\"He said \"\"hi\"\"\"\r\n"
                + "\"multi\r\nline\",\"x\ny\"\r\n"
                + "last,row\r\n"
            let table = try parse(text)
            #expect(table.header == ["name", "note"])
            #expect(table.rows.count == 3)
            #expect(table.rows.map(\.fields) == [
                ["Doe, John", "He said \"hi\""],
                ["multi\nline", "x\ny"],
                ["last", "row"],
            ])
            // Line numbers are physical lines: record 2 spans lines 3-5.
            #expect(table.rows.map(\.line) == [2, 3, 6])
        }

        @Test func embeddedLineBreaksAreReturnedAsLF() throws {
            let table = try parse("a\n\"one\r\ntwo\rthree\nfour\"\n")
            #expect(Array(table.rows[0].fields[0].utf8) == Array("one\ntwo\nthree\nfour".utf8))
            #expect(table.rows[0].line == 2)
        }

        @Test func byteOrderMarkIsStripped() throws {
            let table = try CSVReader.parse(Data([0xEF, 0xBB, 0xBF] + Array("email,name\nx@y.vn,X\n".utf8)))
            #expect(table.header == ["email", "name"])
            #expect(table.header[0].unicodeScalars.first == "e")
            #expect(table.rows.map(\.fields) == [["x@y.vn", "X"]])
            #expect(table.rows.map(\.line) == [2])
        }

        @Test func crlfAndLFAndMixedGiveTheSameResult() throws {
            let lf = "h1,h2\n\"a\nb\",c\n\nd,\"e,f\"\n"
            let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
            let mixed = "h1,h2\r\n\"a\r\nb\",c\n\r\nd,\"e,f\""
            let expected = try parse(lf)
            #expect(expected.rows.map(\.fields) == [["a\nb", "c"], ["d", "e,f"]])
            #expect(expected.rows.map(\.line) == [2, 5])
            for variant in [crlf, mixed] {
                let table = try parse(variant)
                #expect(table.header == expected.header)
                #expect(table.rows.map(\.fields) == expected.rows.map(\.fields))
                #expect(table.rows.map(\.line) == expected.rows.map(\.line))
            }
        }

        @Test func loneCarriageReturnEndsALine() throws {
            let table = try parse("a,b\r1,2\r3,4")
            #expect(table.rows.map(\.fields) == [["1", "2"], ["3", "4"]])
            #expect(table.rows.map(\.line) == [2, 3])
        }

        @Test func blankLinesAreSkippedButCounted() throws {
            let table = try parse("\n\nname,email\n\nA,a@x.vn\n\n\nB,b@x.vn\n\n")
            #expect(table.header == ["name", "email"])
            #expect(table.rows.map(\.fields) == [["A", "a@x.vn"], ["B", "b@x.vn"]])
            #expect(table.rows.map(\.line) == [5, 8])
        }

        @Test func headerIsTrimmedAndFieldsAreNot() throws {
            let table = try parse(" name ,\temail \n  A , b \n")
            #expect(table.header == ["name", "email"])
            #expect(table.rows[0].fields == ["  A ", " b "])
        }

        @Test func fieldCountMismatchIsNotAnError() throws {
            let table = try parse("a,b,c\n1,2\n1,2,3,4\n,\n")
            #expect(table.rows.map(\.fields) == [["1", "2"], ["1", "2", "3", "4"], ["", ""]])
        }

        @Test func quotedEmptyFieldIsARecordAndUnicodeSurvives() throws {
            let table = try parse("name\n\"\"\nNguyễn Văn Đức\n")
            #expect(table.rows.map(\.fields) == [[""], ["Nguyễn Văn Đức"]])
        }

        @Test func spacesAroundQuotedFieldsAreTolerated() throws {
            let table = try parse("a,b\n \"x, y\" ,\"z\"\t\n")
            #expect(table.rows[0].fields == ["x, y", "z"])
        }

        @Test func headerOnlyFileHasNoRows() throws {
            let table = try parse("email")
            #expect(table.header == ["email"])
            #expect(table.rows.isEmpty)
        }

        @Test func unbalancedQuoteNamesTheOpeningLine() {
            let error = csvError("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n")
            #expect(error?.line == 3)
            #expect(error?.description == "line 3: unbalanced quote: the quoted field opened here is never closed")
        }

        @Test func unbalancedQuoteAfterMultilineField() {
            let error = csvError("a,b\n\"x\ny\",1\n2,\"z")
            #expect(error?.line == 4)
            #expect(error?.description.hasPrefix("line 4: unbalanced quote") == true)
        }

        @Test func invalidUTF8NamesLineAndByte() {
            // "a,b\n" (4 bytes) + "1,2\n" (4 bytes) + "x," then 0xFF at offset 10 = byte 11.
            let bytes = Array("a,b\n1,2\nx,".utf8) + [0xFF] + Array("\n".utf8)
            let error = csvError(bytes)
            #expect(error?.line == 3)
            #expect(error?.description == "line 3, byte 11: invalid UTF-8")
        }

        @Test func invalidUTF8Variants() {
            // Latin-1 é after a CRLF line; truncated sequence; overlong "/"; UTF-16 surrogate.
            let latin1 = csvError(Array("name\r\ncaf".utf8) + [0xE9, 0x0D, 0x0A])
            #expect(latin1?.line == 2)
            #expect(latin1?.description.hasPrefix("line 2, byte 10: invalid UTF-8") == true)
            #expect(csvError(Array("a\n".utf8) + [0xC3])?.description.hasPrefix("line 2, byte 3: invalid UTF-8") == true)
            #expect(csvError([0x61, 0xC0, 0xAF])?.line == 1)
            #expect(csvError([0x61, 0xED, 0xA0, 0x80])?.description.hasPrefix("line 1, byte 2") == true)
            #expect(csvError([0xFF, 0xFE, 0x61, 0x00])?.description.contains("UTF-16") == true)
        }

        @Test func invalidUTF8InsideMultilineQuotedField() {
            let bytes = Array("h\n\"a\r\nb\r\n".utf8) + [0xFE] + Array("\"\n".utf8)
            #expect(csvError(bytes)?.line == 4)
        }

        @Test func quoteInsideUnquotedFieldIsRejected() {
            let error = csvError("name,email\nab\"c,x@y.vn\n")
            #expect(error?.line == 2)
            #expect(error?.description.hasPrefix("line 2: quote character inside an unquoted field") == true)
        }

        @Test func textAfterClosingQuoteIsRejected() {
            let error = csvError("name\n\"multi\nline\"x\n")
            #expect(error?.line == 3)
            #expect(error?.description.hasPrefix("line 3: text after a closing quote") == true)
        }

        @Test func emptyFileHasNoHeader() {
            for input: [UInt8] in [[], [0xEF, 0xBB, 0xBF], Array("\n\r\n\n".utf8)] {
                let error = csvError(input)
                #expect(error?.line == 1)
                #expect(error?.description.contains("no header") == true)
            }
        }
    }

    @Suite struct Writer {
        @Test func encodesRFC4180WithCRLF() {
            let text = CSVWriter.encode(
                header: ["name", "note"],
                rows: [["Doe, John", "He said \"hi\""], ["line1\nline2", "plain"], ["a\rb", ""]]
            )
            #expect(Array(text.utf8) == Array((
                "name,note\r\n"
                    + "\"Doe, John\",\"He said \"\"hi\"\"\"\r\n"
                    + "\"line1\nline2\",plain\r\n"
                    + "\"a\rb\",\r\n"
            ).utf8))
        }

        @Test func roundTripsThroughReader() throws {
            let header = ["name", "email", "note"]
            let rows: [[String]] = [
                ["Nguyễn Văn Đức", "duc@bộ-nội-vụ.vn", "comma, inside"],
                ["\"quoted\"", "", "multi\nline\ntext"],
                ["", "", ""],
                ["only one"],
                [""],
                ["trailing space ", " leading", "a\"b\"\"c"],
            ]
            let table = try CSVReader.parse(Data(CSVWriter.encode(header: header, rows: rows).utf8))
            #expect(table.header == header)
            #expect(table.rows.map(\.fields) == rows)
            #expect(table.rows.map(\.line) == [2, 3, 6, 7, 8, 9])
        }

        @Test func neutralizesFormulaCells() {
            let cases: [(String, String)] = [
                ("=SUM(A1)", "'=SUM(A1)"),
                ("+1", "'+1"),
                ("-1", "'-1"),
                ("-", "'-"),
                ("-5", "'-5"),
                ("@x", "'@x"),
                ("\tx", "'\tx"),
                ("\rx", "'\rx"),
                ("\r\nx", "'\r\nx"),
                ("plain", "plain"),
                ("a=b", "a=b"),
                ("", ""),
                ("'quoted", "'quoted"),
                (" =1", " =1"),
            ]
            for (input, expected) in cases {
                #expect(Array(CSVWriter.neutralize(input).unicodeScalars) == Array(expected.unicodeScalars), "\(input.debugDescription)")
            }
        }

        @Test func encodeNeutralizesEveryCell() throws {
            let text = CSVWriter.encode(header: ["=h"], rows: [["=SUM(A1)"], ["\rx"], ["@cmd"], ["-5"]])
            #expect(text.hasPrefix("'=h\r\n'=SUM(A1)\r\n\"'\rx\"\r\n'@cmd\r\n'-5\r\n"))
            let table = try CSVReader.parse(Data(text.utf8))
            #expect(table.rows.map(\.fields) == [["'=SUM(A1)"], ["'\nx"], ["'@cmd"], ["'-5"]])
        }
    }
}
