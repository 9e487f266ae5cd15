import Foundation
import XCTest
import TsunagariYAML

/// Runs the public YAML test suite (yaml/yaml-test-suite, plain-data extract in
/// `../shared/yaml-test-suite` beside the repository root; see its README.md).
final class YAMLTestSuiteTests: XCTestCase {

    // MARK: - Expected failures

    // Every case id that does not give the suite's answer, with the reason. The list must be
    // exact: a listed case that starts passing fails the test too, so the list stays true.

    // Valid YAML 1.2 that libyaml 0.2.5 (a YAML 1.1 parser) rejects or reads differently.
    private static let emptyKey = "libyaml rejects an empty implicit key (`: value` with the key omitted)"
    private static let flowColon = "libyaml wants a space after `:` in flow collections: rejects `[:x]`, `{x: :x}`, `key:,`, `::vector`"
    private static let flowQuestion = "libyaml reads `?` glued to a flow scalar (`?foo`) as the explicit-key indicator"
    private static let multilineFlowKey = "libyaml needs an implicit flow key and its `:` on one line"
    private static let docEndOnly = "libyaml rejects a stream that holds only `...` (and comments)"
    private static let bareAfterEnd = "libyaml rejects a bare document after a `...` end marker"
    private static let percentLine = "libyaml reads `%` at the start of a line inside a document as a directive"
    private static let zeroIndentBlock = "libyaml ends a zero-indented block scalar (`--- >` then text at column 1) too early"
    private static let reservedDirective = "libyaml rejects reserved directives (`%FOO`) instead of ignoring them"
    private static let yaml13 = "libyaml rejects `%YAML 1.3` instead of parsing with a warning"
    private static let anchorChars = "libyaml allows only [0-9A-Za-z_-] in anchor names (YAML 1.2 allows `:`, non-ASCII, ...)"
    private static let tabsValid = "libyaml rejects tabs that YAML 1.2 allows (separation, tab-only lines, tab content in block scalars)"
    private static let trailingSpaces = "libyaml drops a last line of spaces in a block scalar when the input has no final newline"
    // Invalid YAML that libyaml 0.2.5 accepts.
    private static let tabsInvalid = "libyaml accepts tabs where YAML 1.2 forbids them"
    private static let underIndented = "libyaml accepts continuation lines that are not indented enough"
    private static let commentNoSpace = "libyaml accepts a `#` comment not preceded by white space"
    private static let flowDash = "libyaml accepts a bare `-` as a plain scalar in a flow sequence"
    private static let directivePlacement = "libyaml accepts a misplaced or repeated directive (`%YAML` without `...` before it, twice, or `1.1#`)"
    // Our own rule.
    private static let duplicateKey = "Tsunagari rejects duplicate mapping keys; the suite's parser test does not (`*a` repeats the key `&a [a, b]`)"

    static let expectedFailures: [String: String] = [
        "2JQS": emptyKey, "6M2F": emptyKey, "NHX8": emptyKey, "NKF9": emptyKey, "S3PD": emptyKey,
        "SM9W-01": emptyKey, "M2N8-00": emptyKey, "UKK6-00": emptyKey, "CFD4": emptyKey,

        "4ABK": flowColon, "FRK4": flowColon, "58MP": flowColon, "5T43": flowColon, "DBG4": flowColon,
        "HM87-00": flowColon,
        "652Z": flowQuestion, "HM87-01": flowQuestion,
        "4MUZ-00": multilineFlowKey, "4MUZ-01": multilineFlowKey, "4MUZ-02": multilineFlowKey,
        "5MUD": multilineFlowKey, "K3WX": multilineFlowKey, "9SA2": multilineFlowKey, "NJ66": multilineFlowKey,
        "VJP3-01": multilineFlowKey,

        "HWV9": docEndOnly, "QT73": docEndOnly,
        "7Z25": bareAfterEnd, "M7A3": bareAfterEnd,
        "UT92": percentLine, "W4TN": percentLine,
        "DK3J": zeroIndentBlock, "FP8R": zeroIndentBlock,
        "2LFX": reservedDirective, "6LVF": reservedDirective, "MUS6-05": reservedDirective, "MUS6-06": reservedDirective,
        "BEC7": yaml13,

        "2SXE": anchorChars, "8XYN": anchorChars, "W5VH": anchorChars, "Y2GN": anchorChars,

        "6BCT": tabsValid, "6CA3": tabsValid, "96NN-00": tabsValid, "96NN-01": tabsValid, "A2M4": tabsValid,
        "DK95-00": tabsValid, "DK95-03": tabsValid, "DK95-04": tabsValid, "Q5MG": tabsValid, "R4YG": tabsValid,
        "Y79Y-001": tabsValid, "Y79Y-010": tabsValid,
        "JEF9-02": trailingSpaces, "L24T-01": trailingSpaces,

        "DK95-01": tabsInvalid, "Y79Y-003": tabsInvalid,
        "9C9N": underIndented, "QB6E": underIndented, "S98Z": underIndented,
        "9JBA": commentNoSpace, "CVW2": commentNoSpace, "SU5Z": commentNoSpace, "X4QW": commentNoSpace,
        "G5U8": flowDash, "YJV2": flowDash,
        "9HCY": directivePlacement, "EB22": directivePlacement, "RHX7": directivePlacement,
        "MUS6-00": directivePlacement, "MUS6-01": directivePlacement,

        "X38W": duplicateKey,
    ]

