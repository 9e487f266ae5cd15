import Foundation
import XCTest
@testable import TsunagariCore
@testable import TsunagariTemplates

/// A build over the spare copy of the site leaves alone (or copies from the output it
/// replaces) every file whose input is unchanged: pages whose view model, template and shared
/// fragments are the same, the search index when its documents are, open data when the
/// content is. Whatever was kept, the output equals a build into a new folder, byte for byte.
final class OutputRecordTests: XCTestCase {
    /// The same source built into a folder of its own, with no spare, cache or record.
    private func freshBuild(_ site: TestSite, today: SimpleDate? = nil) throws -> [String: Data] {
        var options = site.options()
        if let today { options.today = today }
        options.output = site.root.appendingPathComponent("fresh")
        options.recycleOutput = false
        options.parseCache = false
        try? FileManager.default.removeItem(at: options.output!)
        try Build.run(options)
        defer { try? FileManager.default.removeItem(at: options.output!) }
        return ProcessTests.tree(options.output!)
    }

    private func assertOutputIsFresh(_ site: TestSite, today: SimpleDate? = nil, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fresh = try freshBuild(site, today: today)
        let output = ProcessTests.tree(site.output)
        XCTAssertEqual(output, fresh, "\(message): " + ProcessTests.difference(fresh, output), file: file, line: line)
    }

    /// Built often enough that both the output and its spare have a record.
    private func settledSite() throws -> TestSite {
        let site = try TestSite("basic")
        for _ in 0..<3 { try site.build() }
        return site
    }

    private func edit(_ site: TestSite, _ path: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        XCTAssertTrue(text.contains(old), "\(path) has no '\(old)'")
        try site.write(path, text.replacingOccurrences(of: old, with: new))
    }

    // MARK: - Whole builds

    func testNothingIsMadeAgainWhenNothingChanged() throws {
        let site = try settledSite()
        defer { site.remove() }
        let report = try site.build()
        XCTAssertEqual(report.changedFiles, 0)
        // Every page, the index and the open data are kept; the theme's assets (copied, not
        // made) are the only files written over.
        XCTAssertEqual(report.keptFiles, report.files - site.themeAssetCount)
        try assertOutputIsFresh(site, "nothing changed")
    }

