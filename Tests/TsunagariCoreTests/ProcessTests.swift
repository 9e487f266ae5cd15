import Foundation
import XCTest
@testable import TsunagariCore

/// Tests that run the built `tsunagari` binary as a subprocess: SIGKILL at random moments
/// must leave the previous site whole, and builds must be byte-identical whatever the thread
/// count, time zone and locale. They need the binary that `swift build` makes; without it
/// they are skipped with a message saying so.
final class ProcessTests: XCTestCase {
    /// TSUNAGARI_BINARY, else the tsunagari next to this test bundle (same scratch path and
    /// configuration), else <repo>/.build/debug/tsunagari.
    static func binary() -> URL? {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["TSUNAGARI_BINARY"] { candidates.append(URL(fileURLWithPath: explicit)) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("tsunagari"))
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tsunagari"))
        candidates.append(TestSite.repoRoot.appendingPathComponent(".build/debug/tsunagari"))
        return candidates.first { fm.isExecutableFile(atPath: $0.path) }
    }

    func requireBinary() throws -> URL {
        guard let binary = Self.binary() else {
            throw XCTSkip("the tsunagari binary was not found (run `swift build` first, or set TSUNAGARI_BINARY); process tests skipped")
        }
        return binary
    }

    /// The basic fixture plus `windows` generated windows, so that a build takes long enough
    /// for kills to land in the middle of it.
    static func bigSite(windows: Int) throws -> TestSite {
        let site = try TestSite("basic")
        let template = try String(contentsOf: TestSite.fixtures.appendingPathComponent("basic/content/windows/tokyo-line.md"), encoding: .utf8)
        for i in 0..<windows {
            let text = template
                .replacingOccurrences(of: "name: 東京こそだて窓口", with: "name: 生成された窓口\(i)")
                .replacingOccurrences(of: "東京都の子育て相談", with: "生成された相談窓口 \(i) の要約。" + String(repeating: "説明の文。", count: i % 40))
                .replacingOccurrences(of: "regions: [\"13\"]", with: "regions: [\"\(String(format: "%02d", 1 + i % 47))\"]")
            try site.write("content/windows/gen-\(i).md", text + "\n本文 \(i)。\n\n## 見出し\n\n" + String(repeating: "段落。", count: 50) + "\n")
        }
        return site
    }

    struct Run {
        var status: Int32
        var signaled: Bool
        var stderr: String
        /// Standard output (what script(1) copies from its terminal).
        var terminal: String
        var pid: Int32
    }

