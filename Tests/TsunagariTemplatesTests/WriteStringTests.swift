import XCTest
@testable import TsunagariTemplates

/// The renderer reads a string's bytes in place: a short one (up to 16 bytes, which may be kept
/// inside the value) copied first, a long one where its storage is. Either way the output is the
/// string, escaped as `HTMLEscape.escape` escapes it.
final class WriteStringTests: XCTestCase {
    func testStringsOfEveryLengthAroundTheShortLimit() throws {
        let set = try TemplateSet(templates: ["e": "[{{s}}]", "r": "[{{{s}}}]", "i": "a\n  {{> e}}\n"])
        for piece in ["a", "<", "é", "窓", "&\"'", "🎉"] {
            for n in 0...40 {
                // Built at run time: not literals, whose storage is static.
                let s = String(decoding: Array(String(repeating: piece, count: n).utf8), as: UTF8.self)
                let context: TemplateValue = ["s": .string(s)]
                XCTAssertEqual(try set.render("e", context), "[\(HTMLEscape.escape(s))]", "\(n) × \(piece)")
                XCTAssertEqual(try set.render("r", context), "[\(s)]", "\(n) × \(piece)")
                XCTAssertEqual(try set.render("i", context), "a\n  [\(HTMLEscape.escape(s))]", "\(n) × \(piece), indented")
            }
        }
    }
}
