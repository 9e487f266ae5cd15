import XCTest
@testable import TsunagariMarkdown
import TestSupport

/// ReusedUTF8 copies runs from the source instead of validating them: its Strings must be
/// exactly those of `String(decoding:as:)`, the general path, whatever the bytes.
final class ReusedUTF8Tests: XCTestCase {
    private func assertSame(_ bytes: [UInt8], _ source: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast = bytes.withUnsafeBufferPointer { ReusedUTF8.string($0, reusing: source) }
        let general = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(Array(fast.utf8), Array(general.utf8), "bytes \(bytes)", file: file, line: line)
    }

    func testMatchesTheGeneralPathOnChosenCases() {
        let source = "\u{FEFF}相談\r\nできます。😀 &copy; é\u{301} 日本語"
        let s = Array(source.utf8)
        let cases: [[UInt8]] = [
            [],
            Array("<p>ascii only</p>\n".utf8),
            Array("<p>相談\nできます。😀</p>".utf8),
            Array("\u{FEFF}相談\r\n".utf8),                         // BOM and CRLF
            Array("© made by libcmark, é\u{301}".utf8),            // not in the source, and combining
            Array(s[3..<5]) + Array("x".utf8),                     // a character cut: invalid
            Array(s[4..<9]),                                       // starts inside a character
            [0xE6, 0x97] + Array("<".utf8),                        // truncated, its start in the source
            [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80],   // never valid
            Array("日本語".utf8) + Array("日本語".utf8),           // once in the source, wanted twice
            Array("語日本".utf8),                                  // the source's bytes out of order
        ]
        for bytes in cases { assertSame(bytes, source) }
        assertSame(Array("相談".utf8), "")
    }

    /// Pieces of the source (cut anywhere), bytes of its own and ASCII markup, mixed at random.
    func testMatchesTheGeneralPathOnRandomMixes() {
        var rng = SplitMix64(seed: 7)
        let alphabet: [String] = ["相", "談", "で", "す", "。", "a", " ", "\n", "\r\n", "é", "😀", "\u{FEFF}", "<", "&"]
        for _ in 0..<400 {
            let source = (0..<Int(rng.next() % 60)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let s = Array(source.utf8)
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 8) {
                switch rng.next() % 4 {
                case 0 where !s.isEmpty:
                    let a = Int(rng.next() % UInt64(s.count))
                    let b = a + Int(rng.next() % UInt64(s.count - a + 1))
                    bytes += s[a..<b]
                case 1: bytes += Array("</p>\n<p>".utf8)
                case 2: bytes.append(UInt8(truncatingIfNeeded: rng.next()))
                default: bytes += Array("漢字".utf8)
                }
            }
            assertSame(bytes, source)
        }
    }

    /// Bodies whose HTML or plain text has runs libcmark made or moved: still the same.
    func testRenderedBodiesKeepTheirText() {
        let r = CommonMark.render("# 見出し&copy;\n\n本文\u{0}です [リンク](https://例.jp/パス \"題\")。\r\n\\*日本\\*")
        XCTAssertEqual(r.html, "<h1 id=\"見出し\">見出し©</h1>\n<p>本文\u{FFFD}です <a href=\"https://%E4%BE%8B.jp/%E3%83%91%E3%82%B9\" title=\"題\">リンク</a>。\n*日本*</p>\n")
        XCTAssertEqual(r.plainText, "見出し©\n本文\u{FFFD}です リンク。 *日本*")
    }
}
