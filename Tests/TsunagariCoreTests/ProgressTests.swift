import Foundation
import XCTest
@testable import TsunagariCore

/// The build's progress display: what it says, how often it redraws, and that a build tells
/// it every stage and every file.
final class ProgressTests: XCTestCase {
    /// Collects what a reporter writes (from any thread).
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        func append(_ text: String) { lock.withLock { parts.append(text) } }
        var texts: [String] { lock.withLock { parts } }
    }

    func testCountsAreGroupedByThousands() {
        XCTAssertEqual(ProgressText.line("rendering", done: 4213, total: 11852), "rendering 4,213/11,852 files")
        XCTAssertEqual(ProgressText.line("rendering", done: nil, total: 11852), "rendering 11,852 files")
        XCTAssertEqual(ProgressText.line("loading", done: nil, total: nil), "loading")
    }

    func testTheTerminalLineIsRedrawnInPlaceAtMostOncePerIntervalAndClearedAtTheEnd() {
        let recorder = Recorder()
        // An interval no test outlasts: only the stage start and the last file draw.
        let progress = TerminalProgress(interval: 3_600_000_000_000, output: recorder.append)
        progress.stage("rendering", total: 3)
        progress.advance(done: 1)
        progress.advance(done: 2)
        progress.advance(done: 3)
        progress.finish()
        XCTAssertEqual(recorder.texts, ["\r\u{1B}[2Krendering 0/3 files", "\r\u{1B}[2Krendering 3/3 files", "\r\u{1B}[2K"])
        XCTAssertFalse(recorder.texts.joined().contains("\n"), "a terminal progress line never scrolls")
    }

    func testTheTerminalLineFollowsEveryFileWhenTheIntervalAllows() {
        let recorder = Recorder()
        let progress = TerminalProgress(interval: 0, output: recorder.append)
        progress.stage("rendering", total: 2)
        progress.advance(done: 1)
        XCTAssertEqual(recorder.texts.last, "\r\u{1B}[2Krendering 1/2 files")
    }

    /// Files told later (the search index) raise the total the line shows.
    func testTheTerminalTotalGrowsWithFilesToldLater() {
        let recorder = Recorder()
        let progress = TerminalProgress(interval: 0, output: recorder.append)
        progress.stage("rendering", total: 2)
        progress.expect(more: 3)
        progress.advance(done: 4)
        XCTAssertEqual(recorder.texts.last, "\r\u{1B}[2Krendering 4/5 files")
    }

    func testLogProgressWritesOnePlainLinePerStage() {
        let recorder = Recorder()
        let progress = LogProgress(output: recorder.append)
        progress.stage("loading", total: nil)
        progress.stage("rendering", total: 1200)
        progress.advance(done: 5)
        progress.finish()
        XCTAssertEqual(recorder.texts, ["loading\n", "rendering 1,200 files\n"])
    }

    /// A build reports its stages in order, then every file written, then finishes.
    func testABuildReportsEachStageAndEveryFile() throws {
        final class Log: BuildProgress, @unchecked Sendable {
            let lock = NSLock()
            var stages: [String] = []
            var total = 0
            var maxDone = 0
            var finished = 0
            func stage(_ name: String, total: Int?) { lock.withLock { stages.append(name); if let total { self.total = total } } }
            func advance(done: Int) { lock.withLock { maxDone = max(maxDone, done) } }
            func finish() { lock.withLock { finished += 1 } }
            // The search index's files, told when it is built (beside the pages).
            func expect(more: Int) { lock.withLock { total += more } }
        }
        let site = try TestSite("basic")
        defer { site.remove() }
        let log = Log()
        var options = site.options()
        options.progress = log
        let report = try Build.run(options)
        XCTAssertEqual(log.stages, ["loading", "linking", "indexing", "rendering", "replacing \(site.output.lastPathComponent)/"])
        XCTAssertEqual(log.total, report.files)
        XCTAssertEqual(log.maxDone, report.files)
        XCTAssertEqual(log.finished, 1)
    }
}