    // MARK: - The test

    func testYAMLTestSuite() throws {
        guard let root = Self.suiteDirectory() else {
            throw XCTSkip("yaml-test-suite not found beside the repository (../shared/yaml-test-suite)")
        }
        let fm = FileManager.default
        let ids = try fm.contentsOfDirectory(atPath: root.path)
            .filter { fm.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("in.yaml").path) }
            .sorted()
        XCTAssertEqual(ids.count, 402, "the suite extract should hold 402 cases")

        var validEqual = 0, validParsed = 0, errorRejected = 0, expected = 0
        var validWithJSON = 0, validWithoutJSON = 0, errorCases = 0
        var unexpected: [String] = []
        var expectedButPassed: [String] = []
        var byReason: [String: Int] = [:]

        for id in ids {
            let dir = root.appendingPathComponent(id)
            let input = [UInt8](try Data(contentsOf: dir.appendingPathComponent("in.yaml")))
            let isError = fm.fileExists(atPath: dir.appendingPathComponent("error").path)
            let jsonURL = dir.appendingPathComponent("in.json")
            let hasJSON = !isError && fm.fileExists(atPath: jsonURL.path)

            let failure: String?   // nil: the case gives the suite's answer
            if isError {
                errorCases += 1
                do {
                    let docs = try YAML.parseStream(bytes: input)
                    failure = "accepted an error case (\(docs.count) document(s))"
                } catch let error as YAMLError {
                    if let problem = Self.markProblem(error.mark, in: input) {
                        failure = "rejected, but \(problem): \(error)"
                    } else {
                        failure = nil
                        errorRejected += 1
                    }
                }
            } else if hasJSON {
                validWithJSON += 1
                let expectedValues = try JSONStream.parse([UInt8](try Data(contentsOf: jsonURL)))
                do {
                    let docs = try YAML.parseStream(bytes: input)
                    let actual = try docs.map(JSONValue.init(yaml:))
                    if actual == expectedValues {
                        failure = nil
                        validEqual += 1
                    } else {
                        failure = "value differs: got \(actual), expected \(expectedValues)"
                    }
                } catch let error as YAMLError {
                    failure = "rejected: \(error)"
                } catch let error as ConversionError {
                    failure = "not expressible as JSON: \(error.reason)"
                }
            } else {
                validWithoutJSON += 1
                do {
                    _ = try YAML.parseStream(bytes: input)
                    failure = nil
                    validParsed += 1
                } catch let error as YAMLError {
                    failure = "rejected: \(error)"
                }
            }

            if let reason = Self.expectedFailures[id] {
                if failure == nil {
                    expectedButPassed.append(id)
                } else {
                    expected += 1
                    byReason[reason, default: 0] += 1
                }
            } else if let failure {
                unexpected.append("\(id) [\(Self.name(of: dir))]: \(failure)")
            }
        }

