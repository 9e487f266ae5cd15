import XCTest
@testable import TsunagariMarkdown

final class CommonMarkTests: XCTestCase {
    func testRendersParagraphsAndEmphasis() {
        let r = CommonMark.render("こんにちは *世界*")
        XCTAssertEqual(r.html, "<p>こんにちは <em>世界</em></p>\n")
        XCTAssertEqual(r.plainText, "こんにちは 世界")
    }

    /// The plain text the search index reads: a line per paragraph, heading and list item,
    /// breaks as spaces, code kept, no markup, no empty or padded lines.
    func testPlainTextHasALinePerBlockAndNoMarkup() {
        let r = CommonMark.render("""
        ## 相談の*方法*

        電話で
        相談できます。  \n改行のあと

        - 一つめ `code`
        - 二つめ [リンク](https://example.org/)

            字下げのコード

        """)
        XCTAssertEqual(r.plainText, "相談の方法\n電話で 相談できます。 改行のあと\n一つめ code\n二つめ リンク\n字下げのコード")
        XCTAssertEqual(r.headings.map(\.text), ["相談の方法"])
    }

    /// Lines trimmed, empty ones dropped: what a loop over the bytes (kept here as the
    /// reference) gives, for random text of spaces, tabs, newlines and other characters.
    func testTrimmedLinesAgreeWithTheByteLoop() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                var first = start, last = end
                while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
                while last > first && (bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) { last -= 1 }
                if first < last {
                    if !out.isEmpty { out.append(0x0A) }
                    out += bytes[first..<last]
                }
                start = end + 1
            }
            return out
        }
        let pieces: [String] = [" ", "\t", "\n", "\n\n", "a", "窓口", "\r"]
        var rng = SystemRandomNumberGenerator()
        var cases: [[UInt8]] = [[], [0x0A], Array(" a \n\n b\t\n".utf8), Array("end".utf8)]
        for _ in 0..<2000 {
            cases.append(Array((0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined().utf8))
        }
        for bytes in cases { XCTAssertEqual(nonEmptyTrimmedLines(bytes), reference(bytes), "\(bytes)") }
    }

    func testRawHTMLIsOmitted() {
        let r = CommonMark.render("<script>alert(1)</script>\n\n段落 <b onclick=\"x\">太字</b>")
        XCTAssertFalse(r.html.contains("<script"))
        XCTAssertFalse(r.html.contains("<b"))
        XCTAssertFalse(r.html.contains("onclick"))
        XCTAssertTrue(r.html.contains("raw HTML omitted"))
    }

    func testUnsafeLinksAreEmptied() {
        for url in ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "file:///etc/passwd",
                    "data:image/png;base64,AAAA"] {
            let r = CommonMark.render("[link](\(url)) ![img](\(url))")
            XCTAssertFalse(r.html.lowercased().contains(url.lowercased().prefix(6)), "\(url) reached the page: \(r.html)")
            XCTAssertTrue(r.html.contains("href=\"\""), r.html)
            XCTAssertTrue(r.links.isEmpty)
        }
    }

    func testSafeLinksStay() {
        let r = CommonMark.render("[a](https://example.org/x) [b](tel:0120279338) [c](/windows/foo/) [d](#top) [e](mailto:a@example.org)")
        XCTAssertEqual(r.links, ["https://example.org/x", "tel:0120279338", "/windows/foo/", "#top", "mailto:a@example.org"])
        XCTAssertTrue(r.html.contains("href=\"tel:0120279338\""))
    }

    func testSmartPunctuationIsOff() {
        let r = CommonMark.render("\"quoted\" -- dash...")
        XCTAssertEqual(r.html, "<p>&quot;quoted&quot; -- dash...</p>\n")
    }

    func testHeadingIDsAreStableAndUnique() {
        let r = CommonMark.render("## 概要\n\n本文\n\n## 概要\n\n### Next Steps!\n\n## <b>\n")
        XCTAssertEqual(r.headings.map(\.id), ["概要", "概要-2", "next-steps", "section"])
        XCTAssertTrue(r.html.contains("<h2 id=\"概要\">概要</h2>"))
        XCTAssertTrue(r.html.contains("<h2 id=\"概要-2\">概要</h2>"))
        XCTAssertTrue(r.html.contains("<h3 id=\"next-steps\">Next Steps!</h3>"))
        XCTAssertEqual(CommonMark.render("## 概要\n\n## 概要\n").html, CommonMark.render("## 概要\n\n## 概要\n").html)
    }

    func testHeadingTagsInCodeAreNotTouched() {
        let r = CommonMark.render("`<h2>` in code\n\n## Title\n")
        XCTAssertTrue(r.html.contains("<code>&lt;h2&gt;</code>"))
        XCTAssertTrue(r.html.contains("<h2 id=\"title\">Title</h2>"))
    }

    func testSchemeDetection() {
        XCTAssertTrue(CommonMark.isSafeURL("/a:b"))
        XCTAssertTrue(CommonMark.isSafeURL("page?x=a:b"))
        XCTAssertFalse(CommonMark.isSafeURL(" javascript:x"))
        XCTAssertFalse(CommonMark.isSafeURL("java\nscript:x"))
    }
}
