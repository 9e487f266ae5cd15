import Foundation
import XCTest
import TsunagariYAML
import TestSupport

/// "Never crash on any input": mutated suite inputs and hostile documents must give a value or
/// a YAMLError whose mark lies inside the input, and every node mark must lie inside it too.
final class YAMLRobustnessTests: XCTestCase {

    private static let fragments: [[UInt8]] = [
        "[", "]", "{", "}", ":", ": ", "- ", "? ", ",", "&a ", "*a", "&b [*a, *a]", "!", "!!int ", "!!str ",
        "!foo ", "\t", "\n", "\r\n", "\r", "'", "\"", "|", "|+", ">-", "#", "%YAML 1.2\n", "---\n", "...\n",
        "\u{FEFF}", "日本", "\\", "\\u263A", "  ", "\0", "\u{1}", "~", "0x", "9999999999999999999999", "<<: *a",
    ].map { Array($0.utf8) } + [[0xFF], [0xE3, 0x81], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xC2, 0x85]]

    private func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...rng.below(3) {
            switch rng.below(5) {
            case 0: bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
            case 1 where !bytes.isEmpty: bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 2 where !bytes.isEmpty: bytes.remove(at: rng.below(bytes.count))
            default: bytes.insert(contentsOf: Self.fragments[rng.below(Self.fragments.count)], at: rng.below(bytes.count + 1))
            }
        }
        return bytes
    }

    private func check(_ bytes: [UInt8], limits: YAMLLimits = .default, label: String) {
        do {
            let docs = try YAML.parseStream(bytes: bytes, limits: limits)
            let table = LineTable(bytes)
            var stack = docs
            while let node = stack.popLast() {
                if let problem = table.problem(with: node.mark) {
                    XCTFail("\(label): node mark \(node.mark): \(problem)")
                    return
                }
                switch node.value {
                case .sequence(let items): stack += items
                case .mapping(let pairs): for p in pairs { stack += [p.key, p.value] }
                default: break
                }
            }
        } catch let error as YAMLError {
            if let problem = YAMLTestSuiteTests.markProblem(error.mark, in: bytes), bytes.count <= limits.maxBytes {
                XCTFail("\(label): error \(error): \(problem)")
            }
        } catch {
            XCTFail("\(label): threw a \(type(of: error)), not a YAMLError")
        }
        // The String entry point sees the repaired text and must not crash either.
        _ = try? YAML.parseStream(String(decoding: bytes, as: UTF8.self), limits: limits)
    }

    func testMutatedSuiteInputs() throws {
        guard let root = YAMLTestSuiteTests.suiteDirectory() else { throw XCTSkip("yaml-test-suite not found") }
        let ids = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        var rng = SplitMix64(seed: 0x5453_554E_4147_4152)   // "TSUNAGAR"
        // YAML_FUZZ_ROUNDS=1000 for a longer run.
        let rounds = ProcessInfo.processInfo.environment["YAML_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 25
        var count = 0
        for id in ids {
            let url = root.appendingPathComponent(id).appendingPathComponent("in.yaml")
            guard let data = try? Data(contentsOf: url) else { continue }
            let input = [UInt8](data)
            check(input, label: id)
            check(input, limits: YAMLLimits(maxDepth: 2, maxNodes: 5), label: "\(id) small limits")
            for k in 0..<rounds {
                check(mutate(input, &rng), label: "\(id) mutation \(k)")
                count += 1
            }
        }
        print("robustness: \(count) mutated inputs parsed without a crash")
    }

    func testHostileDocuments() {
        let hostile: [String] = [
            String(repeating: "[", count: 200_000),
            String(repeating: "{a: ", count: 50_000),
            String(repeating: "- ", count: 50_000) + "x",
            (0..<3000).map { String(repeating: " ", count: $0) + "-" }.joined(separator: "\n"),
            String(repeating: "a", count: 2000) + ": v",
            "a: " + String(repeating: "\"", count: 1001),
            (0..<5000).map { "&a\($0) x\($0): *a\($0 > 0 ? $0 - 1 : 0)" }.joined(separator: "\n"),
            String(repeating: "---\n", count: 10_000),
            String(repeating: "? ", count: 10_000) + "x",
            String(repeating: "!!str ", count: 1000) + "x",
            "&a [" + String(repeating: "*a, ", count: 1000) + "]",
            "\u{FEFF}\u{FEFF}a: 1",
            "%TAG ! !\n%TAG ! !\n--- x",
            String(repeating: "#", count: 100_000),
            String(repeating: "\n", count: 100_000) + "a: [",
        ]
        for (i, text) in hostile.enumerated() {
            check(Array(text.utf8), label: "hostile \(i)")
        }
    }
}
