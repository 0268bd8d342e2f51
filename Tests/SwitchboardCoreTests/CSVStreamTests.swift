import Foundation
import SwitchboardBase
import Testing
@testable import SwitchboardCore

/// The streaming reader gives the same records and the same errors as the whole-file parser,
/// wherever the chunk boundaries fall (CRLF, doubled quotes and multi-byte characters split).
@Suite struct CSVStreamTests {
    static let inputs: [[UInt8]] = [
        Array("login,name\r\nan,\"Nguyễn \"\"An\"\"\"\r\nbinh,\"Trần\r\nBình\"\r\n".utf8),
        [0xEF, 0xBB, 0xBF] + Array("login,name\nđ,Đặng\n\nx,\"a,b\"  \r\ny,z".utf8),
        Array("a,b\rc,d\re,f\r".utf8),
        Array("h\n😀,\"😀\"\n\"\"\"\",\n".utf8),
        Array("login,name\nan,\"never closed\n".utf8),
        Array("login,name\nan,x\"y\n".utf8),
        Array("login,name\nan,\"x\"y\n".utf8),
        Array("login,name\nan,Nguy".utf8) + [0xE1, 0xBB] + Array("n\n".utf8),
        Array("login,name\nan,ok\r\nbinh,".utf8) + [0xC3, 0x28] + Array("\n".utf8),
        [0xFF, 0xFE, 0x6C, 0x00],
        [],
        Array("\n\n".utf8),
    ]

    static func streamed(_ bytes: [UInt8], chunkSize: Int) -> Result<CSVTable, CSVError> {
        do {
            var stream = try CSVRecordStream(data: Data(bytes), chunkSize: chunkSize)
            var rows: [CSVRecord] = []
            while let record = try stream.next() { rows.append(record) }
            return .success(CSVTable(header: stream.header, rows: rows))
        } catch let error as CSVError {
            return .failure(error)
        } catch {
            Issue.record("unexpected \(error)")
            return .failure(CSVError(line: 0, description: "\(error)"))
        }
    }

    static func describe(_ result: Result<CSVTable, CSVError>) -> String {
        switch result {
        case let .success(table): "\(table.header) " + table.rows.map { "\($0.line):\($0.fields)" }.joined(separator: " ")
        case let .failure(error): "error \(error.line): \(error.description)"
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 64])
    func everyChunkSizeReadsAsTheWholeFile(chunkSize: Int) {
        for input in Self.inputs {
            let whole: Result<CSVTable, CSVError> = Result { try CSVReader.parse(Data(input)) }.mapError { $0 as! CSVError }
            #expect(Self.describe(Self.streamed(input, chunkSize: chunkSize)) == Self.describe(whole),
                    "\(String(decoding: input, as: UTF8.self).debugDescription)")
        }
    }

    @Test func theErrorsNameLineAndByte() {
        #expect(Self.describe(Self.streamed(Self.inputs[7], chunkSize: 3)) == "error 2: line 2, byte 19: invalid UTF-8")
        #expect(Self.describe(Self.streamed(Self.inputs[4], chunkSize: 2)) == "error 2: line 2: unbalanced quote: the quoted field opened here is never closed")
        #expect(Self.describe(Self.streamed(Self.inputs[9], chunkSize: 1)).contains("looks like UTF-16"))
    }

    @Test func aFileIsReadInChunks() throws {
        let path = NSTemporaryDirectory() + "stream-\(UUID().uuidString).csv"
        var text = "login,name\n"
        for index in 0..<5000 { text += "user\(index),Người \(index)\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var stream = try CSVRecordStream(path: path, chunkSize: 1000)
        var count = 0
        while let record = try stream.next() {
            #expect(record.fields == ["user\(count)", "Người \(count)"])
            #expect(record.line == count + 2)
            count += 1
        }
        #expect(stream.header == ["login", "name"])
        #expect(count == 5000)
        #expect(throws: InputFileError.self) { try CSVRecordStream(path: path + ".missing") }
    }
}
