import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import TsunagariCore
import TsunagariMarkdown

/// Hostile input: content from many groups through pull requests, built in CI with write
/// access to the published site. The located-error cases are golden files under
/// Fixtures/broken/hostile-*/ (run by BrokenFixtureTests); this file holds the cases that need
/// a built site to inspect, a file system trick (symbolic links) or input too big for git.
final class HostileInputTests: XCTestCase {

    // MARK: - Injection: every field, label, site.yml value and Markdown body

    /// Every output file of the `hostile/injection` site, which puts markup, script, attribute
    /// breaks, `javascript:` links, CDATA ends and line separators into every field.
    func testInjectedMarkupIsEscapedInEveryOutput() throws {
        let site = try TestSite("basic", overlays: ["hostile/injection"])
        defer { site.remove() }
        try site.build()
        let files = site.outputFiles()
        XCTAssertFalse(files.isEmpty)
        let base = "/"

        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let text = String(decoding: data, as: UTF8.self)
            let lower = text.lowercased()
            if path.hasSuffix(".html") {
                // Script elements: only the theme's own, loading an asset of the site.
                var from = lower.startIndex
                while let r = lower.range(of: "<script", range: from..<lower.endIndex) {
                    let tag = lower[r.lowerBound...].prefix(while: { $0 != ">" })
                    XCTAssertTrue(tag.hasPrefix("<script src=\"\(base)assets/"), "\(path): foreign script element \(tag)")
                    from = r.upperBound
                }
                XCTAssertEqual(lower.components(separatedBy: "<script").count, lower.components(separatedBy: "</script>").count, "\(path): unbalanced </script>")
                for forbidden in ["<b id=", "<b>", "<i>", "<img src=x", "<svg onload", "<iframe", "<em>x", "<div onmouseover", "\" onerror=", "' onmouseover=",
                                  "\"onmouseover=\"", "<a href=javascript", "</textarea><", "</title><script", "<!-- comment"] {
                    XCTAssertFalse(lower.contains(forbidden), "\(path): unescaped \(forbidden)")
                }
                // Every URL attribute is http(s), mailto, tel, a fragment or a site path.
                for value in Self.tags(text).flatMap({ Self.urlAttributes(String($0)) }) {
                    XCTAssertTrue(Self.isAcceptableURL(value), "\(path): URL attribute '\(value)'")
                }
                // No attribute break: every tag parses into name="value" pairs only.
                for tag in Self.tags(text) {
                    XCTAssertTrue(Self.attributesAreWellFormed(tag), "\(path): attribute break in \(tag)")
                }
                XCTAssertFalse(lower.contains("pwn-link") || lower.contains("pwn-ref") || lower.contains("pwn-img"), "\(path): link target leaked into the page")
            }
            if path.hasSuffix(".json") {
                XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data), "\(path) is not valid JSON")
                for raw in ["<", ">", "\u{2028}", "</script"] { XCTAssertFalse(text.contains(raw), "\(path): raw \(raw) in JSON") }
            }
            if path.hasSuffix(".xml") {
                let parser = XMLParser(data: data)
                XCTAssertTrue(parser.parse(), "\(path) is not well-formed XML: \(String(describing: parser.parserError))")
                XCTAssertFalse(text.contains("<script"), "\(path)")
            }
        }

        // The escaped text is there, in text and in attributes.
        let window = try site.page("windows/national-line/index.html")
        XCTAssertTrue(window.contains("&lt;script&gt;alert(&quot;pwn-name&quot;)&lt;/script&gt;全国"), "name as text")
        XCTAssertTrue(window.contains("&quot;&gt;&lt;b id=&quot;pwn-reading&quot;&gt;"), "reading as text")
        XCTAssertTrue(window.contains("&lt;/script&gt;&lt;script&gt;pwn()&lt;/script&gt;"), "operator as text")
        XCTAssertTrue(window.contains("&lt;img src=x onerror=pwn()&gt;"), "channel label")
        XCTAssertTrue(window.contains("{{site.title}} {{{body}}}"), "mustache in a field is text, not a template")
        XCTAssertTrue(window.contains("<!-- raw HTML omitted -->") && !window.contains("<div onmouseover"), "raw HTML in the body is omitted")
        XCTAssertTrue(window.contains("&lt;script&gt;pwn-code&lt;/script&gt;"), "code span escaped")
        XCTAssertTrue(window.contains("href=\"https://example.test/ok\""), "a safe link stays")
        XCTAssertTrue(window.contains("href=\"mailto:a@example.test\"") && window.contains("href=\"tel:0120000000\""))
        let home = try site.page("index.html")
        XCTAssertTrue(home.contains("サイト&lt;script&gt;alert(&quot;pwn-site&quot;)&lt;/script&gt;"), "site title")
        let category = try site.page("categories/kosodate/index.html")
        XCTAssertTrue(category.contains("子育て&lt;script&gt;pwn(&quot;label&quot;)&lt;/script&gt;"), "taxonomy label")
        XCTAssertTrue(try site.page("regions/131083/index.html").contains("江東区&lt;script&gt;pwn(&quot;muni&quot;)&lt;/script&gt;"))

        // Machine-readable outputs give back the exact text.
        let services = try XCTUnwrap((try JSONSerialization.jsonObject(with: XCTUnwrap(files["data/windows.json"])) as? [String: Any])?["services"] as? [[String: Any]])
        XCTAssertEqual(services.first?["name"] as? String, "<script>alert(\"pwn-name\")</script>全国")
        XCTAssertEqual(services.first?["description"] as? String, "要約 x\" onerror=\"pwn() ]]> <![CDATA[ --> & &amp; \u{2028} line")
        let feed = try XCTUnwrap(try JSONSerialization.jsonObject(with: XCTUnwrap(files["feed.json"])) as? [String: Any])
        XCTAssertEqual(feed["title"] as? String, "サイト<script>alert(\"pwn-site\")</script>")
        let atomTitles = try Self.xmlTexts(XCTUnwrap(files["feed.xml"]), element: "title")
        XCTAssertTrue(atomTitles.contains("<script>alert(\"pwn-name\")</script>全国"), "\(atomTitles)")
        let csv = String(decoding: try XCTUnwrap(files["data/windows.csv"]).dropFirst(3), as: UTF8.self)
        let rows = try CSVDecoder.records(csv)
        XCTAssertEqual(rows[1][1], "<script>alert(\"pwn-name\")</script>全国")
        XCTAssertTrue(rows[1].allSatisfy { field in field.first.map { !"=+-@".contains($0) } ?? true || field.allSatisfy { $0.isNumber || $0 == "-" } },
                      "no field starts a spreadsheet formula: \(rows[1])")
    }

    /// href/src/action values, entity-decoded.
    static func urlAttributes(_ html: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "\\s(?:href|src|action|formaction|xlink:href|poster|data)\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^\\s>]+)", options: [.caseInsensitive])
        let ns = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { m in
            var v = ns.substring(with: m.range(at: 1))
            if v.hasPrefix("\"") || v.hasPrefix("'") { v = String(v.dropFirst().dropLast()) }
            return HTMLEntities.decode(v)
        }
    }

    static func isAcceptableURL(_ url: String) -> Bool {
        let trimmed = url.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.hasPrefix("/") || trimmed.hasPrefix("#") || trimmed.hasPrefix("?") { return !trimmed.hasPrefix("//") || true }
        guard let colon = trimmed.firstIndex(of: ":") else { return true }
        let scheme = trimmed[..<colon]
        if scheme.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return true }
        return ["http", "https", "mailto", "tel"].contains(scheme.lowercased())
    }

    /// Start tags of a page (outside <script>…</script>, whose content is not markup).
    static func tags(_ html: String) -> [Substring] {
        var tags: [Substring] = []
        var i = html.startIndex
        while let open = html[i...].firstIndex(of: "<") {
            guard let close = html[open...].firstIndex(of: ">") else { break }
            let tag = html[open...close]
            if tag.hasPrefix("<!") || tag.hasPrefix("</") || tag.hasPrefix("<?") { i = html.index(after: close); continue }
            tags.append(tag)
            i = html.index(after: close)
        }
        return tags
    }

    /// `<name a="…" b c='…'>`: attribute names are plain, values quoted, no stray quotes.
    static func attributesAreWellFormed(_ tag: Substring) -> Bool {
        let regex = try! NSRegularExpression(pattern: "^<[a-zA-Z][a-zA-Z0-9-]*(\\s+[a-zA-Z_:][a-zA-Z0-9_:.-]*(\\s*=\\s*(\"[^\"<]*\"|'[^'<]*'|[^\\s\"'=<>`]+))?)*\\s*/?>$")
        let s = String(tag)
        return regex.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil
    }

    static func xmlTexts(_ data: Data, element: String) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            let element: String
            var texts: [String] = []
            var current: String? = nil
            init(_ element: String) { self.element = element }
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == element { current = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == element, let c = current { texts.append(c); current = nil }
            }
        }
        let collector = Collector(element)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        _ = parser.parse()
        return collector.texts
    }

    // MARK: - Paths

    /// A symbolic link in content/ that leads out of the site folder is an error, whether it
    /// is an entry file, a taxonomy file, a whole content folder or the theme.
    func testSymbolicLinksLeadingOutOfTheSiteAreErrors() throws {
        let fm = FileManager.default
        let outside = fm.temporaryDirectory.appendingPathComponent("tsunagari-outside-\(UUID().uuidString)")
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: outside) }
        let secret = outside.appendingPathComponent("secret.md")
        try String(contentsOf: TestSite.fixtures.appendingPathComponent("basic/content/windows/tokyo-line.md"), encoding: .utf8)
            .replacingOccurrences(of: "東京都の子育て相談", with: "SECRET-OUTSIDE").write(to: secret, atomically: true, encoding: .utf8)
        try fm.createDirectory(at: outside.appendingPathComponent("members"), withIntermediateDirectories: true)
        try fm.copyItem(at: TestSite.fixtures.appendingPathComponent("basic/content/members/test-npo.md"), to: outside.appendingPathComponent("members/test-npo.md"))

        let site = try TestSite("basic")
        defer { site.remove() }
        let root = site.root.path
        try fm.createSymbolicLink(atPath: root + "/content/windows/leak.md", withDestinationPath: secret.path)
        // A relative link climbing out.
        try fm.createSymbolicLink(atPath: root + "/content/windows/climb.md", withDestinationPath: "../../../" + outside.lastPathComponent + "/secret.md")
        try fm.removeItem(atPath: root + "/content/members")
        try fm.createSymbolicLink(atPath: root + "/content/members", withDestinationPath: outside.appendingPathComponent("members").path)
        try fm.removeItem(atPath: root + "/content/taxonomies/points.yml")
        try fm.createSymbolicLink(atPath: root + "/content/taxonomies/points.yml", withDestinationPath: "/etc/passwd")
        // A link that stays inside is fine.
        try fm.createSymbolicLink(atPath: root + "/content/windows/alias.md", withDestinationPath: "tokyo-line.md")

        XCTAssertThrowsError(try site.build()) { error in
            let errors = (error as? BuildFailure)?.diagnostics.filter { $0.severity == .error }.map(\.description) ?? ["\(error)"]
            XCTAssertEqual(errors.filter { $0.contains("leads outside the site folder") }.sorted(), [
                "content/members/test-npo.md:1:1: error: path leads outside the site folder (replace the symbolic link by the file itself)",
                "content/taxonomies/points.yml:1:1: error: path leads outside the site folder (replace the symbolic link by the file itself)",
                "content/windows/climb.md:1:1: error: path leads outside the site folder (replace the symbolic link by the file itself)",
                "content/windows/leak.md:1:1: error: path leads outside the site folder (replace the symbolic link by the file itself)",
            ], "\(errors)")
            XCTAssertFalse(errors.joined().contains("SECRET-OUTSIDE"))
        }
        XCTAssertFalse(fm.fileExists(atPath: site.output.path), "nothing written")
    }

    /// A named pipe (or any other non-file) where an entry belongs is refused without
    /// waiting for a writer, directly and through a symbolic link inside the site.
    func testANamedPipeIsRefusedWithoutBlocking() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let windows = site.root.appendingPathComponent("content/windows").path
        XCTAssertEqual(mkfifo(windows + "/pipe.md", 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: windows + "/piped.md", withDestinationPath: "pipe.md")
        XCTAssertThrowsError(try site.build()) { error in
            let errors = (error as? BuildFailure)?.diagnostics.filter { $0.severity == .error }.map(\.description) ?? ["\(error)"]
            XCTAssertEqual(errors.sorted(), [
                "content/windows/pipe.md:1:1: error: not a regular file (content files must be plain files)",
                "content/windows/piped.md:1:1: error: not a regular file (content files must be plain files)",
            ])
        }
    }

    func testThemeLinkedOutOfTheSiteIsAnError() throws {
        let fm = FileManager.default
        let site = try TestSite("basic")
        defer { site.remove() }
        let outside = fm.temporaryDirectory.appendingPathComponent("tsunagari-theme-\(UUID().uuidString)")
        try fm.moveItem(at: site.root.appendingPathComponent("themes/default"), to: outside)
        defer { try? fm.removeItem(at: outside) }
        try fm.createSymbolicLink(atPath: site.root.appendingPathComponent("themes/default").path, withDestinationPath: outside.path)
        XCTAssertThrowsError(try site.build()) { error in
            let errors = (error as? BuildFailure)?.diagnostics.map(\.description) ?? []
            XCTAssertEqual(errors, ["themes/default:1:1: error: theme folder leads outside the site folder"])
        }
    }

    /// site.yml's `output` may not reach out of the site folder through a symbolic link
    /// committed inside it (`out -> /somewhere`, `output: out/public`).
    func testOutputThroughASymbolicLinkOutOfTheSiteIsAnError() throws {
        let fm = FileManager.default
        let site = try TestSite("basic")
        defer { site.remove() }
        let outside = fm.temporaryDirectory.appendingPathComponent("tsunagari-out-\(UUID().uuidString)")
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: outside) }
        try fm.createSymbolicLink(atPath: site.root.appendingPathComponent("out").path, withDestinationPath: outside.path)
        try site.write("site.yml", "title: テストサイト\nbase_url: https://example.test/\noutput: out/public\n")
        var options = site.options()
        options.output = nil
        XCTAssertThrowsError(try Build.run(options)) { error in
            let errors = (error as? BuildFailure)?.diagnostics.map(\.description) ?? ["\(error)"]
            XCTAssertEqual(errors, ["site.yml:3:9: error: output 'out/public' leads outside the site folder through a symbolic link"])
        }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: outside.path), [], "nothing written outside")
    }

    // MARK: - Resource limits

    func testFileOverTheSizeLimitIsALocatedErrorWithoutReadingItAll() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let path = site.root.appendingPathComponent("content/windows/huge.md").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(SourceFile.maxBytes) * 64)   // sparse: 64 MiB
        try handle.close()
        let start = Date()
        XCTAssertThrowsError(try site.build()) { error in
            let errors = (error as? BuildFailure)?.diagnostics.map(\.description) ?? []
            XCTAssertEqual(errors, ["content/windows/huge.md:1:1: error: file is 67108864 bytes, over the limit of 1048576 (split it into smaller entries)"])
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testBodyOverTheLimitIsLocated() {
        let text = "---\ntitle: t\n---\n" + String(repeating: "あいうえお\n", count: 20_000)
        let result = ContentLoader.parseEntry(kind: .pages, file: SourceFile(path: "content/pages/x.md", text: text))
        XCTAssertEqual(result.diagnostics.map(\.description), ["content/pages/x.md:4:1: error: body is over 256 KiB (split the text into several pages)"])
    }

    /// YAML alias bombs, in every width: rejected at the alias that goes over the limit, fast.
    func testAliasBombsAreRejectedInBoundedTime() {
        for width in [2, 9, 50] {
            var yaml = "a0: &a0 [" + Array(repeating: "\"lol\"", count: width).joined(separator: ",") + "]\n"
            for level in 1..<30 { yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: width).joined(separator: ",") + "]\n" }
            let start = Date()
            let result = ContentLoader.parseEntry(kind: .pages, file: SourceFile(path: "content/pages/x.md", text: "---\n" + yaml + "---\n"))
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, "width \(width)")
            XCTAssertNil(result.entry)
            XCTAssertEqual(result.diagnostics.count, 1)
            XCTAssertTrue(result.diagnostics.first?.message.hasPrefix("too many nodes") == true, "\(result.diagnostics)")
            XCTAssertGreaterThan(result.diagnostics.first?.line ?? 0, 2)
        }
    }

    /// Markdown bodies known to be slow in naive parsers (cmark's pathological tests), each
    /// as big as the body limit allows: each renders in well under a second.
    func testPathologicalMarkdownRendersInBoundedTime() {
        let n = 30_000
        let bodies: [(String, String)] = [
            ("nested strong emphasis", String(repeating: "*a **a ", count: n) + "b" + String(repeating: " a** a*", count: n)),
            ("emphasis closers with no openers", String(repeating: "a_ ", count: n)),
            ("openers with no closers", String(repeating: "_a ", count: n)),
            ("link openers with no closers", String(repeating: "[a", count: n)),
            ("mismatched openers and closers", String(repeating: "*a_ ", count: n)),
            ("nested brackets", String(repeating: "[", count: n) + "a" + String(repeating: "]", count: n)),
            ("nested block quotes", String(repeating: "> ", count: n) + "a\n"),
            ("deep nested lists", (0..<2000).map { String(repeating: "  ", count: $0) + "* a\n" }.joined()),
            ("backticks", (1..<1000).map { String(repeating: "`", count: $0) }.joined(separator: "a")),
            ("unclosed links", String(repeating: "[a](<b", count: n / 2)),
            ("unclosed link titles", String(repeating: "[a](b \"", count: n / 2)),
            ("many link references", String(repeating: "[a]: u\n", count: n / 2) + String(repeating: "[a] ", count: n / 2)),
            ("many headings with the same text", String(repeating: "# a\n", count: n)),
            ("entities", String(repeating: "&#x10FFFF;&amp;&#0;", count: n / 3)),
            ("tables of pipes", String(repeating: "|a", count: n)),
            ("autolinks", String(repeating: "<https://a", count: n / 2)),
            ("html-like", String(repeating: "<a href=\"", count: n / 2)),
        ]
        for (name, body) in bodies {
            let text = "---\ntitle: t\n---\n" + String(body.utf8.prefix(250 * 1024))!
            let start = Date()
            let result = ContentLoader.parseEntry(kind: .pages, file: SourceFile(path: "content/pages/x.md", text: text))
            let seconds = Date().timeIntervalSince(start)
            XCTAssertLessThan(seconds, 2.0, "\(name): \(seconds) s")
            XCTAssertFalse(result.diagnostics.hasErrors, "\(name): \(result.diagnostics)")
        }
    }

    // MARK: - Encoding

    func testEncodingProblemsAreLocatedAtTheRightLineAndColumn() {
        func errors(_ bytes: [UInt8]) -> [String] {
            switch SourceFile.decode(path: "x.md", bytes: bytes) {
            case .failure(let d): return [d.description]
            case .success(let file): return ContentLoader.parseEntry(kind: .pages, file: file).diagnostics.map(\.description)
            }
        }
        // BOM + CRLF: lines count as in an editor.
        XCTAssertEqual(errors([0xEF, 0xBB, 0xBF] + Array("---\r\ntitle: t\r\n\r\ntitel: x\r\n---\r\n".utf8)),
                       ["x.md:4:1: error: unknown field 'titel' (did you mean 'title'?)"])
        // Lone CR (classic Mac).
        XCTAssertEqual(errors(Array("---\rtitle: t\rorder: many\r---\r".utf8)),
                       ["x.md:3:8: error: field 'order' must be a whole number, not text"])
        // Invalid UTF-8 after multi-byte characters: the column counts characters.
        XCTAssertEqual(errors(Array("---\ntitle: 日本".utf8) + [0xE6, 0x97] + Array("\n---\n".utf8)),
                       ["x.md:2:10: error: invalid UTF-8 byte 0xE6 (save the file as UTF-8)"])
        // A BOM in the middle is not a BOM to drop, and a second one at the start is not either.
        XCTAssertFalse(errors([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("---\ntitle: t\n---\n".utf8)).isEmpty)
        // NUL.
        XCTAssertEqual(errors(Array("---\ntitle: a".utf8) + [0] + Array("\n---\n".utf8)),
                       ["x.md:2:9: error: NUL character in text file (remove it; the file may be binary)"])
        // A tab before a key.
        let tab = errors(Array("---\ntitle: t\n\torder: 1\n---\n".utf8)).first ?? ""
        XCTAssertTrue(tab.hasPrefix("x.md:3:1: error: ") && tab.hasSuffix("tabs cannot be used for indentation, use spaces"), tab)
        // U+2028 in front matter (libyaml would read it as a line break).
        XCTAssertEqual(errors(Array("---\ntitle: a\u{2028}b\n---\n".utf8)).first?.hasPrefix("x.md:2:9: error: U+2028 LINE SEPARATOR is not allowed"), true)
    }
}

