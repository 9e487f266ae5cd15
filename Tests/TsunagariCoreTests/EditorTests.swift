import Foundation
import XCTest
@testable import TsunagariCore

/// What editors use besides the build: scaffolding, check's JSON, the health report, the preview.
final class EditorTests: XCTestCase {
    func testNewEntryNamesItsEmptyRequiredFieldsThenBuildsOnceFilled() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let path = try Scaffold.create(.window, slug: "new-line", in: site.root)
        XCTAssertEqual(path, "content/windows/new-line.md")
        XCTAssertThrowsError(try Scaffold.create(.window, slug: "new-line", in: site.root), "refuses to overwrite")
        XCTAssertThrowsError(try Scaffold.create(.window, slug: "New Line", in: site.root), "refuses a bad slug")

        let (_, _, diagnostics) = Build.check(site.options())
        let errors = diagnostics.filter { $0.severity == .error && $0.path == path }.map(\.message)
        XCTAssertEqual(Set(errors), ["missing required field 'name'", "missing required field 'reading'", "missing required field 'summary'",
                                     "field 'categories' needs at least one item", "field 'life_stages' needs at least one item",
                                     "field 'regions' needs at least one item"])

        var text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        text = text.replacingOccurrences(of: "name:            #", with: "name: 新しい窓口 #")
            .replacingOccurrences(of: "reading:         #", with: "reading: あたらしいまどぐち #")
            .replacingOccurrences(of: "summary:         #", with: "summary: 説明 #")
            .replacingOccurrences(of: "categories: []", with: "categories: [kodoku]")
            .replacingOccurrences(of: "life_stages: []", with: "life_stages: [dare-demo]")
            .replacingOccurrences(of: "regions: []", with: "regions: [national]")
            .replacingOccurrences(of: "    number:      #", with: "    number: \"03-0000-0000\" #")
        try site.write(path, text)
        try site.build()
        XCTAssertTrue(try site.page("windows/new-line/index.html").contains("新しい窓口"))
    }

    func testEveryScaffoldIsValidYAMLWithCommentsOnEachField() throws {
        for kind in Scaffold.Kind.allCases {
            let template = Scaffold.template(kind)
            XCTAssertTrue(template.hasPrefix("---\n"))
            let fieldLines = template.split(separator: "\n").filter { $0.contains(":") && !$0.hasPrefix("---") }
            XCTAssertTrue(fieldLines.allSatisfy { $0.contains("#") }, "\(kind): every field line has a comment")
        }
    }

    func testCheckJSONIsMachineReadable() throws {
        let diagnostics = [SourceLocation(path: "content/windows/a.md", line: 3, column: 5).error("unknown category 'x'", hint: "did you mean 'y'?"),
                           SourceLocation(path: "content/windows/a.md", line: 1, column: 1).warning("window has no source")]
        let json = DiagnosticJSON.encode(diagnostics)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["errors"] as? Int, 1)
        XCTAssertEqual(object["warnings"] as? Int, 1)
        let first = try XCTUnwrap((object["diagnostics"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["path"] as? String, "content/windows/a.md")
        XCTAssertEqual(first["line"] as? Int, 3)
        XCTAssertEqual(first["column"] as? Int, 5)
        XCTAssertEqual(first["hint"] as? String, "did you mean 'y'?")
    }

    func testHealthReportIsWrittenUnlinkedWithTableAndChart() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        let report = try site.page("_health/index.html")
        XCTAssertTrue(report.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"))
        XCTAssertTrue(report.contains("<table class=\"coverage\">"))
        XCTAssertTrue(report.contains("<svg"))
        XCTAssertTrue(report.contains("確認日のない窓口：3件"), "tokyo, koto and osaka have no verified date")
        XCTAssertFalse(try site.page("index.html").contains("_health"), "not linked from public pages")
        XCTAssertFalse(try site.page("sitemap.xml").contains("_health"))
        XCTAssertTrue(try site.page("robots.txt").contains("Disallow: /_health/"))
    }

    /// The chart counts each window once in each prefecture it serves (itself or through a
    /// municipality), ranks by count, and shows every prefecture.
    func testHealthReportChartCountsWindowsPerPrefecture() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.writeSampleWindow("both", name: "両方", reading: "りょうほう", summary: "東京都と江東区", regions: "[\"13\", \"131083\", \"27\"]")
        try site.build()
        let report = try site.page("_health/index.html")
        let bars = report.components(separatedBy: "<text x=\"74\"").dropFirst().map { part -> String in
            let label = part.components(separatedBy: ">")[1].components(separatedBy: "<")[0]
            let value = part.components(separatedBy: "font-size=\"12\" fill=\"#1b1b1b\">").dropFirst(2).first?.components(separatedBy: "<")[0] ?? "?"
            return "\(label) \(value)"
        }
        XCTAssertEqual(bars.count, 47)
        // tokyo, koto and the new one in 東京都; osaka and the new one in 大阪府; national in none.
        XCTAssertEqual(Array(bars.prefix(3)), ["東京都 3", "大阪府 2", "三重県 0"])
    }

    func testPreviewKeepsServingAndShowsErrorsUntilFixed() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let preview = PreviewSite(options: site.options())
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertFalse(preview.rebuildIfChanged(), "nothing changed")
        XCTAssertNotNil(try preview.file(for: "/windows/koto-line/"))
        XCTAssertNil(try preview.file(for: "/../site.yml"))
        let path = "content/windows/koto-line.md"
        let good = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        try site.write(path, good.replacingOccurrences(of: "summary:", with: "summry: x\nsummary:"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertTrue(preview.current.failed)
        XCTAssertTrue(PreviewSite.errorPage(preview.current.diagnostics).contains("unknown field &apos;summry&apos;"))
        XCTAssertNotNil(try preview.file(for: "/windows/koto-line/"), "the last good site stays available")
        try site.write(path, good.replacingOccurrences(of: "江東区のひとり暮らしの方の相談", with: "直した説明"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertFalse(preview.current.failed)
        XCTAssertTrue(String(decoding: try preview.file(for: "/windows/koto-line/")!, as: UTF8.self).contains("直した説明"))
    }

    /// The preview serves exactly the bytes a build writes, for every file.
    func testPreviewServesTheSameBytesAsTheBuild() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let built = try Build.render(site.options()).files
        let preview = PreviewSite(options: site.options())
        preview.rebuild()
        XCTAssertFalse(preview.current.failed)
        XCTAssertGreaterThan(built.count, 20)
        for file in built {
            XCTAssertEqual(try preview.file(for: "/" + file.path), file.bytes, file.path)
        }
        XCTAssertEqual(preview.current.pages, built.filter { $0.path.hasSuffix(".html") }.count)
    }

    /// After a one-file edit the preview parses that file only, and the pages that list the
    /// entry show the change as well as its own page.
    func testOneFileEditParsesOneFileAndUpdatesTheListingPages() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let preview = PreviewSite(options: site.options())
        XCTAssertTrue(preview.rebuildIfChanged())
        let entries = try FileManager.default.subpathsOfDirectory(atPath: site.root.appendingPathComponent("content").path).filter { $0.hasSuffix(".md") }
        XCTAssertEqual(preview.cache.parsedLastTime, entries.count, "the first build parses everything")
        _ = try preview.file(for: "/windows/")
        let path = "content/windows/koto-line.md"
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        guard let nameLine = text.split(separator: "\n").first(where: { $0.hasPrefix("name:") }) else { return XCTFail("no name line") }
        try site.write(path, text.replacingOccurrences(of: String(nameLine), with: "name: 改名した窓口"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertEqual(preview.cache.parsedLastTime, 1)
        XCTAssertTrue(String(decoding: try preview.file(for: "/windows/koto-line/")!, as: UTF8.self).contains("改名した窓口"))
        XCTAssertTrue(String(decoding: try preview.file(for: "/windows/")!, as: UTF8.self).contains("改名した窓口"), "the list page is made anew")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent(path))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertEqual(preview.cache.parsedLastTime, 0, "a deleted file parses nothing")
        XCTAssertNil(try preview.file(for: "/windows/koto-line/index.html"))
    }

    /// Every file the preview serves equals the file a fresh build writes.
    func assertServesTheBuild(_ preview: PreviewSite, _ site: TestSite, file: StaticString = #filePath, line: UInt = #line) throws {
        let built = try Build.render(site.options()).files
        XCTAssertGreaterThan(built.count, 20, file: file, line: line)
        for f in built where try preview.file(for: "/" + f.path) != f.bytes {
            XCTFail("\(f.path) differs from the build", file: file, line: line)
        }
        XCTAssertEqual(preview.current.diagnostics.filter { $0.severity == .error }, [], file: file, line: line)
    }

    /// Editing the text of a window patches it into the last site (nothing else is read or
    /// linked) and serves exactly what a build would; an edit that moves links takes the full
    /// path, and so do a new file and a taxonomy.
    func testTextEditOfAWindowIsPatchedAndServesWhatABuildWrites() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let preview = PreviewSite(options: site.options())
        XCTAssertTrue(preview.rebuildIfChanged())
        let path = "content/windows/tokyo-line.md"
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        for file in ["/windows/tokyo-line/", "/windows/", "/regions/131083/", "/search/index.json"] { _ = try preview.file(for: file) }

        try site.write(path, text.replacingOccurrences(of: "summary: 東京都の子育て相談", with: "summary: 東京都の子育ての相談（改訂）")
                                 .replacingOccurrences(of: "name: 東京こそだて窓口", with: "name: 東京こそだて窓口（改名）"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertTrue(preview.current.patched, "a text edit is patched in")
        XCTAssertEqual(preview.cache.parsedLastTime, 1)
        XCTAssertTrue(String(decoding: try preview.file(for: "/regions/131083/")!, as: UTF8.self).contains("東京こそだて窓口（改名）"),
                      "the pages that list the window show the new name")
        try assertServesTheBuild(preview, site)

        try site.write(path, text.replacingOccurrences(of: "categories: [kosodate]", with: "categories: [kosodate, kodoku]"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertFalse(preview.current.patched, "a new category moves the window into other lists: full path")
        try assertServesTheBuild(preview, site)

        try site.write(path, text.replacingOccurrences(of: "categories: [kosodate]", with: "categories: [kosodatee]"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertTrue(preview.current.failed, "an error is never patched in")
        try site.write(path, text)
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertFalse(preview.current.failed)
        try assertServesTheBuild(preview, site)

        try site.write("content/windows/new-line.md", text.replacingOccurrences(of: "name: 東京こそだて窓口", with: "name: 新しい窓口"))
        XCTAssertTrue(preview.rebuildIfChanged())
        XCTAssertFalse(preview.current.patched, "a new file: full path")
        try assertServesTheBuild(preview, site)
    }

    /// The watcher names what changed, relative to the site folder.
    func testChangeWatcherNamesTheChangedFiles() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        guard let watcher = ChangeWatcher(root: site.root) else { throw XCTSkip("no inotify here") }
        try site.write("content/windows/koto-line.md", try String(contentsOf: site.root.appendingPathComponent("content/windows/koto-line.md"), encoding: .utf8) + "\n")
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        // (The atomic write also names its temporary file, gone by now.)
        let changes = try XCTUnwrap(watcher.takeChanges())
        XCTAssertTrue(changes.contains("content/windows/koto-line.md"), "\(changes)")
        XCTAssertTrue(changes.allSatisfy { $0.hasPrefix("content/windows/") }, "\(changes)")
        XCTAssertEqual(watcher.takeChanges(), [], "taken once")
        try site.write("site.yml", try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8))
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        let rootChanges = try XCTUnwrap(watcher.takeChanges())
        XCTAssertTrue(rootChanges.contains("site.yml"), "\(rootChanges)")
        XCTAssertFalse(rootChanges.contains { $0.contains("/") }, "\(rootChanges)")
    }

    /// When the kernel's queue of events overflows (more events than it keeps before they are
    /// read), the changes are unknown: the watcher says so, and the preview rebuilds it all.
    func testChangeWatcherSaysWhenEventsWereLost() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        guard let watcher = ChangeWatcher(root: site.root) else { throw XCTSkip("no inotify here") }
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        guard limit <= 100_000 else { throw XCTSkip("a queue of \(limit) events") }
        let folder = site.root.appendingPathComponent("themes/default/many")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        XCTAssertNotNil(watcher.takeChanges())
        // Each file makes three events or more (made, written, closed).
        for i in 0..<(limit / 3 + 100) { _ = FileManager.default.createFile(atPath: folder.path + "/\(i).txt", contents: Data("x".utf8)) }
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        XCTAssertNil(watcher.takeChanges()?.count, "events were lost")
        try site.write("themes/default/many/after.txt", "x")
        XCTAssertTrue(watcher.wait(milliseconds: 2000), "still watched")
        XCTAssertEqual(watcher.takeChanges()?.contains("themes/default/many/after.txt"), true)
    }

    /// The preview wakes on a save (inotify), not by polling: nothing changed, no wake; a file
    /// written, a wake; a file in a folder made after the watch started, a wake too.
    func testChangeWatcherWakesOnSavesInNewFoldersToo() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        guard let watcher = ChangeWatcher(root: site.root) else { throw XCTSkip("no inotify here") }
        XCTAssertFalse(watcher.wait(milliseconds: 100), "nothing changed")
        try site.write("content/windows/koto-line.md", try String(contentsOf: site.root.appendingPathComponent("content/windows/koto-line.md"), encoding: .utf8) + "\n")
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        XCTAssertFalse(watcher.wait(milliseconds: 100), "one save, one wake")
        /// Makes `folder` (with its parents), then saves a file in it: a wake for each, and the
        /// file named when `watchedInside` (else no wake for the file).
        func makeAndSave(in folder: String, watchedInside: Bool = true, _ what: String) throws {
            try FileManager.default.createDirectory(at: site.root.appendingPathComponent(folder), withIntermediateDirectories: true)
            XCTAssertTrue(watcher.wait(milliseconds: 2000), "a new folder is a change: \(what)")
            _ = watcher.takeChanges()
            try site.write(folder + "/note.txt", "x")
            XCTAssertEqual(watcher.wait(milliseconds: watchedInside ? 2000 : 200), watchedInside, what)
            XCTAssertEqual(watcher.takeChanges()?.contains(folder + "/note.txt"), watchedInside, what)
        }
        try makeAndSave(in: "themes/default/extra", "watched from then on")
        try makeAndSave(in: "themes/default/a/b", "a folder made inside a new folder, at once")
        // A folder removed and made again under its name: watched again.
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("themes/default/extra"))
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        try makeAndSave(in: "themes/default/extra", "a folder made again")
        // A new folder beside content/ (the output, say) is not watched inside.
        try makeAndSave(in: "elsewhere", watchedInside: false, "a folder beside content/")
        // A folder moved in with files already in it: the files are named.
        let outside = site.root.appendingPathComponent("elsewhere/pictures")
        try FileManager.default.createDirectory(at: outside.appendingPathComponent("small"), withIntermediateDirectories: true)
        try "x".write(to: outside.appendingPathComponent("small/a.svg"), atomically: false, encoding: .utf8)
        XCTAssertFalse(watcher.wait(milliseconds: 200))
        try FileManager.default.moveItem(at: outside, to: site.root.appendingPathComponent("themes/default/pictures"))
        XCTAssertTrue(watcher.wait(milliseconds: 2000))
        XCTAssertEqual(watcher.takeChanges()?.contains("themes/default/pictures/small/a.svg"), true)
        try site.write("themes/default/pictures/small/b.svg", "x")
        XCTAssertTrue(watcher.wait(milliseconds: 2000), "and watched")
        try site.write("site.yml", try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8))
        XCTAssertTrue(watcher.wait(milliseconds: 2000), "site.yml is watched")
    }
}
