import XCTest
import TsunagariYAML

// The loader compares a short print of each key before the keys themselves. This checks its
// answers against a plain comparison of every pair of keys, over mappings made from keys that
// are equal in unobvious ways (quoting, number spelling, canonical equivalence, core tags)
// or differ only late (the same length and first bytes), below and above the size where the
// loader switches to a dictionary.

final class YAMLDuplicateKeyTests: XCTestCase {
    static let spellings = [
        "a", "\"a\"", "'a'", "!!str a", "!foo a", "!bar a", "!", "1", "0x1", "0o1", "01", "+1", "\"1\"", "!!str 1",
        "!foo 1", "1.0", "-1", "-1.0", "0", "-0", "0.0", "-0.0", ".nan", ".NaN", "~", "null", "\"\"", "true",
        "True", "\"true\"", "category1", "category2", "categoryX", "category12", "category21", "K",
        "\"\\u212A\"", "é", "\"e\\u0301\"", "日本", "\"日本\"", "[a, b]", "[a, \"b\"]", "[b, a]", "{x: 1}",
        "{x: 1.0}", "{\"x\": 1}", "9223372036854775808", "9223372036854775808.0", ".inf", "+.inf",
    ]

    /// Equal as the loader's contract says: resolved values, core tags ignored, other tags
    /// part of the key, NaN equal to NaN, -0.0 to 0.0, mappings in any order.
    static func same(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        func ownTag(_ n: YAMLNode) -> String? {
            guard let t = n.tag, t != "!", !t.hasPrefix("tag:yaml.org,2002:") else { return nil }
            return t
        }
        guard ownTag(a) == ownTag(b) else { return false }
        switch (a.value, b.value) {
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.sequence(let x), .sequence(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.mapping(let x), .mapping(let y)):
            return x.count == y.count && x.allSatisfy { p in
                y.contains { same(p.key, $0.key) && same(p.value, $0.value) }
            }
        default: return a.value == b.value
        }
    }

    func testTheSameKeyIsFoundAsByComparingEveryPair() throws {
        XCTAssertEqual("\u{212A}", "K")   // the case that keeps non-ASCII keys from a quick "different"
        let nodes = try Self.spellings.map { try XCTUnwrap(YAML.parse("- " + $0)[0], $0) }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var duplicates = 0
        for round in 0..<3000 {
            let size = 1 + next(round % 3 == 0 ? 40 : 8)
            // Mostly keys that cannot collide, so that large mappings get past the switch.
            let picks = (0..<size).map { _ in next(4) == 0 ? next(nodes.count) : -1 - next(1000) }
            var lines: [String] = []
            var expected: YAMLError? = nil
            for (j, pick) in picks.enumerated() {
                let text = pick >= 0 ? Self.spellings[pick] : "key\(-pick)"
                lines.append("? " + text + "\n: \(j)")
                guard expected == nil else { continue }
                let node = pick >= 0 ? nodes[pick] : YAMLNode(.string("key\(-pick)"))
                for (i, earlier) in picks[..<j].enumerated() {
                    let other = earlier >= 0 ? nodes[earlier] : YAMLNode(.string("key\(-earlier)"))
                    guard Self.same(other, node) else { continue }
                    let shown: String
                    switch node.value {
                    case .sequence: shown = "[…]"
                    case .mapping: shown = "{…}"
                    default: shown = node.scalarText ?? text
                    }
                    expected = YAMLError(message: "duplicate key '\(shown)' (first at line \(2 * i + 1))",
                                         mark: YAMLMark(line: 2 * j + 1, column: 3))
                    break
                }
            }
            let yaml = lines.joined(separator: "\n")
            do {
                let doc = try YAML.parse(yaml)
                XCTAssertNil(expected, yaml)
                XCTAssertEqual(doc.mappingValue?.count, size)
            } catch let error as YAMLError {
                XCTAssertEqual(error, expected, yaml)
                duplicates += 1
            }
        }
        XCTAssertGreaterThan(duplicates, 300)
    }
}