/// A small decoder of the HTML character references our escapers produce (and numeric ones).
enum HTMLEntities {
    /// Works on Unicode scalars: a ';' or '&' followed by a combining mark is one Character.
    static func decode(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "&", let semi = scalars[i..<min(scalars.count, i + 12)].firstIndex(of: ";") {
                let name = String(String.UnicodeScalarView(scalars[(i + 1)..<semi]))
                var replacement: Unicode.Scalar? = nil
                switch name {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16) { replacement = Unicode.Scalar(v) }
                    else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()) { replacement = Unicode.Scalar(v) }
                }
                if let replacement {
                    out.append(replacement)
                    i = semi + 1
                    continue
                }
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }
}

/// RFC 4180 records, for checking the CSV export.
enum CSVDecoder {
    struct Malformed: Error { var at: Int }

    static func records(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        let s = Array(text.unicodeScalars)
        var i = 0
        var quoted = false
        var fieldStart = true
        while i < s.count {
            let c = s[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < s.count, s[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 2; continue }
                    quoted = false
                    i += 1
                    guard i == s.count || s[i] == "," || s[i] == "\r" else { throw Malformed(at: i) }
                    continue
                }
                field.unicodeScalars.append(c)
                i += 1
                continue
            }
            switch c {
            case "\"" where fieldStart:
                quoted = true; fieldStart = false; i += 1
            case "\"":
                throw Malformed(at: i)
            case ",":
                record.append(field); field = ""; fieldStart = true; i += 1
            case "\r" where i + 1 < s.count && s[i + 1] == "\n":
                record.append(field); records.append(record); record = []; field = ""; fieldStart = true; i += 2
            case "\r", "\n":
                throw Malformed(at: i)
            default:
                field.unicodeScalars.append(c); fieldStart = false; i += 1
            }
        }
        if quoted { throw Malformed(at: i) }
        if !fieldStart || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
