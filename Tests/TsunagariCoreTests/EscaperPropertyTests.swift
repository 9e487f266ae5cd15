import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import TsunagariCore
import TsunagariTemplates

/// Property tests: any string through each escaper parses back, with a real parser for the
/// format (or a small decoder of our own for HTML), to the same text. Seeded, so a failure
/// repeats; the failing input is printed in Swift escape form.
final class EscaperPropertyTests: XCTestCase {
    static let cases = 4000

    /// xorshift64*: small, seeded, the same on every platform.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed == 0 ? 0x9E3779B97F4A7C15 : seed }
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2685821657736338717
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Strings rich in what escapers get wrong: markup and quote characters, entity look-alikes,
    /// control characters, line separators, combining marks after specials, astral characters,
    /// CDATA ends, noncharacters, and runs of plain text.
    static func randomString(_ r: inout Random) -> String {
        let pieces: [String] = ["<", ">", "&", "\"", "'", "`", "=", "/", "\\", "&amp;", "&#39;", "&lt", "&#x", "]]>", "<!--", "-->", "</script>",
                                "\n", "\r", "\r\n", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}",
                                "\u{FFFE}", "\u{FFFF}", "\u{0301}", "\"\u{0301}", "<\u{0338}", "😀", "👨‍👩‍👧", "𠮷", "日本語", "ｶﾅ", " ", ",", "a", "Z", "0",
                                "=HYPERLINK(", "+", "-", "@", "\u{D7FF}", "\u{E000}", "\u{10FFFF}"]
        var s = ""
        for _ in 0..<r.below(12) {
            if r.below(4) == 0 {
                s.unicodeScalars.append(Unicode.Scalar(UInt32(0x20 + r.below(0x5F)))!)
            } else if r.below(10) == 0 {
                // Any scalar at all (surrogates skipped).
                var v = UInt32(r.below(0x110000))
                if (0xD800...0xDFFF).contains(v) { v = 0xFFFD }
                s.unicodeScalars.append(Unicode.Scalar(v)!)
            } else {
                s += pieces[r.below(pieces.count)]
            }
        }
        return s
    }

    static func show(_ s: String) -> String { s.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() }
    static func same(_ a: String, _ b: String) -> Bool { Array(a.unicodeScalars) == Array(b.unicodeScalars) }

    func testHTMLEscapeRoundTrips() {
        var r = Random(seed: 1)
        for _ in 0..<Self.cases {
            let s = Self.randomString(&r)
            let escaped = HTMLEscape.escape(s)
            XCTAssertFalse(escaped.unicodeScalars.contains { "<>\"'".unicodeScalars.contains($0) }, Self.show(s))
            // Every & starts one of our references (compared on bytes: "&lt;" + U+0338 is
            // "&lt" + one Character).
            let bytes = Array(escaped.utf8)
            for (i, b) in bytes.enumerated() where b == UInt8(ascii: "&") {
                let tail = bytes[i...]
                XCTAssertTrue(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains { tail.starts(with: Array($0.utf8)) }, Self.show(s))
            }
            let back = HTMLEntities.decode(escaped)
            XCTAssertTrue(Self.same(back, s), "\(Self.show(s)) → \(Self.show(escaped)) → \(Self.show(back))")
        }
    }

    /// The check that lets most text through unchanged says yes exactly when escaping
    /// changes something.
    func testXMLEscapeSkipsExactlyTheTextsItWouldNotChange() {
        var r = Random(seed: 5)
        for _ in 0..<Self.cases {
            let s = Self.randomString(&r)
            XCTAssertEqual(XMLEscape.needsEscaping(s), !Self.same(XMLEscape.escapeScalars(s), s), Self.show(s))
        }
        for s in ["https://example.org/windows/a/", "日本語（全角）：ｶﾅ", "\u{FFFD}\u{FFFC}", ""] { XCTAssertFalse(XMLEscape.needsEscaping(s), s) }
        for s in ["a\u{FFFE}", "\u{FFFF}", "a&b", "\u{7}"] { XCTAssertTrue(XMLEscape.needsEscaping(s), Self.show(s)) }
    }

    /// URL checks on the bytes of ASCII URLs agree with the Character-wise rules they skip.
    func testURLRulesAgreeWithTheCharacterWiseReference() {
        func reference(_ url: String) -> String? {
            if url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) { return "control" }
            guard let colon = url.firstIndex(of: ":") else { return "not absolute" }
            let scheme = url[..<colon].lowercased()
            guard URLRules.schemes.contains(scheme) else { return "scheme" }
            if scheme.hasPrefix("http") {
                let rest = url[url.index(after: colon)...]
                guard rest.hasPrefix("//"), rest.count > 2 else { return "host" }
            }
            return nil
        }
        for url in ["https://", "https://a", "HTTP://a", "https:/a", "https:a", "tel:", "tel:189", "mailto:", "https//a", "ftp://a", ":", ""] {
            XCTAssertEqual(URLRules.problem(with: url) == nil, reference(url) == nil, url)
        }
        XCTAssertNil(URLRules.problem(with: "https://a"))
        XCTAssertNotNil(URLRules.problem(with: "https://"))
        let pieces = ["https", "HTTP", "http", "mailto", "tel", "javascript", "htps", ":", "//", "/", "a", "example.org", " ", "\t",
                      "\u{7F}", "\u{301}", "日本", "?", "#", "x"]
        var r = Random(seed: 6)
        for _ in 0..<Self.cases {
            let url = (0..<(1 + r.below(5))).map { _ in pieces[r.below(pieces.count)] }.joined()
            XCTAssertEqual(URLRules.problem(with: url) == nil, reference(url) == nil, Self.show(url))
        }
    }

    /// In text and in a double-quoted attribute, through XMLParser. Characters XML 1.0
    /// cannot hold are dropped by the escaper; everything else must come back exactly.
    func testXMLEscapeRoundTripsThroughXMLParser() {
        final class Reader: NSObject, XMLParserDelegate {
            var text = ""
            var attribute: String? = nil
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "r" { attribute = attributes["a"] }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        }
        func xmlAllowed(_ v: Unicode.Scalar) -> Bool {
            v == "\t" || v == "\n" || v == "\r" || (0x20...0xD7FF).contains(v.value) || (0xE000...0xFFFD).contains(v.value) || v.value >= 0x10000
        }
        var r = Random(seed: 2)
        for _ in 0..<Self.cases {
            let s = Self.randomString(&r)
            let escaped = XMLEscape.escape(s)
            let document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><r a=\"\(escaped)\">\(escaped)</r>"
            let reader = Reader()
            let parser = XMLParser(data: Data(document.utf8))
            parser.delegate = reader
            guard parser.parse() else {
                XCTFail("\(Self.show(s)) → \(Self.show(escaped)): \(String(describing: parser.parserError))")
                continue
            }
            var expected = ""
            expected.unicodeScalars.append(contentsOf: s.unicodeScalars.filter(xmlAllowed))
            XCTAssertTrue(Self.same(reader.text, expected), "text: \(Self.show(s)) → \(Self.show(escaped)) → \(Self.show(reader.text))")
            XCTAssertTrue(Self.same(reader.attribute ?? "<none>", expected), "attribute: \(Self.show(s)) → \(Self.show(reader.attribute ?? "<none>"))")
        }
    }

    func testJSONStringRoundTripsAndIsSafeInHTML() throws {
        var r = Random(seed: 3)
        for _ in 0..<Self.cases {
            let s = Self.randomString(&r)
            let quoted = JSONString.quote(s)
            XCTAssertFalse(quoted.unicodeScalars.contains { "<>&'\u{2028}\u{2029}".unicodeScalars.contains($0) || $0.value < 0x20 }, Self.show(s))
            let value = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
            XCTAssertTrue(Self.same(value?.first ?? "<none>", s), "\(Self.show(s)) → \(Self.show(quoted)) → \(Self.show(value?.first ?? "<none>"))")
        }
    }

    /// Each field through RFC 4180 parsing gives the text back (with the formula guard's
    /// leading apostrophe when the text would start a spreadsheet formula), and a record of
    /// random fields keeps its field count.
    func testCSVFieldQuotingRoundTrips() throws {
        var r = Random(seed: 4)
        for _ in 0..<Self.cases {
            let fields = (0..<(1 + r.below(4))).map { _ in Self.randomString(&r) }
            let line = fields.map(OpenData.csvField).joined(separator: ",") + "\r\n"
            let records = try CSVDecoder.records(line)
            XCTAssertEqual(records.count, 1, fields.map(Self.show).joined(separator: " | "))
            guard let record = records.first, record.count == fields.count else {
                XCTFail("field count: \(fields.map(Self.show)) → \(Self.show(line))")
                continue
            }
            for (field, back) in zip(fields, record) {
                let guarded = field.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } == true
                    && !field.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "-" }
                XCTAssertTrue(Self.same(back, guarded ? "'" + field : field), "\(Self.show(field)) → \(Self.show(back))")
                // Spreadsheet formula starters are never the first character of a cell.
                if let first = back.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                    XCTAssertTrue(back.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "-" }, "formula start: \(Self.show(back))")
                }
            }
        }
    }
}
