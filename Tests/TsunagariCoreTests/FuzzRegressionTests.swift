import Foundation
import XCTest
@testable import TsunagariCore
import TsunagariYAML
import TsunagariMarkdown

/// Every input under Tests/fuzz/corpus/<target>/ (the seeds) and Tests/fuzz/regressions/<target>/
/// (each crash or hang the fuzzers found, kept once fixed) through the same path and the same
/// checks as the libFuzzer target of that name (Tests/fuzz/targets/<target>.swift), in bounded time.
final class FuzzRegressionTests: XCTestCase {
    static let fuzzRoot = TestSite.repoRoot.appendingPathComponent("Tests/fuzz")

    func inputs(_ target: String) -> [(String, [UInt8])] {
        var list: [(String, [UInt8])] = []
        for folder in ["corpus", "regressions"] {
            let dir = Self.fuzzRoot.appendingPathComponent("\(folder)/\(target)")
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() {
                if let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) {
                    list.append(("\(folder)/\(target)/\(name)", [UInt8](data)))
                }
            }
        }
        return list
    }

    func timed(_ name: String, _ body: () -> Void) {
        let start = Date()
        body()
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "\(name) is slow")
    }

    func testFrontMatterInputs() {
        let list = inputs("frontmatter")
        XCTAssertGreaterThan(list.count, 5)
        for (name, bytes) in list {
            timed(name) {
                let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                switch SourceFile.decode(path: "x.md", bytes: bytes) {
                case .failure(let d): XCTAssertLessThanOrEqual(d.line, lines, name)
                case .success(let file):
                    XCTAssertFalse(file.text.contains("\r"), name)
                    if case .success(let doc) = FrontMatterDocument.split(file) {
                        XCTAssertGreaterThanOrEqual(doc.bodyFirstLine, 3, name)
                    }
                }
            }
        }
    }

    func testYAMLInputs() {
        let list = inputs("yaml")
        XCTAssertGreaterThan(list.count, 100)
        let limits = YAMLLimits(maxDepth: 64, maxNodes: 20_000, maxBytes: 1 << 20)
        for (name, bytes) in list {
            timed(name) {
                let lines = bytes.reduce(1) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) }
                do {
                    let node = try YAML.parse(bytes: bytes, limits: limits)
                    let reader = FieldReader(path: "x.yml", node: node, what: "front matter")
                    _ = EntryDecoding.window(reader, origin: EntryOrigin(path: "x.md", slug: "x"), body: CommonMark.render(""))
                    for d in reader.diagnostics { XCTAssertTrue(d.line >= 1 && d.line <= lines, "\(name): \(d)") }
                } catch let error as YAMLError {
                    XCTAssertTrue(error.mark.line >= 1 && error.mark.line <= lines && error.mark.column >= 1, "\(name): \(error.mark) \(error.message)")
                } catch {
                    XCTFail("\(name): \(error)")
                }
            }
        }
    }

    func testEntryInputs() {
        let list = inputs("entry")
        XCTAssertGreaterThan(list.count, 5)
        let kinds = ContentLoader.Kind.allCases
        for (name, all) in list where !all.isEmpty {
            timed(name) {
                let kind = kinds[Int(all[0]) % kinds.count]
                let bytes = Array(all.dropFirst())
                guard case .success(let file) = SourceFile.decode(path: "content/x/x.md", bytes: bytes) else { return }
                let lines = file.text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } + 1
                let result = ContentLoader.parseEntry(kind: kind, file: file)
                for d in result.diagnostics { XCTAssertTrue(d.line >= 0 && d.line <= lines, "\(name): \(d)") }
                if result.entry != nil { XCTAssertFalse(result.diagnostics.hasErrors, name) }
                let html: String
                switch result.entry {
                case .window(let w)?: html = w.body.html
                case .member(let m)?: html = m.body.html
                case .caseStudy(let c)?: html = c.body.html
                case .symposium(let s)?: html = s.body.html
                case .page(let p)?: html = p.body.html
                case nil: html = ""
                }
                let lower = html.lowercased()
                for unsafe in ["<script", "<iframe", "<svg", "<object", "<embed"] {
                    XCTAssertFalse(lower.contains(unsafe), "\(name): \(unsafe) in \(html)")
                }
                XCTAssertEqual(unsafeURLs(in: html), [], "\(name): \(html)")
            }
        }
    }
}
