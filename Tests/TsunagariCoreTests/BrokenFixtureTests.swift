import Foundation
import XCTest
@testable import TsunagariCore

/// Each folder under Fixtures/broken/ is laid over the `basic` fixture and must fail the build
/// with exactly the errors in its `errors.expected`, leaving the previous output untouched.
final class BrokenFixtureTests: XCTestCase {
    func testEveryBrokenFixtureFailsWithItsLocatedErrors() throws {
        let brokenRoot = TestSite.fixtures.appendingPathComponent("broken")
        let names = try FileManager.default.contentsOfDirectory(atPath: brokenRoot.path).sorted()
        XCTAssertGreaterThanOrEqual(names.count, 20)
        for name in names {
            let expectedURL = brokenRoot.appendingPathComponent(name).appendingPathComponent("errors.expected")
            guard let expectedText = try? String(contentsOf: expectedURL, encoding: .utf8) else {
                XCTFail("\(name): no errors.expected")
                continue
            }
            let expected = expectedText.split(separator: "\n").map(String.init)
            let site = try TestSite("basic", overlays: ["broken/\(name)"])
            defer { site.remove() }
            // A previous site that must survive the failed build.
            try FileManager.default.createDirectory(at: site.output, withIntermediateDirectories: true)
            try "previous".write(to: site.output.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            try "".write(to: site.output.appendingPathComponent(OutputWriter.marker), atomically: true, encoding: .utf8)
            do {
                try site.build()
                XCTFail("\(name): build succeeded")
            } catch let failure as BuildFailure {
                let errors = failure.diagnostics.filter { $0.severity == .error }.map(\.description)
                XCTAssertEqual(errors, expected, "\(name)")
            }
            XCTAssertEqual(try site.page("index.html"), "previous", "\(name): previous output was changed")
            XCTAssertEqual(Set(site.outputFiles().keys), ["index.html", OutputWriter.marker], "\(name)")
            // Nor is the staging folder left behind (it was made, with the entries' folders,
            // before the content was read).
            let staging = try FileManager.default.contentsOfDirectory(atPath: site.root.path)
                .filter { $0.hasPrefix(".\(site.output.lastPathComponent).new-") }
            XCTAssertEqual(staging, [], "\(name)")
        }
    }
}

/// A new user's first window with a typo in each of ten kinds of field: one `check` reports
/// each at its line and column, with a hint that names the fix (broken/ten-typos/).
final class TenTyposTests: XCTestCase {
    func testOneCheckGivesOneLocatedActionableMessagePerTypo() throws {
        let folder = TestSite.fixtures.appendingPathComponent("broken/ten-typos")
        func lines(_ name: String) throws -> [String] {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let expected = try lines("errors.expected") + lines("warnings.expected")
        let site = try TestSite("basic", overlays: ["broken/ten-typos"])
        defer { site.remove() }
        let (linked, _, diagnostics) = Build.check(site.options())
        XCTAssertNil(linked)
        XCTAssertEqual(diagnostics.map(\.description).sorted(), expected.sorted())
        XCTAssertGreaterThanOrEqual(diagnostics.count, 10)
        // One per line of the file, each at the typo itself, each saying what to write instead.
        XCTAssertEqual(Set(diagnostics.map(\.line)).count, diagnostics.count)
        for d in diagnostics {
            XCTAssertEqual(d.path, "content/windows/new-line.md")
            XCTAssertGreaterThan(d.line, 1, "at the field, not the file: \(d)")
            XCTAssertNotNil(d.hint, d.description)
        }
        XCTAssertGreaterThanOrEqual(diagnostics.filter { $0.hint?.hasPrefix("did you mean") ?? false }.count, 8)
    }
}

/// Warnings do not stop a build; `check` reports exactly these for the `warnings` overlay.
final class WarningFixtureTests: XCTestCase {
    func testWarningsAreReportedAndTheBuildStillSucceeds() throws {
        let site = try TestSite("basic", overlays: ["warnings"])
        defer { site.remove() }
        let expected = try String(contentsOf: TestSite.fixtures.appendingPathComponent("warnings/warnings.expected"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let (linked, _, diagnostics) = Build.check(site.options())
        XCTAssertNotNil(linked)
        XCTAssertEqual(diagnostics.map(\.description), expected)
        XCTAssertNoThrow(try site.build())
    }

    /// A build's report keeps its diagnostics as found and sorts them only when asked: sorted,
    /// they are what `check` prints, and the count the command line prints is the warnings'.
    func testTheBuildReportSortsWhenAskedAndCountsTheWarnings() throws {
        let site = try TestSite("basic", overlays: ["warnings"])
        defer { site.remove() }
        let expected = try String(contentsOf: TestSite.fixtures.appendingPathComponent("warnings/warnings.expected"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let report = try Build.run(site.options())
        XCTAssertEqual(report.diagnostics.map(\.description), expected)
        XCTAssertEqual(Set(report.unsortedDiagnostics.map(\.description)), Set(expected))
        XCTAssertEqual(report.warningCount, expected.filter { $0.contains(": warning: ") }.count)
        XCTAssertGreaterThan(report.warningCount, 1)
    }
}