        let passed = validEqual + validParsed + errorRejected
        print("""
            yaml-test-suite: \(passed) passed / \(expected) expected failures / \(ids.count) total
              valid with JSON:    \(validEqual) of \(validWithJSON) equal to in.json
              valid without JSON: \(validParsed) of \(validWithoutJSON) parsed
              error cases:        \(errorRejected) of \(errorCases) rejected with a mark inside the input
            """)
        for (reason, count) in byReason.sorted(by: { $0.key < $1.key }) {
            print("  expected failure x\(count): \(reason)")
        }
        for line in unexpected { print("UNEXPECTED \(line)") }
        XCTAssertTrue(unexpected.isEmpty, "\(unexpected.count) unexpected failures:\n" + unexpected.joined(separator: "\n"))
        XCTAssertTrue(expectedButPassed.isEmpty,
                      "listed as expected failures but now pass (remove them from the list): \(expectedButPassed)")
        XCTAssertEqual(passed + expected + unexpected.count, ids.count)
        let unknown = Set(Self.expectedFailures.keys).subtracting(ids)
        XCTAssertTrue(unknown.isEmpty, "expected failures name cases that do not exist: \(unknown.sorted())")
    }

    // MARK: - Helpers

    /// `#filePath` -> Tests/TsunagariYAMLTests -> package root -> ../shared/yaml-test-suite.
    /// Symlinks are resolved so that a private package that links this folder finds it too.
    static func suiteDirectory() -> URL? {
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let packageRoot = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared").appendingPathComponent("yaml-test-suite")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else { return nil }
        return dir
    }

    static func name(of dir: URL) -> String {
        let text = (try? String(contentsOf: dir.appendingPathComponent("name"), encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `nil` when `mark` lies inside `input` (lines split at LF, CR LF, CR; a column may be one
    /// past the line's last character), else what is wrong.
    static func markProblem(_ mark: YAMLMark, in input: [UInt8]) -> String? {
        LineTable(input).problem(with: mark)
    }
}

/// The length in Unicode scalars of each line of an input, to check marks against.
struct LineTable {
    private var lines: [Int] = [0]

    init(_ input: [UInt8]) {
        var previousCR = false
        for scalar in String(decoding: input, as: UTF8.self).unicodeScalars {
            if scalar == "\n" {
                if !previousCR { lines.append(0) }
                previousCR = false
            } else if scalar == "\r" {
                lines.append(0)
                previousCR = true
            } else {
                lines[lines.count - 1] += 1
                previousCR = false
            }
        }
    }

    func problem(with mark: YAMLMark) -> String? {
        guard mark.line >= 1, mark.line <= lines.count else {
            return "line \(mark.line) is outside 1...\(lines.count)"
        }
        guard mark.column >= 1, mark.column <= lines[mark.line - 1] + 1 else {
            return "column \(mark.column) is outside 1...\(lines[mark.line - 1] + 1) on line \(mark.line)"
        }
        return nil
    }
}

// MARK: - JSON values

struct ConversionError: Error { var reason: String }

/// A JSON value; numbers compare numerically (1 == 1.0), objects ignore key order.
indirect enum JSONValue: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(yaml node: YAMLNode) throws {
        switch node.value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(Double(i))
        case .float(let d):
            guard d.isFinite else { throw ConversionError(reason: "\(d) has no JSON form") }
            self = .number(d)
        case .string(let s): self = .string(s)
        case .sequence(let items): self = .array(try items.map(JSONValue.init(yaml:)))
        case .mapping(let pairs):
            var object: [String: JSONValue] = [:]
            for pair in pairs {
                guard case .string(let key) = pair.key.value else {
                    throw ConversionError(reason: "\(pair.key.kindName) key at \(pair.key.mark)")
                }
                object[key] = try JSONValue(yaml: pair.value)
            }
            self = .object(object)
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let d): return "\(d)"
        case .string(let s): return s.debugDescription
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription): \($0.value)" }
                .joined(separator: ", ") + "}"
        }
    }
}

/// A minimal parser for a stream of JSON values separated by white space (in.json may hold
/// one value per document).
struct JSONStream {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let b: [UInt8]
    private var i = 0

    static func parse(_ bytes: [UInt8]) throws -> [JSONValue] {
        var p = JSONStream(b: bytes)
        var values: [JSONValue] = []
        p.skipSpace()
        while p.i < p.b.count {
            values.append(try p.value())
            p.skipSpace()
        }
        return values
    }

    private init(b: [UInt8]) { self.b = b }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for c in literal.utf8 {
            guard i < b.count, b[i] == c else { throw Failure(description: "expected \(literal) at \(i)") }
            i += 1
        }
    }

    private mutating func value() throws -> JSONValue {
        skipSpace()
        guard i < b.count else { throw Failure(description: "unexpected end") }
        switch b[i] {
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard i < b.count else { throw Failure(description: "unterminated array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("]")
                return .array(items)
            }
        case UInt8(ascii: "{"):
            i += 1
            var object: [String: JSONValue] = [:]
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(object) }
            while true {
                skipSpace()
                let key = try string()
                skipSpace()
                try expect(":")
                object[key] = try value()
                skipSpace()
                guard i < b.count else { throw Failure(description: "unterminated object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("}")
                return .object(object)
            }
        default:
            let start = i
            while i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: ".")
                    || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") || (b[i] >= 0x30 && b[i] <= 0x39) {
                i += 1
            }
            guard let d = Double(String(decoding: b[start..<i], as: UTF8.self)) else {
                throw Failure(description: "bad JSON at \(start)")
            }
            return .number(d)
        }
    }

    private mutating func string() throws -> String {
        try expect("\"")
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while true {
            guard i < b.count else { throw Failure(description: "unterminated string") }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            guard c == UInt8(ascii: "\\") else { raw.append(c); continue }
            flush()
            guard i < b.count else { throw Failure(description: "bad escape") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                var unit = try hex4()
                if (0xD800..<0xDC00).contains(unit), i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(e))   // \" \\ \/
            }
        }
        flush()
        return String(scalars)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw Failure(description: "bad \\u escape at \(i)")
        }
        i += 4
        return v
    }
}
