import Foundation
import XCTest
import TsunagariYAML
@testable import TsunagariCore

/// The sample CI workflow: the README shows exactly docs/ci/github-actions.yml, it is valid
/// YAML, it matches Package.swift, and its tsunagari steps run as written on the example site.
final class CIWorkflowTests: XCTestCase {
    static let workflowURL = TestSite.repoRoot.appendingPathComponent("docs/ci/github-actions.yml")

    func testTheReadmeShowsTheWorkflowFileVerbatim() throws {
        let workflow = try String(contentsOf: Self.workflowURL, encoding: .utf8)
        let readme = try String(contentsOf: TestSite.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("```yaml\n" + workflow + "```\n"), "README's workflow block differs from docs/ci/github-actions.yml")
    }

    /// Every `run:` of every job, in order.
    static func runSteps() throws -> [String] {
        let root = try YAML.parse(String(contentsOf: workflowURL, encoding: .utf8))
        guard case .mapping(let jobs)? = root["jobs"]?.value else { return [] }
        var runs: [String] = []
        for job in jobs {
            guard case .sequence(let steps)? = job.value["steps"]?.value else { continue }
            for step in steps {
                XCTAssertTrue(step["run"] != nil || step["uses"] != nil, "a step without run or uses at \(step.mark)")
                if let run = step["run"]?.stringValue { runs.append(run) }
            }
        }
        return runs
    }

    func testTheWorkflowMatchesThePackage() throws {
        let root = try YAML.parse(String(contentsOf: Self.workflowURL, encoding: .utf8))
        let package = try String(contentsOf: TestSite.repoRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let tools = try XCTUnwrap(package.split(separator: "\n").first?.split(separator: ":").last.map(String.init))
        XCTAssertEqual(root["jobs"]?["build"]?["container"]?.stringValue, "swift:\(tools)-bookworm", "the container's Swift is the tools version")
        let runs = try Self.runSteps()
        // The system libraries Package.swift links (each target's apt provider) are installed by
        // the workflow and by the set-up scripts; and the product it declares.
        let providers = package.components(separatedBy: ".apt([\"").dropFirst().compactMap { $0.components(separatedBy: "\"").first }
        XCTAssertEqual(Set(providers), ["libcmark-dev", "libyaml-dev", "libjemalloc-dev"])
        let setUp = try String(contentsOf: TestSite.repoRoot.appendingPathComponent("scripts/install-deps.sh"), encoding: .utf8)
        for library in providers {
            XCTAssertTrue(runs.contains { $0.contains("apt-get install") && $0.contains(library) }, library)
            XCTAssertTrue(setUp.contains(" \(library) "), "scripts/install-deps.sh installs \(library)")
        }
        XCTAssertTrue(package.contains(".executable(name: \"tsunagari\""))
        XCTAssertTrue(runs.contains("swift build -c release --product tsunagari"))
        let uses = (root["jobs"]?["build"]?["steps"]).map { node -> [String] in
            guard case .sequence(let steps) = node.value else { return [] }
            return steps.compactMap { $0["uses"]?.stringValue }
        } ?? []
        XCTAssertTrue(uses.contains { $0.hasPrefix("actions/upload-pages-artifact@") || $0.hasPrefix("actions/upload-artifact@") })
    }

    /// The workflow's `tsunagari check` and `tsunagari build` steps, run with the same
    /// arguments in a copy of the repository's example site, succeed and make the site that
    /// the upload step names.
    func testTheTsunagariStepsRunAsWrittenOnTheExampleSite() throws {
        guard let binary = ProcessTests.binary() else { throw XCTSkip("the tsunagari binary was not found (run `swift build` first)") }
        let site = try TestSite.example()
        defer { site.remove() }
        let steps = try Self.runSteps().filter { $0.hasPrefix(".build/release/tsunagari ") }
        XCTAssertEqual(steps.map { $0.split(separator: " ")[1] }, ["check", "build"])
        for step in steps {
            let process = Process()
            process.executableURL = binary
            process.arguments = step.split(separator: " ").dropFirst().map(String.init)
            process.currentDirectoryURL = site.root
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(step): \(text)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.root.appendingPathComponent("public/index.html").path),
                      "the build step writes public/, which the upload step uploads")
    }
}