    @discardableResult
    func run(_ binary: URL, _ arguments: [String], environment: [String: String] = [:], killAfter: TimeInterval? = nil) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = "1748736000"   // 2025-06-01: the same "today" for every run
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let errors = Pipe()
        process.standardError = errors
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        if let killAfter {
            Thread.sleep(forTimeInterval: killAfter)
            kill(process.processIdentifier, SIGKILL)
        }
        // Both pipes drained at once, so neither can fill up and stall the child.
        nonisolated(unsafe) var outputData = Data()
        let done = DispatchSemaphore(value: 0)
        Thread { outputData = output.fileHandleForReading.readDataToEndOfFile(); done.signal() }.start()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                   stderr: String(decoding: data, as: UTF8.self), terminal: String(decoding: outputData, as: UTF8.self),
                   pid: process.processIdentifier)
    }

    static func tree(_ root: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: root.path) else { return [:] }
        for case let relative as String in enumerator {
            var isDirectory: ObjCBool = false
            fm.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[relative] = fm.contents(atPath: root.appendingPathComponent(relative).path) ?? Data() }
        }
        return files
    }

    static func difference(_ a: [String: Data], _ b: [String: Data]) -> String {
        let missing = Set(a.keys).subtracting(b.keys).sorted()
        let extra = Set(b.keys).subtracting(a.keys).sorted()
        let changed = a.keys.filter { b[$0] != nil && b[$0] != a[$0] }.sorted()
        return "missing \(missing.prefix(5)), extra \(extra.prefix(5)), changed \(changed.prefix(5)) (\(changed.count))"
    }

    /// SIGKILL after a random delay, 50 times (TSUNAGARI_KILL_ROUNDS to change): after every
    /// kill the output folder holds the whole previous site, byte for byte (every path and
    /// every file's bytes compared with the tree of a finished build).
    func testKillingTheBuildAtRandomMomentsLeavesThePreviousSiteWhole() throws {
        let binary = try requireBinary()
        let site = try Self.bigSite(windows: 60)
        defer { site.remove() }
        let arguments = ["build", "--source", site.root.path, "--output", site.output.path]
        // The time of a warm build written over the spare copy of the site (the first two
        // write new trees and pay for cold caches; the third copies from the output what its
        // spare lacks; from the fourth on, files whose input is unchanged are kept, as in the
        // killed builds, which recycle). A longer time than theirs lets most kills miss.
        var buildTime = TimeInterval.infinity
        for _ in 0..<5 {
            let start = Date()
            let result = try run(binary, arguments)
            buildTime = min(buildTime, Date().timeIntervalSince(start))
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let before = Self.tree(site.output)
        XCTAssertGreaterThan(before.count, 100)

        var random = EscaperPropertyTests.Random(seed: UInt64(Date().timeIntervalSince1970))
        let seed = random.state
        let rounds = Int(ProcessInfo.processInfo.environment["TSUNAGARI_KILL_ROUNDS"] ?? "") ?? 50
        var killedMidBuild = 0
        // Kills that landed while the new site was being written: that process's staging
        // folder (.<output>.new-<pid>) is left behind for the next build to clear.
        var killedWhileWriting = 0
        let parent = site.output.deletingLastPathComponent()
        let stagingPrefix = ".\(site.output.lastPathComponent).new-"
        var whole = true
        /// One build killed after `delay`: whether the kill landed before the build ended,
        /// counting it when it landed while the new site was being written; the previous site
        /// must be whole after it either way.
        func kill(after delay: TimeInterval, _ what: String) throws -> Run {
            let result = try run(binary, arguments, killAfter: delay)
            if result.signaled {
                if FileManager.default.fileExists(atPath: parent.appendingPathComponent(stagingPrefix + "\(result.pid)").path) {
                    killedWhileWriting += 1
                }
            } else {
                XCTAssertEqual(result.status, 0, "\(what): a build that was not killed failed: \(result.stderr)")
            }
            let after = Self.tree(site.output)
            XCTAssertTrue(after == before, "\(what) (kill after \(delay) s, seed \(seed)): \(Self.difference(before, after))")
            if after != before { whole = false }
            return result
        }
        var round = 0
        // No time limit: every round runs, so the test makes exactly `rounds` kills.
        while whole && round < rounds {
            round += 1
            // Anywhere from process start to the end of a build.
            let delay = Double(random.below(1000)) / 1000 * buildTime
            let start = Date()
            let result = try kill(after: delay, "round \(round)")
            // A build that finished before its kill is a build of the kind the kills aim at:
            // the window of later delays follows the fastest of them.
            if result.signaled { killedMidBuild += 1 } else { buildTime = min(buildTime, Date().timeIntervalSince(start)) }
        }
        // When no kill above landed while the new site was being written (a short part of a
        // small site's build, and the builds that follow a kill are slower than the fastest
        // warm one the window is measured by: now and then none of 50 did), kills aimed from
        // the middle of a build to half a build past its end, until one does.
        var aimed = 0
        while whole && killedWhileWriting == 0 && aimed < rounds {
            aimed += 1
            _ = try kill(after: (0.5 + Double(random.below(1000)) / 1000) * buildTime, "aimed kill \(aimed)")
        }
        print("kill test: \(round) rounds, \(killedMidBuild) killed mid-build (\(killedWhileWriting) while the new site was being written, \(aimed) aimed kills), build time \(String(format: "%.2f", buildTime)) s, seed \(seed); \(whole ? "the previous site was whole every time" : "the previous site was DAMAGED")")
        XCTAssertEqual(round, rounds, "every round should run")
        XCTAssertGreaterThan(killedMidBuild, round / 2, "most kills should land during a build")
        XCTAssertGreaterThan(killedWhileWriting, 0, "some kills should land while the new site is being written")

        // A build after all that still succeeds and gives the same site.
        let last = try run(binary, arguments)
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertTrue(Self.tree(site.output) == before)
    }

    /// The same input under different thread counts, time zones and locales: identical bytes.
    func testBuildsAreByteIdenticalAcrossThreadsTimeZonesAndLocales() throws {
        let binary = try requireBinary()
        let site = try Self.bigSite(windows: 40)
        defer { site.remove() }
        let variants: [(String, [String], [String: String])] = [
            ("threads-1", ["--threads", "1"], ["TZ": "UTC", "LANG": "C", "LC_ALL": "C"]),
            ("threads-8", ["--threads", "8"], ["TZ": "Pacific/Kiritimati", "LANG": "ja_JP.UTF-8", "LC_ALL": "ja_JP.UTF-8"]),
            ("env-threads-3", [], ["TSUNAGARI_THREADS": "3", "TZ": "America/Los_Angeles", "LANG": "tr_TR.UTF-8", "LC_ALL": "tr_TR.UTF-8"]),
            ("default", [], ["TZ": "Asia/Tokyo", "LANG": "de_DE.UTF-8", "LC_ALL": "", "LC_NUMERIC": "de_DE.UTF-8"]),
            ("threads-2-utc-14", ["--threads", "2"], ["TZ": "Etc/GMT+12", "LANG": "en_US.UTF-8"]),
        ]
        var reference: [String: Data]? = nil
        for (name, extra, environment) in variants {
            let output = site.root.appendingPathComponent("out-\(name)")
            let result = try run(binary, ["build", "--source", site.root.path, "--output", output.path] + extra, environment: environment)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            let tree = Self.tree(output)
            XCTAssertGreaterThan(tree.count, 40, name)
            if let reference {
                XCTAssertTrue(tree == reference, "\(name): \(Self.difference(reference, tree))")
            } else {
                reference = tree
            }
        }
    }

    /// In CI (standard error is no terminal) `build` prints only its summary line; with
    /// --verbose, one plain line per stage before it.
    /// On Linux the executable runs on jemalloc (Package.swift): `--version` says so only when
    /// jemalloc's count of the process's allocations grows with a `malloc` that the dynamic
    /// linker binds, and a malloc put in front of it (LD_PRELOAD) is reported as the system's.
    func testTheExecutableRunsOnJemalloc() throws {
        #if os(Linux)
        let binary = try requireBinary()
        let version = try run(binary, ["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.terminal.contains("libcmark 0.30"), version.terminal)
        XCTAssertTrue(version.terminal.contains("memory allocator: jemalloc 5."), version.terminal)
        let other = "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"
        if FileManager.default.fileExists(atPath: other) {
            let preloaded = try run(binary, ["--version"], environment: ["LD_PRELOAD": other])
            XCTAssertTrue(preloaded.terminal.contains("memory allocator: the system malloc"), preloaded.terminal)
        }
        #else
        throw XCTSkip("jemalloc is linked on Linux only")
        #endif
    }

    /// bench/instructions.py counts a build's instructions under Valgrind's callgrind: the
    /// process must run there (an async main ended the main thread in libdispatch's signal
    /// wait, which Valgrind 3.19 crashed on).
    func testABuildRunsUnderValgrind() throws {
        let binary = try requireBinary()
        guard let valgrind = ["/usr/bin/valgrind", "/usr/local/bin/valgrind"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("valgrind is not installed (scripts/install-deps.sh --test installs it)")
        }
        let site = try TestSite("basic")
        defer { site.remove() }
        let result = try run(URL(fileURLWithPath: valgrind), ["--tool=none", binary.path, "build", "--threads", "1",
                                                              "--source", site.root.path, "--output", site.output.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("VALGRIND INTERNAL ERROR"), result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("windows/tokyo-line/index.html").path))
    }

    /// `serve` runs on the concurrency runtime from a synchronous main: its errors still end
    /// the process with a message and a failing status.
    func testServeReportsAnErrorAndExits() throws {
        let binary = try requireBinary()
        let site = try TestSite("basic")
        defer { site.remove() }
        // (timeout(1) ends a serve that kept running instead: status 124.)
        let result = try run(URL(fileURLWithPath: "/usr/bin/timeout"), ["20", binary.path, "serve", "--source", site.root.path,
                                                                       "--host", "256.0.0.1", "--port", "0"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("Error:"), result.stderr)
    }

    func testBuildIsSilentWithoutATerminalAndLogsStagesWithVerbose() throws {
        let binary = try requireBinary()
        let site = try TestSite("basic")
        defer { site.remove() }
        let quiet = try run(binary, ["build", "--source", site.root.path, "--output", site.output.path])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        let quietLines = quiet.stderr.split(separator: "\n")
        XCTAssertEqual(quietLines.count, 1, quiet.stderr)
        XCTAssertTrue(quietLines.first?.hasPrefix("built ") ?? false, quiet.stderr)
        XCTAssertFalse(quiet.stderr.contains("\r"))

        let verbose = try run(binary, ["build", "--verbose", "--source", site.root.path, "--output", site.output.path])
        XCTAssertEqual(verbose.status, 0, verbose.stderr)
        let lines = verbose.stderr.split(separator: "\n").map(String.init)
        XCTAssertFalse(verbose.stderr.contains("\r"))
        let stages = lines.filter { !$0.contains(": warning: ") }
        XCTAssertEqual(stages.count, 6, verbose.stderr)
        XCTAssertEqual(Array(stages.prefix(3)), ["loading", "linking", "indexing"])
        XCTAssertTrue(stages[3].hasPrefix("rendering ") && stages[3].hasSuffix(" files"), stages[3])
        XCTAssertEqual(stages[4], "replacing \(site.output.lastPathComponent)/")
        XCTAssertTrue(stages[5].hasPrefix("built "), stages[5])
    }

    /// On a terminal (a pseudo-terminal made by script(1)) the progress is one line redrawn
    /// with \r and erased before the summary.
    func testBuildOnATerminalDrawsOneLineAndErasesIt() throws {
        let binary = try requireBinary()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) not installed") }
        let site = try TestSite("basic")
        defer { site.remove() }
        let command = [binary.path, "build", "--source", site.root.path, "--output", site.output.path].map { "'\($0)'" }.joined(separator: " ")
        let result = try run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command + " 2>&1", "/dev/null"])
        // script(1) copies the terminal's output to its own standard output.
        XCTAssertEqual(result.status, 0, result.terminal)
        XCTAssertTrue(result.terminal.contains("\r\u{1B}[2Kloading"), result.terminal)
        XCTAssertTrue(result.terminal.contains("\r\u{1B}[2Krendering "), result.terminal)
        XCTAssertTrue(result.terminal.contains("\r\u{1B}[2Kbuilt "), "the line is erased before the summary: \(result.terminal)")
        XCTAssertEqual(result.terminal.components(separatedBy: "\n").filter { !$0.isEmpty }.count, 1, "nothing scrolls but the summary")
    }
}
