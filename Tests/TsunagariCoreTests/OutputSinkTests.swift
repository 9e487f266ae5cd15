import Foundation
import XCTest
@testable import TsunagariCore

/// Files made in pieces (the open data of a large site) are written piece by piece, counted
/// whole, and equal to the same file made at once.
final class OutputSinkTests: XCTestCase {
    func testPiecesAreWrittenInOrderAndCounted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("public")
        let staging = try OutputWriter.Staging(output: output)
        let counter = CountingSink(staging)
        try counter.prepare(paths: ["data/big.json", "small.txt"])
        var sent: [UInt8] = []
        let staged = staging.path + "/data/big.json"
        try counter.write(path: "data/big.json") { emit in
            for i in 0..<50 {
                let piece = Array("piece \(i) — 窓口\n".utf8)
                sent += piece
                try emit(piece)
                // On disk already: the pieces are not gathered in memory first.
                XCTAssertEqual((try? FileManager.default.attributesOfItem(atPath: staged)[.size] as? Int) ?? -1, sent.count)
            }
        }
        try counter.write(OutputFile(path: "small.txt", bytes: Array("x".utf8)))
        try staging.commit()
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("data/big.json")), Data(sent))
        XCTAssertEqual(counter.files, 2)
        XCTAssertEqual(counter.bytes, sent.count + 1)
        XCTAssertEqual(counter.pages, 0)
    }

    /// Folders made early (the entries', from the content's file names) and the site's: the
    /// output has the site's folders and no other, whichever thread made them.
    func testFoldersMadeEarlyThatTheSiteHasNotAreRemoved() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("public")
        let staging = try OutputWriter.Staging(output: output)
        staging.makeFoldersEarly { ["windows", "windows/a", "windows/b", "windows/gone", "members", "members/x"] }
        let paths = ["windows/a/index.html", "windows/b/index.html", "windows/page/2/index.html", "regions/01/index.html", "index.html"]
        try staging.prepare(paths: paths, laterUnder: nil)
        for path in paths { try staging.write(OutputFile(path: path, bytes: Array(path.utf8))) }
        try staging.commit()
        var folders: [String] = []
        let walker = FileManager.default.enumerator(atPath: output.path)!
        while let path = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: output.path + "/" + path, isDirectory: &isFolder), isFolder.boolValue { folders.append(path) }
        }
        XCTAssertEqual(folders.sorted(), ["regions", "regions/01", "windows", "windows/a", "windows/b", "windows/page", "windows/page/2"])
        for path in paths { XCTAssertEqual(try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8), path) }
    }

    /// The entries' folders are named from the content's file names alone: each kind's
    /// folder, then its entries' (files that are not entries are left out).
    func testEntryFoldersComeFromTheFileNames() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.write("content/windows/notes.txt", "not an entry")
        try site.build()
        let folders = Build.entryFolders(SiteFolder(root: site.root))
        let built = Set(site.outputFiles().keys.compactMap { path -> String? in
            let parts = path.split(separator: "/")
            return parts.count == 3 && parts[2] == "index.html" && ["windows", "members", "cases", "symposia", "pages"].contains(parts[0])
                && parts[1] != "page" ? parts[0] + "/" + parts[1] : nil
        })
        XCTAssertEqual(Set(folders.filter { $0.contains("/") }), built)
        XCTAssertTrue(folders.contains("windows/osaka-line"))
        XCTAssertFalse(folders.contains { $0.hasPrefix("windows/notes") })
        // Each kind's folder before its entries'.
        for (i, folder) in folders.enumerated() where folder.contains("/") {
            XCTAssertTrue(folders[..<i].contains(String(folder.split(separator: "/")[0])), folder)
        }
    }

    /// The search index built beside the pages or before them: the same files, and the
    /// search and finder pages name the same manifest.
    func testTheIndexBesideThePagesGivesTheSameSite() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let renderer = try Self.renderer(site)
        let beside = CollectingSink(), before = CollectingSink()
        try renderer.render(threads: 2, into: beside, indexBeside: true)
        try renderer.render(threads: 2, into: before, indexBeside: false)
        XCTAssertEqual(beside.files.map(\.path), before.files.map(\.path))
        XCTAssertEqual(beside.files.map(\.bytes), before.files.map(\.bytes))
        let search = String(decoding: try XCTUnwrap(beside.files.first { $0.path == "search/index.html" }).bytes, as: UTF8.self)
        XCTAssertTrue(search.contains("search/manifest."), "the search page names the manifest")
    }

    /// The renderer of a checked fixture site.
    static func renderer(_ site: TestSite) throws -> SiteRenderer {
        let (linked, theme, diagnostics) = Build.check(site.options())
        return SiteRenderer(site: try XCTUnwrap(linked, "\(diagnostics)"), theme: try XCTUnwrap(theme))
    }

    /// Records what a render asks of its sink, in order; `prepare` takes its time and a write
    /// of `failing` throws.
    final class SlowSink: OutputSink, @unchecked Sendable {
        let lock = NSLock()
        var events: [String] = []
        var failing: String?
        struct Refused: Error {}
        func prepare(paths: [String], laterUnder: String?) throws {
            Thread.sleep(forTimeInterval: 0.3)   // the index of a small site is built by then
            lock.withLock { events.append("prepared") }
        }
        func announce(paths: [String]) throws { lock.withLock { events.append("announce") } }
        var slow: Set<String> = []
        func write(_ file: OutputFile) throws {
            if file.path == failing { throw Refused() }
            if slow.contains(file.path) { Thread.sleep(forTimeInterval: 0.2) }
            lock.withLock { events.append(file.path) }
        }
    }

    /// The index built beside the pages writes its files only once the sink is prepared (a
    /// recycled output learns the site's paths there; an index path announced before would be
    /// pruned at commit).
    func testTheIndexBesideThePagesWaitsForThePreparedSink() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let renderer = try Self.renderer(site)
        let sink = SlowSink()
        try renderer.render(threads: 2, into: sink, indexBeside: true)
        let events = sink.lock.withLock { sink.events }
        XCTAssertEqual(events.first, "prepared")
        XCTAssertEqual(events.filter { $0 == "announce" }.count, 1)
        XCTAssertTrue(events.contains { $0.hasPrefix(SearchIndexer.folder) })
    }

    /// A failed render returns only when nothing writes into the sink any more (the build
    /// abandons its staging folder right after).
    func testAFailedRenderLeavesNoWriterBehind() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let renderer = try Self.renderer(site)
        let sink = SlowSink()
        sink.failing = "index.html"
        sink.slow = ["feed.xml", "feed.json", "sitemap.xml", "robots.txt"]   // the documents' thread is still writing
        XCTAssertThrowsError(try renderer.render(threads: 2, into: sink, indexBeside: true))
        let count = sink.lock.withLock { sink.events.count }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(sink.lock.withLock { sink.events.count }, count, "a write after the render gave up")
    }

    func testTheDefaultJoinsThePieces() throws {
        let sink = CollectingSink()
        try sink.write(path: "a.csv") { emit in try emit(Array("a,b\r\n".utf8)); try emit(Array("1,2\r\n".utf8)) }
        XCTAssertEqual(sink.files.map(\.path), ["a.csv"])
        XCTAssertEqual(sink.files.first?.bytes, Array("a,b\r\n1,2\r\n".utf8))
    }

    /// The open data in pieces of a megabyte: with more windows than fit one piece, the files
    /// are still one valid JSON document and one CSV with a line per window.
    func testOpenDataSplitIntoPiecesStaysWhole() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        for i in 0..<1200 {
            try site.writeSampleWindow("many-\(i)", name: "たくさんの窓口\(i)", reading: "たくさんのまどぐち\(i)",
                                       summary: "大きなオープンデータを確かめるための窓口。\(String(repeating: "説明", count: 200))", regions: "[national]")
        }
        try site.build()
        let json = try Data(contentsOf: site.output.appendingPathComponent("data/windows.json"))
        XCTAssertGreaterThan(json.count, OpenData.pieceBytes, "more than one piece")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual((object["services"] as? [Any])?.count, 1204)
        let csv = try String(contentsOf: site.output.appendingPathComponent("data/windows.csv"), encoding: .utf8)
        XCTAssertEqual(csv.components(separatedBy: "\r\n").count - 2, 1204, "a header, a line per window, a final line end")
    }
}
