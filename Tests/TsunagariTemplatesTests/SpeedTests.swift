import Foundation
import Mustache
import XCTest
import TsunagariTemplates

/// Prints (does not assert) render times, ours against swift-mustache, for a 200-post list page
/// and for a small post page inside the layout.
/// Meaningful in release builds: `swift test -c release --filter SpeedTests`.
/// TEMPLATE_SPEED_ITERATIONS sets the number of renders per engine (default 1000 in release
/// builds, 200 in debug builds, where a full run would add about a minute), split into 5
/// rounds; the best round is reported (the machine is shared, so the mean is noisy) with the mean.
/// TEMPLATE_SPEED_SKIP_ORACLE=1 leaves swift-mustache out (e.g. to profile ours alone).
final class SpeedTests: XCTestCase {
    func testListPageSpeed() throws {
        try measure("200-post list page", template: "list", context: PageFixtures.listPage(posts: 200))
    }

    func testSmallPageSpeed() throws {
        let set = try TemplateSet(templates: PageFixtures.templates)
        var page = PageFixtures.postPage.mapValue!
        page["content"] = .string(try set.render("post", PageFixtures.postPage))
        try measure("post page in the layout", template: "layout", context: .map(page))
    }

    func measure(_ label: String, template name: String, context: TemplateValue) throws {
        let environment = ProcessInfo.processInfo.environment
        #if DEBUG
        let defaultIterations = 200
        #else
        let defaultIterations = 1000
        #endif
        let iterations = Int(environment["TEMPLATE_SPEED_ITERATIONS"] ?? "") ?? defaultIterations
        let skipOracle = environment["TEMPLATE_SPEED_SKIP_ORACLE"] != nil
        let rounds = 5
        let perRound = max(1, iterations / rounds)
        let templates = PageFixtures.templates

        let compileStart = DispatchTime.now()
        let set = try TemplateSet(templates: templates)
        let compileSeconds = Self.seconds(since: compileStart)

        var library = MustacheLibrary()
        for (templateName, text) in templates { try library.register(text, named: templateName) }
        let object = oracleObject(context)

        let ours = try set.render(name, context)
        XCTAssertEqual(ours, library.render(object, withTemplate: name))
        let bytes = ours.utf8.count

        var sink = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bytes + 1024)
        let engines: [(String, () throws -> Void)] = [
            ("TemplateSet.render -> String  ", { sink &+= try set.render(name, context).utf8.count }),
            ("TemplateSet.render into buffer", {
                buffer.removeAll(keepingCapacity: true)
                try set.render(name, context, into: &buffer)
                sink &+= buffer.count
            }),
            ("swift-mustache MustacheLibrary", { sink &+= library.render(object, withTemplate: name)?.utf8.count ?? 0 }),
        ]
        var report: [String] = []
        var best: [Double] = []
        for (engine, body) in engines {
            if skipOracle && engine.hasPrefix("swift-mustache") { continue }
            for _ in 0..<3 { try body() }  // warm up
            var times: [Double] = []
            for _ in 0..<rounds {
                let start = DispatchTime.now()
                for _ in 0..<perRound { try body() }
                times.append(Self.seconds(since: start) / Double(perRound))
            }
            let minimum = times.min()!
            let mean = times.reduce(0, +) / Double(times.count)
            best.append(minimum)
            report.append("\(engine): \(Self.ms(minimum)) ms/page best (\(Self.ms(mean)) mean), "
                          + "\(String(format: "%.0f", Double(bytes) / minimum / 1_000_000)) MB/s")
        }
        XCTAssertGreaterThan(sink, 0)
        #if DEBUG
        let mode = "debug build"
        #else
        let mode = "release build"
        #endif
        var summary = """
            template speed (\(mode)), \(label) (\(bytes) bytes), \(rounds)×\(perRound) renders each:
              compile all \(templates.count) templates: \(Self.ms(compileSeconds)) ms
            """
        for line in report { summary += "\n  " + line }
        if best.count == 3 {
            summary += "\n  speed-up over swift-mustache: \(String(format: "%.1f", best[2] / best[0]))x (String), "
                + "\(String(format: "%.1f", best[2] / best[1]))x (buffer)"
        }
        print(summary)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1000) }
}
