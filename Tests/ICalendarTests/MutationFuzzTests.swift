import Foundation
import ICalendar
import Testing

/// Thousands of damaged copies of real invites: each is read or refused on one line, never a crash.
@Suite struct MutationFuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = [":", ";", ",", "=", "\"", "\\", "\r\n", "\r\n ", "\n", "\r", "BEGIN:VEVENT", "END:VEVENT", "END:VCALENDAR",
                         "TZID=", "RRULE:FREQ=", "Z", "T", "99999999T999999", "-", "\u{0}", "ế", "\u{FFFD}", "X-LIC-ERROR:", "VALUE=DATE"]

    @Test func damagedInvitesAreReadOrRefusedOnOneLine() throws {
        let originals = [CalendarParserTests.outlookInvite] + InviteSamples.all.map {
            (try? CalendarWriter.serialize($0.object, productID: "-//Switchboard//fuzz//VI")) ?? ""
        }
        var random = SplitMix(state: 20_261_208)
        var read = 0, refused = 0
        for round in 0..<3_000 {
            var text = Array(originals[round % originals.count].unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &random) where !text.isEmpty {
                let at = Int.random(in: 0..<text.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: text.remove(at: at)
                case 1: text.insert(contentsOf: Self.pieces.randomElement(using: &random)?.unicodeScalars ?? "".unicodeScalars, at: at)
                case 2: text.removeSubrange(at..<min(text.count, at + Int.random(in: 1...40, using: &random)))
                default: text[at] = Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &random))
                }
            }
            let damaged = String(String.UnicodeScalarView(text))
            do {
                _ = try CalendarParser.parse(damaged, source: "fuzz-\(round).ics")
                read += 1
            } catch {
                refused += 1
                #expect(!error.description.contains("\n") && !error.description.contains("\r"), "round \(round): \(error)")
                #expect(error.description.hasPrefix("fuzz-\(round).ics: "), "round \(round): \(error)")
            }
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }
}