    func testAFirstBuildInAPlaceKeepsNoRecord() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let record = site.root.appendingPathComponent(".public.record").path
        try site.build()
        XCTAssertFalse(FileManager.default.fileExists(atPath: record), "a clean clone's build writes no record")
        try site.build()
        XCTAssertTrue(FileManager.default.fileExists(atPath: record))
        // Removing the output makes the next build a first one again, and its record goes.
        try FileManager.default.removeItem(at: site.output)
        try site.build()
        XCTAssertFalse(FileManager.default.fileExists(atPath: record))
        var noSpare = site.options()
        noSpare.recycleOutput = false
        try Build.run(noSpare)
        XCTAssertFalse(FileManager.default.fileExists(atPath: record), "--no-spare keeps no record")
    }

    func testAnEditRemakesThePageAndThePagesThatListIt() throws {
        let site = try settledSite()
        defer { site.remove() }
        let all = try site.build()
        try edit(site, "content/windows/tokyo-line.md", "summary: 東京都の子育て相談", "summary: 東京都の子育てと家族の相談")
        let edited = try site.build()
        let remade = edited.files - edited.keptFiles
        // The window's page, the lists that show its summary, the index, the open data and
        // feeds, the assets: far fewer than all.
        XCTAssertGreaterThan(remade, 5)
        XCTAssertLessThan(remade, all.files / 3, "an edit of one summary remade \(remade) of \(all.files) files")
        XCTAssertTrue(try site.page("windows/tokyo-line/index.html").contains("東京都の子育てと家族の相談"))
        XCTAssertTrue(try site.page("windows/index.html").contains("東京都の子育てと家族の相談"), "the list that shows it")
        try assertOutputIsFresh(site, "after the edit")

        // The next build writes over the spare, two builds old: the edited files are copied
        // from the output it replaces, nothing is made.
        let next = try site.build()
        XCTAssertEqual(next.keptFiles, next.files - site.themeAssetCount)
        XCTAssertGreaterThan(next.changedFiles, 0, "the spare lacked the edit")
        try assertOutputIsFresh(site, "the build after the edit")
    }

    func testATemplateChangeRemakesEveryPage() throws {
        let site = try settledSite()
        defer { site.remove() }
        try edit(site, "themes/default/templates/partials/footer.mustache", "</footer>", "<p>テスト用のフッター</p></footer>")
        let report = try site.build()
        let pages = ProcessTests.tree(site.output).keys.filter { $0.hasSuffix(".html") }
        XCTAssertEqual(report.pages, pages.count)
        for page in pages { XCTAssertTrue(try site.page(page).contains("テスト用のフッター"), page) }
        try assertOutputIsFresh(site, "after a template change")
    }

    func testAnotherDayRemakesWhatTheDateChanges() throws {
        let site = try settledSite()
        defer { site.remove() }
        // Ten years on every verified date is stale: pages say so.
        var later = site.options()
        later.today = SimpleDate(year: 2035, month: 6, day: 1)
        try Build.run(later)
        try assertOutputIsFresh(site, today: later.today, "ten years later")
        try Build.run(later)
        try assertOutputIsFresh(site, today: later.today, "ten years later, again")
    }

    /// A file of the spare or of the output changed by anything but a build (an editor, a sync
    /// tool) is not trusted: it is made again, and never copied into the new output.
    func testAFileChangedOutsideTheBuildIsNotTrusted() throws {
        let site = try settledSite()
        defer { site.remove() }
        let spare = site.root.appendingPathComponent(".public.spare")
        let page = "windows/osaka-line/index.html"
        // The same length, so that only the times and the bytes tell.
        let original = try Data(contentsOf: spare.appendingPathComponent(page))
        try Data(repeating: UInt8(ascii: "x"), count: original.count).write(to: spare.appendingPathComponent(page))
        try Data("tampered".utf8).write(to: spare.appendingPathComponent("data/windows.json"))
        try site.build()
        try assertOutputIsFresh(site, "a tampered spare")

        // Now the output the next build would copy from: an edit made the spare stale, and
        // the file it would copy was changed after the build wrote it.
        try edit(site, "content/windows/tokyo-line.md", "summary: 東京都の子育て相談", "summary: 東京都の子育て相談窓口")
        try site.build()
        let live = site.output.appendingPathComponent("windows/tokyo-line/index.html")
        let bytes = try Data(contentsOf: live)
        try Data(repeating: UInt8(ascii: "y"), count: bytes.count).write(to: live)
        try site.build()
        try assertOutputIsFresh(site, "a tampered output")
    }

    func testADamagedOrForeignRecordIsIgnored() throws {
        let site = try settledSite()
        defer { site.remove() }
        let record = site.root.appendingPathComponent(".public.record")
        var bytes = try Data(contentsOf: record)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: record)
        XCTAssertEqual(OutputRecord(path: record.path).trees.count, 0, "a damaged record is read as none")
        try edit(site, "content/windows/osaka-line.md", "name: ", "name: 新")
        let report = try site.build()
        XCTAssertEqual(report.keptFiles, 0)
        try assertOutputIsFresh(site, "a damaged record")
    }

    /// Random edits, removals and additions, each followed by a build: after every one the
    /// output equals a fresh build. Seeded, so a failure repeats.
    func testRandomEditsAlwaysGiveAFreshBuildsOutput() throws {
        let site = try settledSite()
        defer { site.remove() }
        var random = EscaperPropertyTests.Random(seed: 20261124)
        let windows = ["koto-line", "osaka-line", "tokyo-line"]
        for round in 0..<10 {
            let slug = windows[Int(random.next() % UInt64(windows.count))]
            let path = "content/windows/\(slug).md"
            switch random.next() % 4 {
            case 0:
                let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
                try site.write(path, text.replacingOccurrences(of: "\nsummary: ", with: "\nsummary: 第\(round)版 "))
            case 1:
                try site.writeSampleWindow("added-\(round)", name: "追加の窓口\(round)", reading: "ついかのまどぐち", summary: "追加した見本の窓口です。", regions: "[\"13\"]")
            case 2:
                let added = (try? FileManager.default.contentsOfDirectory(atPath: site.root.appendingPathComponent("content/windows").path))?
                    .filter { $0.hasPrefix("added-") }.sorted() ?? []
                if let first = added.first { try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/windows/" + first)) }
            default:
                break   // nothing changed
            }
            try site.build()
            try assertOutputIsFresh(site, "round \(round)")
        }
    }

    // MARK: - Fingerprints

    func testFingerprintsAreTheSameInEveryProcess() {
        // Computed once and written here: Swift's own Hasher would differ from run to run.
        var hasher = StableHasher()
        hasher.combine("つながり")
        hasher.combine(42)
        let value = hasher.finalize()
        XCTAssertEqual(value, StableHasher.known, "StableHasher gave \(value.high), \(value.low)")
    }

    func testAMapsFingerprintDoesNotDependOnItsOrder() {
        var a: TemplateMap = [:]
        var b: TemplateMap = [:]
        let keys = (0..<50).map { "key\($0)" }
        for k in keys { a[k] = .string(k + "の値") }
        for k in keys.reversed() { b[k] = .string(k + "の値") }
        XCTAssertEqual(TemplateValue.map(a).fingerprint, TemplateValue.map(b).fingerprint)
        XCTAssertEqual(TemplateValue.map(a).fingerprint, TemplateValue.object(TemplateObject(a)).fingerprint, "an object renders as its map")
    }

    func testAnyChangeToAValueChangesItsFingerprint() {
        let base: TemplateValue = ["name": "窓口", "count": 3, "items": [["label": "a"], ["label": "b"]], "flag": true, "none": nil]
        let variants: [TemplateValue] = [
            ["name": "窓囗", "count": 3, "items": [["label": "a"], ["label": "b"]], "flag": true, "none": nil],
            ["name": "窓口", "count": 4, "items": [["label": "a"], ["label": "b"]], "flag": true, "none": nil],
            ["name": "窓口", "count": "3", "items": [["label": "a"], ["label": "b"]], "flag": true, "none": nil],
            ["name": "窓口", "count": 3, "items": [["label": "b"], ["label": "a"]], "flag": true, "none": nil],
            ["name": "窓口", "count": 3, "items": [["label": "a"], ["label": "b"], ["label": "b"]], "flag": true, "none": nil],
            ["name": "窓口", "count": 3, "items": [["label": "a"], ["labels": "b"]], "flag": true, "none": nil],
            ["name": "窓口", "count": 3, "items": [["label": "a"], ["label": "b"]], "flag": false, "none": nil],
            ["name": "窓口", "count": 3, "items": [["label": "a"], ["label": "b"]], "flag": true, "none": false],
            ["name": "窓口", "count": 3, "items": [["label": "a"], ["label": "b"]], "flag": true, "none": []],
            ["name": "窓口", "count": 3, "items": [["label": "a"], ["label": "b"]], "flag": true],
            ["name": "窓口", "count": 3.0, "items": [["label": "a"], ["label": "b"]], "flag": true, "none": nil],
            // Two strings that run together the same way.
            ["name": "窓", "count": 3, "items": [["label": "口a"], ["label": "b"]], "flag": true, "none": nil],
        ]
        var seen: Set<Fingerprint128> = [base.fingerprint]
        for (i, v) in variants.enumerated() {
            XCTAssertNotEqual(v.fingerprint, base.fingerprint, "variant \(i)")
            seen.insert(v.fingerprint)
        }
        XCTAssertEqual(seen.count, variants.count + 1, "every variant differs from every other")
    }

    func testTheRecordReadsBackWhatWasWritten() throws {
        let state = OutputRecord.FileState(device: 5, inode: 1 << 40, size: 9_000, modified: 1_700_000_000_123_456_789, changed: -1)
        var tree = OutputRecord.Tree(device: 5, inode: 77)
        tree.files["windows/a/index.html"] = .init(input: Fingerprint128(high: 1, low: UInt64.max), state: state)
        tree.files["search/x/t/0.bin"] = .init(input: Fingerprint128(high: 2, low: 3), state: state)
        tree.groups["search/"] = .init(input: Fingerprint128(high: 2, low: 3), paths: ["search/x/t/0.bin"])
        let bytes = OutputRecord.encode([tree, OutputRecord.Tree(device: 5, inode: 78)])
        XCTAssertEqual(try OutputRecord.decode(bytes), [tree, OutputRecord.Tree(device: 5, inode: 78)])
        // Every byte matters: a change anywhere is refused.
        for i in stride(from: 0, to: bytes.count, by: 7) {
            var damaged = bytes
            damaged[i] ^= 0x41
            XCTAssertThrowsError(try OutputRecord.decode(damaged), "byte \(i)")
        }
        XCTAssertThrowsError(try OutputRecord.decode(Array(bytes.dropLast())))
    }
}

extension StableHasher {
    /// `StableHasher` of "つながり" then 42. Checked against a separate transcription of the
    /// algorithm in Python (the xxHash64 round per 8-byte little-endian word in two lanes, the
    /// length word before the bytes, the zero-padded tail, MurmurHash3's avalanche of
    /// `a ^ words` and `b ^ (words << 1) ^ a`), which gives the same two numbers.
    static let known = Fingerprint128(high: 14693980029806519371, low: 13050889950017564907)
}

extension TestSite {
    /// Files of the theme's assets folder (written over on every build: copied, not made).
    var themeAssetCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("themes/default/assets").path))?
            .filter { !$0.hasPrefix(".") }.count ?? 0
    }
}
