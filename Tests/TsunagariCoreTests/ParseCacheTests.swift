import Foundation
import XCTest
@testable import TsunagariCore

/// The parse cache beside the output (`.public.cache`): once a site has been built in a place,
/// later builds read back the parses of unchanged entry files instead of parsing them, with
/// the same output and the same diagnostics as a build that parses everything.
final class ParseCacheTests: XCTestCase {
    private func cacheFile(_ site: TestSite) -> String { site.root.appendingPathComponent(".public.cache").path }

    /// The same site built with every file parsed, into a folder of its own.
    private func uncachedBuild(_ site: TestSite) throws -> (files: [String: Data], diagnostics: [Diagnostic]) {
        var options = site.options()
        options.output = site.root.appendingPathComponent("uncached")
        options.parseCache = false
        defer { try? FileManager.default.removeItem(at: options.output!) }
        let report = try Build.run(options)
        return (ProcessTests.tree(options.output!), report.diagnostics)
    }

    func testTheSecondBuildWritesTheCacheAndLaterOnesReadEveryEntryBack() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let first = try site.build()
        XCTAssertFalse(FileManager.default.fileExists(atPath: cacheFile(site)), "a first build in a place writes no cache")
        XCTAssertEqual(first.entriesFromCache, 0)
        let entries = first.entriesParsed
        XCTAssertGreaterThan(entries, 5)

