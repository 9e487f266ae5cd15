import Foundation
import XCTest
@testable import TsunagariCore

/// A site folder made in a temporary directory from a fixture under Fixtures/, with the
/// repository's default theme copied in (themes must live inside the site folder).
struct TestSite {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repoRoot.appendingPathComponent("Tests/TsunagariCoreTests/Fixtures")

    let root: URL

    /// `fixture` is copied first, then each overlay on top of it (replacing files).
    init(_ fixture: String, overlays: [String] = [], theme: Bool = true) throws {
        let fm = FileManager.default
        root = fm.temporaryDirectory.appendingPathComponent("tsunagari-test-\(UUID().uuidString)")
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try TestSite.copyContents(of: TestSite.fixtures.appendingPathComponent(fixture), into: root)
        for overlay in overlays {
            try TestSite.copyContents(of: TestSite.fixtures.appendingPathComponent(overlay), into: root)
        }
        if theme {
            try fm.createDirectory(at: root.appendingPathComponent("themes"), withIntermediateDirectories: true)
            try fm.copyItem(at: TestSite.repoRoot.appendingPathComponent("themes/default"), to: root.appendingPathComponent("themes/default"))
        }
    }

    /// A site made from the repository's own example (site.yml, content/, themes/).
    static func example() throws -> TestSite {
        let site = try TestSite(empty: ())
        let fm = FileManager.default
        for item in ["site.yml", "content", "themes"] {
            try fm.copyItem(at: repoRoot.appendingPathComponent(item), to: site.root.appendingPathComponent(item))
        }
        return site
    }

    private init(empty: Void) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    static func copyContents(of source: URL, into destination: URL) throws {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: source.path) else { return }
        for case let relative as String in enumerator {
            let from = source.appendingPathComponent(relative)
            let to = destination.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            fm.fileExists(atPath: from.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                try fm.createDirectory(at: to, withIntermediateDirectories: true)
            } else if relative.hasSuffix(".expected") {
                continue
            } else {
                try? fm.removeItem(at: to)
                try fm.copyItem(at: from, to: to)
            }
        }
    }

    var output: URL { root.appendingPathComponent("public") }

    func options(threads: Int = 2) -> Build.Options {
        var options = Build.Options(source: root, output: output)
        options.threads = threads
        options.today = SimpleDate(year: 2025, month: 6, day: 1)
        return options
    }

    @discardableResult
    func build(threads: Int = 2) throws -> Build.Report { try Build.run(options(threads: threads)) }

    func page(_ path: String) throws -> String {
        try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
    }

    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// A sample window reached through one Web or chat channel, for tests that need many.
    func writeSampleWindow(_ slug: String, name: String, reading: String, summary: String, categories: String = "[kodoku]",
                           lifeStages: String = "[dare-demo]", regions: String, channel: String = "Web") throws {
        try write("content/windows/\(slug).md", """
        ---
        name: \(name)
        reading: \(reading)
        summary: \(summary)
        categories: \(categories)
        life_stages: \(lifeStages)
        regions: \(regions)
        channels:
          - type: \(channel)
            url: https://example.test/\(slug)
        sample: true
        ---

        """)
    }

    /// Every file of the output, path → bytes.
    func outputFiles() -> [String: Data] {
        var files: [String: Data] = [:]
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: output.path) else { return [:] }
        for case let relative as String in enumerator {
            var isDirectory: ObjCBool = false
            fm.fileExists(atPath: output.appendingPathComponent(relative).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[relative] = fm.contents(atPath: output.appendingPathComponent(relative).path) }
        }
        return files
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
