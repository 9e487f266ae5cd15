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
}
