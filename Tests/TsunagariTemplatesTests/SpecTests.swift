import Foundation
import XCTest
import TsunagariTemplates

/// Runs every test of the Mustache specification's required modules (and of the optional
/// dynamic-names module, which TemplateSet implements) from `shared/mustache-spec`, found beside
/// the package root: `<root>/../shared/mustache-spec` (or `$MUSTACHE_SPEC_DIR`).
final class SpecTests: XCTestCase {
    static let requiredModules = ["comments", "delimiters", "interpolation", "inverted", "partials", "sections"]
    static let optionalModules = ["~dynamic-names"]
    /// Name under which a spec test's own template is compiled (no spec partial uses it).
    static let mainName = "(spec test)"

    static func specDirectory() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["MUSTACHE_SPEC_DIR"], fm.fileExists(atPath: env) {
            return URL(fileURLWithPath: env)
        }
        // Tests/TsunagariTemplatesTests/SpecTests.swift -> package root -> ../shared/mustache-spec
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let dir = url.deletingLastPathComponent().appendingPathComponent("shared/mustache-spec")
        return fm.fileExists(atPath: dir.appendingPathComponent("interpolation.json").path) ? dir : nil
    }

    struct SpecFile: Decodable {
        var tests: [SpecCase]
    }

    struct SpecCase: Decodable {
        var name: String
        var desc: String
        var data: JSONValue
        var template: String
        var partials: [String: String]?
        var expected: String
    }

    struct Outcome {
        var passed = 0
        var failed = 0
        /// Tests whose partial names no template: checked to be a compile error by default, and to
        /// render as the specification says with `allowMissingPartials: true`.
        var missingPartial = 0
    }

    func runModule(_ module: String, in dir: URL) throws -> Outcome {
        let data = try Data(contentsOf: dir.appendingPathComponent(module + ".json"))
        let file = try JSONDecoder().decode(SpecFile.self, from: data)
        var outcome = Outcome()
        for test in file.tests {
            var templates = test.partials ?? [:]
            templates[Self.mainName] = test.template
            let context = test.data.templateValue
            var output: String?
            do {
                let set = try TemplateSet(templates: templates)
                output = try set.render(Self.mainName, context)
            } catch let error as TemplateError where error.message.hasPrefix("unknown partial") {
                outcome.missingPartial += 1
                let set = try TemplateSet(templates: templates, allowMissingPartials: true)
                output = try set.render(Self.mainName, context)
            } catch {
                XCTFail("\(module) / \(test.name): \(error)")
            }
            if output == test.expected {
                outcome.passed += 1
            } else {
                outcome.failed += 1
                XCTFail("""
                    \(module) / \(test.name): \(test.desc)
                    template: \(test.template.debugDescription)
                    expected: \(test.expected.debugDescription)
                    got:      \((output ?? "<error>").debugDescription)
                    """)
            }
        }
        return outcome
    }

    func testRequiredModules() throws {
        guard let dir = Self.specDirectory() else {
            throw XCTSkip("Mustache spec not found beside the package (../shared/mustache-spec)")
        }
        var total = Outcome()
        for module in Self.requiredModules {
            let o = try runModule(module, in: dir)
            print("mustache spec \(module): \(o.passed)/\(o.passed + o.failed) passed"
                  + (o.missingPartial > 0 ? " (\(o.missingPartial) with a missing partial: compile error by default, spec output with allowMissingPartials)" : ""))
            total.passed += o.passed
            total.failed += o.failed
        }
        print("mustache spec required modules: \(total.passed)/\(total.passed + total.failed) passed")
        XCTAssertEqual(total.failed, 0)
        XCTAssertEqual(total.passed, 136)  // 12 + 14 + 42 + 22 + 12 + 34
    }

    func testDynamicNamesModule() throws {
        guard let dir = Self.specDirectory() else {
            throw XCTSkip("Mustache spec not found beside the package (../shared/mustache-spec)")
        }
        for module in Self.optionalModules {
            let o = try runModule(module, in: dir)
            print("mustache spec \(module) (optional): \(o.passed)/\(o.passed + o.failed) passed")
            XCTAssertEqual(o.failed, 0)
        }
    }
}

/// JSON as the spec files hold it; integers become `.int`, numbers with a fraction `.double`.
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    var templateValue: TemplateValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .list(a.map(\.templateValue))
        case .object(let o): return .map(TemplateMap(o.mapValues(\.templateValue)))
        }
    }
}