        let second = try site.build()
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(site)))
        XCTAssertEqual([second.entriesParsed, second.entriesFromCache], [entries, 0])

        let third = try site.build()
        XCTAssertEqual([third.entriesParsed, third.entriesFromCache], [0, entries])
        let uncached = try uncachedBuild(site)
        XCTAssertEqual(ProcessTests.tree(site.output), uncached.files, "read back, the output is the same")
        XCTAssertEqual(third.diagnostics, uncached.diagnostics)
    }

    func testAnEditedFileIsParsedAgainAndARemovedOneForgotten() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        let entries = try site.build().entriesParsed
        let path = "content/windows/osaka-line.md"
        try site.write(path, try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
            .replacingOccurrences(of: "大阪府の子育て相談", with: "大阪府の子育ての相談（更新）"))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/windows/koto-line.md"))
        let edited = try site.build()
        XCTAssertEqual([edited.entriesParsed, edited.entriesFromCache], [1, entries - 2])
        XCTAssertTrue(try site.page("windows/osaka-line/index.html").contains("（更新）"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("windows/koto-line").path))
        XCTAssertEqual(ProcessTests.tree(site.output), try uncachedBuild(site).files)
        let next = try site.build()
        XCTAssertEqual([next.entriesParsed, next.entriesFromCache], [0, entries - 1])
    }

    /// Entries with errors and warnings are cached with their diagnostics: every broken
    /// fixture reports the same problems, in the same places, read back as parsed.
    func testDiagnosticsAreReadBackUnchanged() throws {
        let broken = TestSite.fixtures.appendingPathComponent("broken")
        let names = try FileManager.default.contentsOfDirectory(atPath: broken.path).sorted()
        XCTAssertGreaterThan(names.count, 10)
        for name in names + ["../warnings"] {
            let site = try TestSite("basic")
            defer { site.remove() }
            try site.build()   // the output exists: later builds keep a cache
            try TestSite.copyContents(of: broken.appendingPathComponent(name), into: site.root)
            func diagnostics() -> [Diagnostic] {
                do { return try site.build().diagnostics } catch let failure as BuildFailure { return failure.diagnostics } catch { return [] }
            }
            let parsed = diagnostics()
            XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(site)), name)
            let readBack = diagnostics()
            XCTAssertFalse(parsed.isEmpty, name)
            XCTAssertEqual(readBack, parsed, name)
        }
    }

    /// A damaged cache, or one written by another build of the tool, is not read; the build
    /// parses every file and writes a good cache.
    func testADamagedOrForeignCacheIsIgnored() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        let entries = try site.build().entriesParsed
        let good = try XCTUnwrap(FileManager.default.contents(atPath: cacheFile(site)))
        let uncached = try uncachedBuild(site).files
        var foreign = Array(good)
        foreign[ParseCache.magic.count] ^= 0x01   // the tool's stamp
        // A damaged block that still decodes: one character of a window's name changed.
        var flipped = Array(good)
        let name = Array("大阪府の子育て相談".utf8)
        let at = try XCTUnwrap((0...(good.count - name.count)).first { flipped[$0..<$0 + name.count].elementsEqual(name) })
        flipped[at + 2] ^= 0x01   // 大 E5 A4 A7 → E5 A4 A6
        for (label, bytes) in [("truncated", Array(good.prefix(good.count - 7))), ("foreign", foreign),
                               ("garbage", Array("not a cache".utf8)), ("empty", []), ("flipped", flipped)] {
            try Data(bytes).write(to: URL(fileURLWithPath: cacheFile(site)))
            let report = try site.build()
            if label == "flipped" {
                XCTAssertLessThan(report.entriesFromCache, entries, "the damaged entry is parsed again")
            } else {
                XCTAssertEqual(report.entriesFromCache, 0, label)
            }
            XCTAssertEqual(report.entriesFromCache + report.entriesParsed, entries, label)
            XCTAssertTrue(ProcessTests.tree(site.output) == uncached, "\(label): the output differs from a build that parses every file")
            XCTAssertEqual(try site.build().entriesFromCache, entries, "\(label): rewritten whole")
        }
    }

    func testNoCacheParsesEverythingAndWritesNothing() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        var options = site.options()
        options.parseCache = false
        try Build.run(options)
        let report = try Build.run(options)
        XCTAssertEqual(report.entriesFromCache, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cacheFile(site)))
    }

    // MARK: - The binary form

    struct Sample: Codable, Equatable {
        struct Inner: Codable, Equatable { var text: String; var numbers: [Int]; var flag: Bool? }
        var name: String
        var count: Int
        var negative: Int64
        var small: UInt8
        var ratio: Double
        var inner: Inner?
        var inners: [Inner]
        var nested: [[String]]
        var weekday: Weekday
        var located: Located<String>?
    }

    func testBinaryFormRoundTripsAndRejectsEveryTruncation() throws {
        let sample = Sample(name: "窓口 «test»\n", count: 1 << 40, negative: -123_456_789, small: 255, ratio: -0.1,
                            inner: .init(text: "", numbers: [0, -1, Int.max, Int.min], flag: false),
                            inners: [.init(text: "a", numbers: [], flag: nil), .init(text: "𠀋", numbers: [7], flag: true)],
                            nested: [[], ["x", "y"]], weekday: .holiday,
                            located: Located("kosodate", at: SourceLocation(path: "content/windows/a.md", line: 3, column: 9)))
        var bytes: [UInt8] = []
        try BinaryCoding.encode(sample, into: &bytes)
        XCTAssertEqual(try BinaryCoding.decode(Sample.self, from: bytes[...]), sample)
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try BinaryCoding.decode(Sample.self, from: bytes[..<cut]), "cut at \(cut)")
        }
        XCTAssertThrowsError(try BinaryCoding.decode(Sample.self, from: (bytes + [0])[...]), "trailing bytes")
    }

    func testEveryEntryOfTheExampleSiteRoundTrips() throws {
        let site = try TestSite.example()
        defer { site.remove() }
        let folder = SiteFolder(root: site.root)
        var count = 0
        for kind in ContentLoader.Kind.allCases {
            for path in folder.entryFiles(in: kind.folder).0 {
                let result = ContentLoader.loadEntry(kind: kind, path: path, site: folder)
                var bytes: [UInt8] = []
                try BinaryCoding.encode(result, into: &bytes)
                let back = try BinaryCoding.decode(ContentLoader.EntryResult.self, from: bytes[...])
                var again: [UInt8] = []
                try BinaryCoding.encode(back, into: &again)
                XCTAssertEqual(again, bytes, path)
                XCTAssertEqual(back.diagnostics, result.diagnostics, path)
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 20)
    }
}
