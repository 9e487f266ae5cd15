import Foundation
import XCTest
@testable import TsunagariCore

/// The replaced site is kept as `.public.spare` and the next build is written over it: files
/// whose bytes are unchanged are not written (same inode, same modification time), the output
/// is always byte-identical to a build into a new folder, and nothing in the spare is trusted.
final class RecycledOutputTests: XCTestCase {
    /// Path → (inode, modification time in ns) of every file under `root`.
    private func stamps(_ root: URL) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for path in ProcessTests.tree(root).keys {
            var info = stat()
            XCTAssertEqual(lstat(root.appendingPathComponent(path).path, &info), 0)
            result[path] = [Int(info.st_ino), info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec]
        }
        return result
    }

    private func spare(of site: TestSite) -> URL { site.root.appendingPathComponent(".public.spare") }

    /// The same source built into a folder of its own, with no spare: what the output must equal.
    private func freshBuild(_ site: TestSite) throws -> [String: Data] {
        var options = site.options()
        options.output = site.root.appendingPathComponent("fresh")
        options.recycleOutput = false
        try? FileManager.default.removeItem(at: options.output!)
        try Build.run(options)
        defer { try? FileManager.default.removeItem(at: options.output!) }
        return ProcessTests.tree(options.output!)
    }

    func testAnUnchangedRebuildWritesNoFile() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let first = try site.build()
        XCTAssertEqual(first.changedFiles, first.files, "a new folder: every file is written")
        try site.build()
        XCTAssertTrue(OutputWriter.isRealFolder(spare(of: site).path), "the replaced site is kept")
        let before = stamps(spare(of: site))
        XCTAssertGreaterThan(before.count, 20)

        let third = try site.build()
        XCTAssertEqual(third.changedFiles, 0)
        // The spare became the output, and not one of its files was written.
        XCTAssertEqual(stamps(site.output), before)
        XCTAssertEqual(ProcessTests.tree(site.output), try freshBuild(site))
    }

    func testAnEditChangesOnlyWhatDiffersAndEqualsAFreshBuild() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        try site.build()
        let path = "content/windows/tokyo-line.md"
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        try site.write(path, text.replacingOccurrences(of: "summary: 東京都の子育て相談", with: "summary: 東京都の子育てと家族の相談"))
        let edited = try site.build()
        XCTAssertGreaterThan(edited.changedFiles, 0)
        XCTAssertLessThan(edited.changedFiles, edited.files / 2, "an edit of one summary changes few files")
        XCTAssertTrue(try site.page("windows/tokyo-line/index.html").contains("東京都の子育てと家族の相談"))
        let fresh = try freshBuild(site)
        XCTAssertEqual(ProcessTests.tree(site.output), fresh, ProcessTests.difference(fresh, ProcessTests.tree(site.output)))

        // A window removed: its page is gone from the written-over tree too.
        try FileManager.default.removeItem(at: site.root.appendingPathComponent(path))
        try site.build()
        try site.build()
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("windows/tokyo-line/index.html").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("windows/tokyo-line").path))
        XCTAssertEqual(ProcessTests.tree(site.output), try freshBuild(site))
    }

    /// The search index's folder is named by a fingerprint of all its files, so an edit renames
    /// it; the old folder of the spare is moved to the new name, and the index files the edit
    /// did not change are left as they were (same inode, same time) instead of written anew.
    func testAnEditRewritesOnlyTheIndexFilesItChanges() throws {
        try assertEditKeepsUnchangedIndexFiles { site in try site.build() }
        // The index built before the pages (as above 10,000 windows) is announced the same way.
        try assertEditKeepsUnchangedIndexFiles { site in
            let (linked, theme, diagnostics) = Build.check(site.options())
            let staging = try OutputWriter.Staging(output: site.output)
            try SiteRenderer(site: try XCTUnwrap(linked, "\(diagnostics)"), theme: try XCTUnwrap(theme))
                .render(threads: 2, into: staging, indexBeside: false)
            try staging.commit()
        }
    }

    private func assertEditKeepsUnchangedIndexFiles(rebuild: (TestSite) throws -> Void, line: UInt = #line) throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        try site.build()
        func indexFolder(_ root: URL) throws -> URL {
            let search = root.appendingPathComponent("search")
            let names = try FileManager.default.contentsOfDirectory(atPath: search.path).filter { OutputWriter.isRealFolder(search.appendingPathComponent($0).path) }
            XCTAssertEqual(names.count, 1, "\(names)", line: line)
            return search.appendingPathComponent(try XCTUnwrap(names.first))
        }
        let oldFolder = try indexFolder(spare(of: site))
        let before = stamps(oldFolder)
        let path = "content/windows/tokyo-line.md"
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        try site.write(path, text.replacingOccurrences(of: "summary: 東京都の子育て相談", with: "summary: 東京都の子育てと家族の相談"))
        try rebuild(site)
        let newFolder = try indexFolder(site.output)
        XCTAssertNotEqual(newFolder.lastPathComponent, oldFolder.lastPathComponent, line: line)
        let after = stamps(newFolder)
        let kept = after.filter { before[$0.key] == $0.value }.count
        XCTAssertGreaterThan(after.count, 4, line: line)
        XCTAssertGreaterThan(kept, 0, "unchanged index files are not written again", line: line)
        XCTAssertLessThan(kept, after.count, "the edit changes some index file", line: line)
        XCTAssertEqual(ProcessTests.tree(site.output), try freshBuild(site), line: line)
    }

    /// Files are opened relative to the staging folder: a path that would leave it is refused.
    func testAPathOutsideTheSiteIsRefused() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let outside = site.root.appendingPathComponent("outside.html").path
        let staging = try OutputWriter.Staging(output: site.output)
        for path in [outside, "../outside.html", "a/../../outside.html", "./x.html", "a//b.html", ""] {
            XCTAssertThrowsError(try staging.write(OutputFile(path: path, bytes: Array("x".utf8))), path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
        try staging.write(OutputFile(path: "a/b.html", bytes: Array("x".utf8)))
        staging.abandon()
        for path in ["a/", "a/.", "a/..", "..", ".", "/", "a/./b", "a/../b", "/\u{301}a", "../\u{301}x"] { XCTAssertFalse(OutputWriter.Staging.isInside(path), path) }
        for path in ["...", "a/.../b", ".well-known/x", "a/.b", "..a", "a..", "日本/語.html", "404.html"] { XCTAssertTrue(OutputWriter.Staging.isInside(path), path) }
    }

    /// What someone left in the spare is removed, a symbolic link is never written through,
    /// and a folder where a file belongs (or the reverse) is replaced.
    func testWhatTheSpareHoldsIsNotTrusted() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        try site.build()
        let spare = spare(of: site)
        let outside = site.root.appendingPathComponent("outside.txt")
        try "keep me".write(to: outside, atomically: true, encoding: .utf8)
        let page = spare.appendingPathComponent("windows/tokyo-line/index.html")
        try FileManager.default.removeItem(at: page)
        try FileManager.default.createSymbolicLink(at: page, withDestinationURL: outside)
        try FileManager.default.removeItem(at: spare.appendingPathComponent("404.html"))
        try FileManager.default.createDirectory(at: spare.appendingPathComponent("404.html/inside"), withIntermediateDirectories: true)
        try FileManager.default.removeItem(at: spare.appendingPathComponent("regions/13"))
        try "not a folder".write(to: spare.appendingPathComponent("regions/13"), atomically: true, encoding: .utf8)
        try "stray".write(to: spare.appendingPathComponent("stray.html"), atomically: true, encoding: .utf8)
        try "half a page".write(to: spare.appendingPathComponent("windows/osaka-line/index.html"), atomically: true, encoding: .utf8)
        // In the search index's folder, whose paths are known only when the index is built.
        let shard = try XCTUnwrap(ProcessTests.tree(spare).keys.first { $0.hasPrefix("search/") && $0.hasSuffix("/t/0.bin") })
        try FileManager.default.removeItem(at: spare.appendingPathComponent(shard))
        try FileManager.default.createSymbolicLink(at: spare.appendingPathComponent(shard), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(at: spare.appendingPathComponent("search/elsewhere"), withDestinationURL: site.root)

        let report = try site.build()
        XCTAssertEqual(try String(contentsOf: outside, encoding: .utf8), "keep me")
        let fresh = try freshBuild(site)
        let underRegion = fresh.keys.filter { $0.hasPrefix("regions/13/") }.count
        XCTAssertGreaterThan(underRegion, 0)
        XCTAssertEqual(report.changedFiles, 4 + underRegion, "the links, the folder, the half page and what was under the file were written anew")
        XCTAssertEqual(ProcessTests.tree(site.output), fresh, ProcessTests.difference(fresh, ProcessTests.tree(site.output)))
        var info = stat()
        XCTAssertEqual(lstat(site.output.appendingPathComponent("windows/tokyo-line/index.html").path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG)
    }

    func testWithoutASpareEveryBuildWritesANewFolder() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.build()
        try site.build()
        XCTAssertTrue(FileManager.default.fileExists(atPath: spare(of: site).path))
        var options = site.options()
        options.recycleOutput = false
        let report = try Build.run(options)
        XCTAssertEqual(report.changedFiles, report.files)
        XCTAssertFalse(FileManager.default.fileExists(atPath: spare(of: site).path), "the old spare is deleted and none is kept")
        try Build.run(options)
        XCTAssertFalse(FileManager.default.fileExists(atPath: spare(of: site).path))
    }

    /// A file of the recycled site that cannot be opened for writing (read-only for a user
    /// other than root; here a socket, which no one can open) is replaced by a new file.
    func testAFileThatCannotBeWrittenOverIsReplaced() throws {
        let folder = URL(fileURLWithPath: "/tmp/rt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("page.html").path
        let sock = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(sock, 0)
        defer { close(sock) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            file.utf8CString.withUnsafeBytes { raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(raw.count - 1))) }
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        XCTAssertEqual(bound, 0)
        XCTAssertTrue(try RecycledTree.write(file, relative: "page.html", compare: true) { emit in try emit(Array("窓口".utf8)) })
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "窓口")
    }

    /// Writing over a file: equal bytes leave it untouched; a longer, shorter or different
    /// text replaces it exactly, whichever piece the difference is in.
    func testWritingOverAFileComparesPieceByPiece() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("page.html").path
        func write(_ pieces: [String]) throws -> Bool {
            try RecycledTree.write(file, relative: "page.html", compare: true) { emit in
                for piece in pieces { try emit(Array(piece.utf8)) }
            }
        }
        func contents() -> String { (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
        XCTAssertTrue(try write(["相談", "窓口"]), "a new file")
        XCTAssertEqual(contents(), "相談窓口")
        XCTAssertFalse(try write(["相談", "窓口"]))
        XCTAssertFalse(try write(["相談窓口"]), "the same bytes in other pieces")
        XCTAssertTrue(try write(["相談", "窓口", "一覧"]))
        XCTAssertEqual(contents(), "相談窓口一覧")
        XCTAssertTrue(try write(["相談", "窓"]))
        XCTAssertEqual(contents(), "相談窓")
        XCTAssertTrue(try write(["相談", "所"]))
        XCTAssertEqual(contents(), "相談所")
        XCTAssertTrue(try write(["電話", "所"]))
        XCTAssertEqual(contents(), "電話所")
        XCTAssertTrue(try write([]))
        XCTAssertEqual(contents(), "")
    }
}
