import SwitchboardBase
import Testing

/// Terminal columns, as tables align on them.
@Suite struct DisplayWidthTests {
    @Test func wideCharactersTakeTwoColumnsAndCombiningMarksNone() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("王小明") == 6)
        #expect(DisplayWidth.of("김민준") == 6)
        #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4)            // halfwidth katakana: narrow
        #expect(DisplayWidth.of("Nguyễn") == 6)           // precomposed
        #expect(DisplayWidth.of("Nguye\u{302}\u{303}n") == 6)  // NFD: the marks take no column
        #expect(DisplayWidth.of("ＡＢ") == 4)               // fullwidth Latin
        #expect(DisplayWidth.of("a\u{200B}b") == 2)
    }

    @Test func truncationCountsColumnsAndNeverSplitsACharacter() {
        #expect(DisplayWidth.truncated("Nguyễn Văn An", to: 20) == "Nguyễn Văn An")
        #expect(DisplayWidth.truncated("Nguyễn Văn An", to: 8) == "Nguyễn …")
        #expect(DisplayWidth.truncated("王小明王小明", to: 6) == "王小…")
        #expect(DisplayWidth.of(DisplayWidth.truncated("王小明王小明", to: 6)) <= 6)
        #expect(DisplayWidth.truncated("王小明", to: 4) == "王…")
    }
}
