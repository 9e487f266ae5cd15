import Foundation
import XCTest
import TsunagariYAML

// The loader resolves scalars on libyaml's bytes, by hand. This checks it against the core
// schema written the slow way, as the spec's regular expressions, with C's strtod for floats,
// over a fixed list of lookalikes and a few thousand generated scalars.

/// The YAML 1.2 core schema, straight from the spec's table.
private enum Oracle {
    static func regex(_ pattern: String) -> Regex<AnyRegexOutput> { try! Regex(pattern) }
    static let null = regex("null|Null|NULL|~|")
    static let bool = regex("true|True|TRUE|false|False|FALSE")
    static let decimal = regex("[-+]?[0-9]+")
    static let octal = regex("0o[0-7]+")
    static let hex = regex("0x[0-9a-fA-F]+")
    static let float = regex("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?")
    static let infinity = regex("[-+]?\\.(inf|Inf|INF)")
    static let nan = regex("\\.(nan|NaN|NAN)")

    static func isNull(_ s: String) -> Bool { s.wholeMatch(of: null) != nil }

    static func boolValue(_ s: String) -> Bool? {
        s.wholeMatch(of: bool) == nil ? nil : s.first == "t" || s.first == "T"
    }

    /// An integer, or the nearest Double when it does not fit in Int.
    static func intValue(_ s: String) -> YAMLNode.Value? {
        if s.wholeMatch(of: decimal) != nil {
            if let i = Int(s) { return .int(i) }
            return .float(strtod(s, nil))
        }
        for (pattern, radix) in [(octal, 8), (hex, 16)] where s.wholeMatch(of: pattern) != nil {
            let digits = s.dropFirst(2)
            if let i = Int(digits, radix: radix) { return .int(i) }
            return .float(digits.reduce(0.0) { $0 * Double(radix) + Double(Int(String($1), radix: radix)!) })
        }
        return nil
    }

    static func floatValue(_ s: String) -> Double? {
        if s.wholeMatch(of: infinity) != nil { return s.first == "-" ? -.infinity : .infinity }
        if s.wholeMatch(of: nan) != nil { return .nan }
        return s.wholeMatch(of: float) == nil ? nil : strtod(s, nil)
    }

    static func plain(_ s: String) -> YAMLNode.Value {
        if isNull(s) { return .null }
        if let b = boolValue(s) { return .bool(b) }
        if let v = intValue(s) { return v }
        if let d = floatValue(s) { return .float(d) }
        return .string(s)
    }
}

/// Equal values, NaN equal to NaN.
private func same(_ a: YAMLNode.Value?, _ b: YAMLNode.Value?) -> Bool {
    if case .float(let x)? = a, case .float(let y)? = b, x.isNaN, y.isNaN { return true }
    return a == b
}

final class YAMLSchemaOracleTests: XCTestCase {
    static let lookalikes = [
        "", "~", "null", "Null", "NULL", "nULL", "nul", "nulls", "true", "True", "TRUE", "tRUE", "false", "False",
        "FALSE", "fals", "yes", "0", "00", "-0", "+0", "7", "0777", "+12", "-12", "1_000", "12a", "a12",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "+9223372036854775807", "99999999999999999999", "-99999999999999999999", "00000000000000000000000001",
        "0o17", "0o", "0o8", "0o777777777777777777777", "0o7777777777777777777777777", "0x", "0x1F", "0xff",
        "0xFFFFFFFFFFFFFFFF", "0x7FFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFF", "0x0000000000000000001", "0xg",
        "+0x1", "-0x1", "0b101", "1.5", "1.", ".5", "-.5", "+.5", "1e3", "1E+3", "-1.5E-3", "0.", ".", "+", "-",
        "1e", "e1", "1.2.3", "1.5f", ".e3", "1.e3", ".5e-3", ".inf", ".Inf", ".INF", "+.inf", "-.Inf", "-.INF",
        ".iNF", "inf", ".nan", ".NaN", ".NAN", "-.nan", ".Nan", "NaN", "2025-04-01", "2001-12-14t21:59:43.10-05:00",
        "09:00", "08:30", "1:30:00", "20:00", "05-751-0365", "1,000", "<<", "=", "よりそいホットライン", "０１２", "1日",
        "無料", "nえ", "tほ", ".あ", "-x", "+1e", "1e+", "1e-5", "123456789012345678901234567890.5",
    ]

    /// A fixed stream of scalars made of the characters the schema looks at.
    static func generated(count: Int) -> [String] {
        let alphabet = Array("0123456789012345+-.eExo0xfFaAnNulLtTrRisIS:~_日")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { _ in
            let length = 1 + next(next(4) == 0 ? 24 : 6)
            return String((0..<length).map { _ in alphabet[next(alphabet.count)] })
        }
    }

    func testPlainScalarsResolveAsTheSchemaSays() throws {
        var checked = 0
        for text in Self.lookalikes + Self.generated(count: 4000) {
            // Some generated texts are not plain scalars after `v: ` (`-`, `~:x`...): skipped.
            guard let node = try? YAML.parse("v: " + text)["v"], node.isPlainScalar, node.scalarText == text
            else { continue }
            XCTAssertTrue(same(node.value, Oracle.plain(text)), "'\(text)': \(node.value), expected \(Oracle.plain(text))")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3000)
    }

    func testCoreTagsResolveAsTheSchemaSays() throws {
        for text in Self.lookalikes + Self.generated(count: 1000) where !text.isEmpty {
            guard (try? YAML.parse("v: " + text)["v"])?.scalarText == text else { continue }
            let int = try? YAML.parse("v: !!int " + text)["v"]?.value
            var expected = Oracle.intValue(text)
            if case .float? = expected { expected = nil }   // out of range for !!int: an error
            XCTAssertTrue(same(int, expected), "!!int '\(text)': \(String(describing: int))")

            let float = try? YAML.parse("v: !!float " + text)["v"]?.value
            var expectedFloat = Oracle.floatValue(text).map(YAMLNode.Value.float)
            if expectedFloat == nil, let i = Oracle.intValue(text) {
                if case .int(let n) = i { expectedFloat = .float(Double(n)) } else { expectedFloat = i }
            }
            XCTAssertTrue(same(float, expectedFloat), "!!float '\(text)': \(String(describing: float))")

            let null = try? YAML.parse("v: !!null " + text)["v"]?.value
            XCTAssertEqual(null, Oracle.isNull(text) ? .null : nil, "!!null '\(text)'")
            let bool = try? YAML.parse("v: !!bool " + text)["v"]?.value
            XCTAssertEqual(bool, Oracle.boolValue(text).map(YAMLNode.Value.bool), "!!bool '\(text)'")
        }
    }
}
