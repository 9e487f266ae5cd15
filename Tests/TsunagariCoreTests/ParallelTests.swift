import Foundation
import XCTest
@testable import TsunagariCore

/// parallelMap keeps input order and releases everything it made: a leak there once kept
/// every page's view model and every document's tokens alive (and grew `serve` by tens of
/// megabytes a rebuild on a large site).
final class ParallelTests: XCTestCase {
    final class Census: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var alive: Int { lock.withLock { count } }
        func add(_ n: Int) { lock.withLock { count += n } }
    }

    final class Tracked: @unchecked Sendable {
        let census: Census
        let value: Int
        init(_ census: Census, _ value: Int) {
            self.census = census
            self.value = value
            census.add(1)
        }
        deinit { census.add(-1) }
    }

    func testResultsKeepOrderAndAreReleased() {
        let census = Census()
        do {
            let results = parallelMap(Array(0..<1000), threads: 4) { Tracked(census, $0) }
            XCTAssertEqual(results.map(\.value), Array(0..<1000))
            XCTAssertEqual(census.alive, 1000)
        }
        XCTAssertEqual(census.alive, 0, "every result is released once the caller lets go")
    }

    func testBackgroundWorkGivesItsResultToEveryWait() {
        let work = Background { (1...100).reduce(0, +) }
        XCTAssertEqual(work.wait(), 5050)
        XCTAssertEqual(work.wait(), 5050)
    }

    func testEveryItemIsClaimedOnceInShortRuns() {
        let next = NextItems(count: 10_000, threads: 2)
        XCTAssertEqual(next.runLength, 19)
        let census = Census()
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: 10_000)
        seen.initialize(repeating: 0)
        defer { seen.deallocate() }
        nonisolated(unsafe) let counts = seen
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            while let run = next.claim() {
                XCTAssertLessThanOrEqual(run.count, next.runLength)
                for i in run { counts[i] += 1 }
                census.add(1)
            }
        }
        XCTAssertEqual(Array(seen), Array(repeating: 1, count: 10_000), "each index handed out exactly once")
        XCTAssertEqual(census.alive, (10_000 + 18) / 19)
        XCTAssertNil(next.claim())
        XCTAssertEqual(NextItems(count: 3, threads: 8).runLength, 1)
    }

    /// A thread held up by a slow item leaves the rest to the others, instead of a fixed share
    /// waiting behind it (the build's last pages were made on one core while the other idled).
    func testAThreadHeldUpLeavesTheRestToTheOthers() throws {
        try XCTSkipIf(ProcessInfo.processInfo.activeProcessorCount < 2, "needs two cores")
        final class Log: @unchecked Sendable {
            private let lock = NSLock()
            private(set) var order: [Int] = []
            func add(_ i: Int) { lock.withLock { order.append(i) } }
        }
        let log = Log()
        _ = parallelMap(Array(0..<64), threads: 2) { i in
            if i == 0 { Thread.sleep(forTimeInterval: 0.3) }
            log.add(i)
            return i
        }
        XCTAssertEqual(log.order.count, 64)
        XCTAssertEqual(log.order.last, 0, "every other item was done while the first was held up")
    }
}
