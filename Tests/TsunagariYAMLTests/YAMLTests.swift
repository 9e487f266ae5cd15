import Foundation
import XCTest
import TsunagariYAML

// Helpers shared by the unit tests.

/// Parses a one-key mapping `v: <text>` and returns the value node.
private func value(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) throws -> YAMLNode {
    let root = try YAML.parse("v: " + yaml)
    return try XCTUnwrap(root["v"], file: file, line: line)
}

/// The YAMLError thrown by `body`, failing the test when it does not throw one.
private func yamlError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> YAMLError? {
    do {
        let result = try body()
        XCTFail("expected a YAMLError, got \(result)", file: file, line: line)
        return nil
    } catch let error as YAMLError {
        return error
    } catch {
        XCTFail("expected a YAMLError, got \(error)", file: file, line: line)
        return nil
    }
}

private func mark(_ line: Int, _ column: Int) -> YAMLMark { YAMLMark(line: line, column: column) }

// MARK: - Core schema resolution

final class YAMLResolutionTests: XCTestCase {

    func testYAML11BooleansStayStrings() throws {
        for word in ["no", "No", "NO", "yes", "Yes", "on", "On", "off", "OFF", "y", "n", "Y", "N"] {
            XCTAssertEqual(try value(word).value, .string(word), word)
        }
    }

    func testBooleans() throws {
        for word in ["true", "True", "TRUE"] { XCTAssertEqual(try value(word).value, .bool(true), word) }
        for word in ["false", "False", "FALSE"] { XCTAssertEqual(try value(word).value, .bool(false), word) }
        XCTAssertEqual(try value("tRUE").value, .string("tRUE"))
        XCTAssertEqual(try value("fAlse").value, .string("fAlse"))
    }

    func testNulls() throws {
        for word in ["~", "null", "Null", "NULL", ""] { XCTAssertEqual(try value(word).value, .null, word) }
        XCTAssertEqual(try value("nULL").value, .string("nULL"))
        XCTAssertEqual(try YAML.parse("a:\nb: 1")["a"]?.value, .null)
        XCTAssertEqual(try value("\"\"").value, .string(""))
        XCTAssertEqual(try value("'~'").value, .string("~"))
    }

    func testIntegers() throws {
        XCTAssertEqual(try value("0777").value, .int(777))        // 1.2 core: decimal, not octal
        XCTAssertEqual(try value("0o17").value, .int(15))
        XCTAssertEqual(try value("0x1F").value, .int(31))
        XCTAssertEqual(try value("0xff").value, .int(255))
        XCTAssertEqual(try value("189").value, .int(189))
        XCTAssertEqual(try value("+12").value, .int(12))
        XCTAssertEqual(try value("-12").value, .int(-12))
        XCTAssertEqual(try value("-0").value, .int(0))
        XCTAssertEqual(try value("9223372036854775807").value, .int(Int.max))
        XCTAssertEqual(try value("-9223372036854775808").value, .int(Int.min))
        // Not integers in the core schema.
        for text in ["0x", "0o", "0o8", "0b101", "+0x1", "-0x1", "1_000", "1,000", "0x_1", "12a"] {
            XCTAssertEqual(try value(text).value, .string(text), text)
        }
    }

    func testIntegerOverflowBecomesFloat() throws {
        XCTAssertEqual(try value("9223372036854775808").value, .float(9223372036854775808.0))
        XCTAssertEqual(try value("-99999999999999999999").value, .float(-1e20))
        XCTAssertEqual(try value("0xFFFFFFFFFFFFFFFFFF").value, .float(4722366482869645213695.0))
        // The text is still there for callers that want it.
        XCTAssertEqual(try value("99999999999999999999").scalarText, "99999999999999999999")
    }

    func testFloats() throws {
        XCTAssertEqual(try value("1.5").value, .float(1.5))
        XCTAssertEqual(try value("1.").value, .float(1))
        XCTAssertEqual(try value(".5").value, .float(0.5))
        XCTAssertEqual(try value("-.5").value, .float(-0.5))
        XCTAssertEqual(try value("+.5").value, .float(0.5))
        XCTAssertEqual(try value("1e3").value, .float(1000))
        XCTAssertEqual(try value("-1.5E-3").value, .float(-0.0015))
        XCTAssertEqual(try value("1E+3").value, .float(1000))
        XCTAssertEqual(try value("0.").value, .float(0))
        for text in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] {
            XCTAssertEqual(try value(text).value, .float(.infinity), text)
        }
        for text in ["-.inf", "-.Inf", "-.INF"] { XCTAssertEqual(try value(text).value, .float(-.infinity), text) }
        for text in [".nan", ".NaN", ".NAN"] {
            guard case .float(let d) = try value(text).value else { return XCTFail(text) }
            XCTAssertTrue(d.isNaN, text)
        }
        for text in [".", "+", "1e", "e1", "1.2.3", ".Nan", "-.nan", "inf", "NaN", ". 5", "1.5f"] {
            XCTAssertEqual(try value(text).value, .string(text), text)
        }
    }

    func testDatesTimesAndOtherLookalikesStayStrings() throws {
        XCTAssertEqual(try value("2024-11-06").value, .string("2024-11-06"))
        XCTAssertEqual(try value("2001-12-14t21:59:43.10-05:00").value, .string("2001-12-14t21:59:43.10-05:00"))
        XCTAssertEqual(try value("08:30").value, .string("08:30"))   // 1.1 sexagesimal would be 510
        XCTAssertEqual(try value("1:30:00").value, .string("1:30:00"))
        XCTAssertEqual(try value("<<").value, .string("<<"))          // no merge keys in 1.2 core
        XCTAssertEqual(try value("=").value, .string("="))
        XCTAssertEqual(try value("よりそいホットライン").value, .string("よりそいホットライン"))
    }

    func testQuotedAndBlockScalarsAreAlwaysStrings() throws {
        let doc = try YAML.parse("""
            a: "123"
            b: 'true'
            c: "~"
            d: |
              0777
            e: >-
              1.5
            f: 123
            """)
        XCTAssertEqual(doc["a"]?.value, .string("123"))
        XCTAssertEqual(doc["b"]?.value, .string("true"))
        XCTAssertEqual(doc["c"]?.value, .string("~"))
        XCTAssertEqual(doc["d"]?.value, .string("0777\n"))
        XCTAssertEqual(doc["e"]?.value, .string("1.5"))
        XCTAssertEqual(doc["f"]?.value, .int(123))
        for key in ["a", "b", "c", "d", "e"] { XCTAssertEqual(doc[key]?.isPlainScalar, false, key) }
        XCTAssertEqual(doc["f"]?.isPlainScalar, true)
        XCTAssertEqual(doc.isPlainScalar, false)
    }

    func testScalarTextKeepsTheWrittenForm() throws {
        let node = try value("0777")
        XCTAssertEqual(node.value, .int(777))
        XCTAssertEqual(node.scalarText, "0777")
        XCTAssertNil(try value("[1]").scalarText)
    }
}

// MARK: - Tags

final class YAMLTagTests: XCTestCase {

    func testCoreTagsAreHonoured() throws {
        XCTAssertEqual(try value("!!str 123").value, .string("123"))
        XCTAssertEqual(try value("!!str 123").tag, "tag:yaml.org,2002:str")
        XCTAssertEqual(try value("!!str").value, .string(""))
        XCTAssertEqual(try value("!!int \"42\"").value, .int(42))
        XCTAssertEqual(try value("!!int 0x10").value, .int(16))
        XCTAssertEqual(try value("!!float 1").value, .float(1))
        XCTAssertEqual(try value("!!float '2.5'").value, .float(2.5))
        XCTAssertEqual(try value("!!bool \"true\"").value, .bool(true))
        XCTAssertEqual(try value("!!null \"\"").value, .null)
        XCTAssertEqual(try value("!!null ~").value, .null)
        XCTAssertEqual(try value("!!seq [1]").value, .sequence([YAMLNode(.int(1), mark: mark(1, 11), isPlainScalar: true, scalarText: "1")]))
        XCTAssertEqual(try value("!!map {}").value, .mapping([]))
        XCTAssertEqual(try value("!<tag:yaml.org,2002:int> 7").value, .int(7))
    }

    func testNonSpecificTagMakesAString() throws {
        let node = try value("! 12")
        XCTAssertEqual(node.value, .string("12"))
        XCTAssertEqual(node.tag, "!")
    }

    func testUnknownTagsAreKeptAndResolvedAsUntagged() throws {
        let local = try value("!foo 12")
        XCTAssertEqual(local.value, .int(12))
        XCTAssertEqual(local.tag, "!foo")
        let quoted = try value("!foo '12'")
        XCTAssertEqual(quoted.value, .string("12"))
        let binary = try value("!!binary aGVsbG8=")
        XCTAssertEqual(binary.value, .string("aGVsbG8="))
        XCTAssertEqual(binary.tag, "tag:yaml.org,2002:binary")
        let mapping = try value("!point {x: 1}")
        XCTAssertEqual(mapping.tag, "!point")
        XCTAssertEqual(mapping["x"]?.value, .int(1))
        let expanded = try YAML.parse("%TAG !e! tag:example.com,2000:\n---\n!e!foo x")
        XCTAssertEqual(expanded.tag, "tag:example.com,2000:foo")
        XCTAssertEqual(expanded.value, .string("x"))
    }

    func testContentThatDoesNotFitItsTagIsALocatedError() {
        let cases: [(String, String, YAMLMark)] = [
            ("a: 1\nb: !!int abc", "value 'abc' does not match tag !!int", mark(2, 4)),
            ("- !!bool yes", "value 'yes' does not match tag !!bool", mark(1, 3)),
            ("x: !!null 0", "value '0' does not match tag !!null", mark(1, 4)),
            ("x: !!float 1.2.3", "value '1.2.3' does not match tag !!float", mark(1, 4)),
            ("x: !!int 99999999999999999999", "integer '99999999999999999999' is out of range for !!int", mark(1, 4)),
            ("!!str [1]", "tag !!str cannot be applied to a sequence", mark(1, 1)),
            ("a:\n  !!seq {b: 1}", "tag !!seq cannot be applied to a mapping", mark(2, 3)),
            ("!!map [1]", "tag !!map cannot be applied to a sequence", mark(1, 1)),
            ("x: !!seq abc", "tag !!seq cannot be applied to a scalar", mark(1, 4)),
            ("x: !!int {a: 1}", "tag !!int cannot be applied to a mapping", mark(1, 4)),
        ]
        for (text, message, where_) in cases {
            let error = yamlError { try YAML.parse(text) }
            XCTAssertEqual(error, YAMLError(message: message, mark: where_), text)
        }
    }
}

// MARK: - Positions

final class YAMLPositionTests: XCTestCase {

    func testMarksOfNestedNodes() throws {
        let doc = try YAML.parse("""
            title: Hello
            parts:
              - name: one
                order: 1
              - [a, b]
            """)
        XCTAssertEqual(doc.mark, mark(1, 1))
        let pairs = try XCTUnwrap(doc.mappingValue)
        XCTAssertEqual(pairs[0].key.mark, mark(1, 1))
        XCTAssertEqual(pairs[0].value.mark, mark(1, 8))
        XCTAssertEqual(pairs[1].key.mark, mark(2, 1))
        let parts = try XCTUnwrap(doc["parts"])
        XCTAssertEqual(parts.mark, mark(3, 3))
        XCTAssertEqual(parts[0]?.mark, mark(3, 5))
        XCTAssertEqual(parts[0]?["order"]?.mark, mark(4, 12))
        XCTAssertEqual(parts[1]?.mark, mark(5, 5))
        XCTAssertEqual(parts[1]?[1]?.mark, mark(5, 9))
    }

    func testColumnsCountCharactersNotBytes() throws {
        let doc = try YAML.parse("名前: 日本語\n説明: [子育て, 孤独]")
        XCTAssertEqual(doc["名前"]?.mark, mark(1, 5))
        XCTAssertEqual(doc["説明"]?[1]?.mark, mark(2, 11))
        let error = yamlError { try YAML.parse("名前: 日本 x: y") }
        XCTAssertEqual(error?.mark, mark(1, 9))
    }

    func testLineOffsetIsAddedEverywhere() throws {
        let doc = try YAML.parse("a: 1\nb:\n  - x", lineOffset: 1)
        XCTAssertEqual(doc.mark, mark(2, 1))
        XCTAssertEqual(doc["b"]?[0]?.mark, mark(4, 5))
        XCTAssertEqual(yamlError { try YAML.parse("a: 1\na: 2", lineOffset: 1) },
                       YAMLError(message: "duplicate key 'a' (first at line 2)", mark: mark(3, 1)))
        XCTAssertEqual(yamlError { try YAML.parse("a: [1", lineOffset: 5) }?.mark.line, 6)
        XCTAssertEqual(yamlError { try YAML.parse(bytes: [0x61, 0x3A, 0x20, 0xFF], lineOffset: 2) }?.mark, mark(3, 4))
        XCTAssertEqual(yamlError { try YAML.parse("x", lineOffset: 3, limits: YAMLLimits(maxBytes: 0)) }?.mark, mark(4, 1))
    }

    func testEmptyInputIsNullAtLineOne() throws {
        for text in ["", "# only a comment\n", "\n\n   \n# c\n"] {
            let node = try YAML.parse(text)
            XCTAssertEqual(node.value, .null, text.debugDescription)
            XCTAssertEqual(node.mark, mark(1, 1), text.debugDescription)
        }
        XCTAssertEqual(try YAML.parse("", lineOffset: 1).mark, mark(2, 1))
        XCTAssertEqual(try YAML.parseStream(""), [])
        XCTAssertEqual(try YAML.parseStream("# c\n"), [])
    }

    func testCRLFLineBreaks() throws {
        let doc = try YAML.parse("a: 1\r\nb: 2\r\nc: 3\rd: 4")
        XCTAssertEqual(doc["c"]?.mark, mark(3, 4))
        XCTAssertEqual(doc["d"]?.mark, mark(4, 4))
    }

    func testAByteOrderMarkIsNotAColumn() throws {
        let doc = try YAML.parse("\u{FEFF}a: 1")
        XCTAssertEqual(doc["a"]?.mark, mark(1, 4))
    }
}

// MARK: - Errors

final class YAMLErrorTests: XCTestCase {

    func testDuplicateKeys() {
        XCTAssertEqual(yamlError { try YAML.parse("x: 1\ny: 2\nx: 3") },
                       YAMLError(message: "duplicate key 'x' (first at line 1)", mark: mark(3, 1)))
        // Equal after resolution: quoting and number spelling do not make keys different.
        XCTAssertEqual(yamlError { try YAML.parse("a: 1\n\"a\": 2") },
                       YAMLError(message: "duplicate key 'a' (first at line 1)", mark: mark(2, 1)))
        XCTAssertEqual(yamlError { try YAML.parse("1: a\n0x1: b") },
                       YAMLError(message: "duplicate key '0x1' (first at line 1)", mark: mark(2, 1)))
        XCTAssertEqual(yamlError { try YAML.parse("~: a\nnull: b") },
                       YAMLError(message: "duplicate key 'null' (first at line 1)", mark: mark(2, 1)))
        XCTAssertEqual(yamlError { try YAML.parse("outer:\n  inner: {k: 1, k: 2}") },
                       YAMLError(message: "duplicate key 'k' (first at line 2)", mark: mark(2, 17)))
        XCTAssertEqual(yamlError { try YAML.parse("? [a, b]\n: 1\n? [a, b]\n: 2") },
                       YAMLError(message: "duplicate key '[…]' (first at line 1)", mark: mark(3, 3)))
        XCTAssertEqual(yamlError { try YAML.parse("- &k x: 1\n  *k : 2") },
                       YAMLError(message: "duplicate key 'x' (first at line 1)", mark: mark(2, 3)))
    }

    /// Small mappings are scanned and large ones indexed: a duplicate is found on either side
    /// of the switch, and against keys from before it.
    func testDuplicateKeysInLargeMappings() throws {
        for size in [1, 15, 16, 17, 40] {
            let keys = (1...size).map { "k\($0): \($0)" }
            let clean = try YAML.parse(keys.joined(separator: "\n"))
            XCTAssertEqual(clean.mappingValue?.count, size)
            for repeated in Set([1, (size + 1) / 2, size]) {
                let text = (keys + ["\"k\(repeated)\": again"]).joined(separator: "\n")
                XCTAssertEqual(yamlError { try YAML.parse(text) },
                               YAMLError(message: "duplicate key 'k\(repeated)' (first at line \(repeated))", mark: mark(size + 1, 1)),
                               "\(size) keys, k\(repeated) repeated")
            }
        }
    }

    func testDifferentKeysAreNotDuplicates() throws {
        let doc = try YAML.parse("1: int\n\"1\": string\n1.0: float\ntrue: bool\n\"true\": s\n")
        XCTAssertEqual(doc.mappingValue?.count, 5)
        XCTAssertEqual(doc["1"]?.value, .string("string"))
        XCTAssertEqual(try YAML.parse("- {a: 1}\n- {a: 2}").sequenceValue?.count, 2)
    }

    func testAliasBombFailsQuicklyWithALocation() {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        let start = Date()
        let error = yamlError { try YAML.parse(text) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertEqual(error?.message, "too many nodes: more than 200000 (each alias counts as a full copy of its anchored node)")
        XCTAssertEqual(error?.mark.line, 6)
        XCTAssertEqual(error?.mark.column, 12)
    }

    func testNodeLimitCountsAliasCopies() throws {
        let text = "a: &x [1, 2]\nb: *x"   // mapping, a, [..], 1, 2, b = 6 nodes, then *x adds 3
        XCTAssertNoThrow(try YAML.parse(text, limits: YAMLLimits(maxNodes: 9)))
        XCTAssertEqual(yamlError { try YAML.parse(text, limits: YAMLLimits(maxNodes: 8)) }?.mark, mark(2, 4))
        XCTAssertEqual(yamlError { try YAML.parse(text, limits: YAMLLimits(maxNodes: 5)) }?.mark, mark(2, 1))
    }

    func testDepthLimit() throws {
        XCTAssertNoThrow(try YAML.parse("a: {b: [c]}", limits: YAMLLimits(maxDepth: 3)))
        XCTAssertEqual(yamlError { try YAML.parse("a: {b: [[c]]}", limits: YAMLLimits(maxDepth: 3)) },
                       YAMLError(message: "nesting deeper than 3 levels", mark: mark(1, 9)))
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertEqual(yamlError { try YAML.parse(deep) },
                       YAMLError(message: "nesting deeper than 64 levels", mark: mark(1, 65)))
        let block = (0..<70).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n")
        XCTAssertEqual(yamlError { try YAML.parse(block) }?.mark, mark(65, 129))
        // An alias that lands deep counts its own height.
        XCTAssertEqual(yamlError { try YAML.parse("a: &x [[1]]\nb: [*x]", limits: YAMLLimits(maxDepth: 3)) },
                       YAMLError(message: "nesting deeper than 3 levels (through alias '*x')", mark: mark(2, 5)))
    }

    func testSizeLimit() {
        XCTAssertEqual(yamlError { try YAML.parse("a: 12345", limits: YAMLLimits(maxBytes: 4)) },
                       YAMLError(message: "input is 8 bytes, more than the limit of 4 bytes", mark: mark(1, 1)))
        XCTAssertEqual(YAMLLimits.default.maxBytes, 4 * 1024 * 1024)
    }

    func testSyntaxErrorsCarryLibyamlTextAndLocation() {
        XCTAssertEqual(yamlError { try YAML.parse("a: [1, 2\nb: 3") },
                       YAMLError(message: "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)",
                                 mark: mark(2, 2)))
        XCTAssertEqual(yamlError { try YAML.parse("a: \"unterminated") },
                       YAMLError(message: "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)",
                                 mark: mark(1, 17)))
        // With a final line break the end of the stream is the start of the line after it
        // (the marks are not moved back: the text ends there).
        XCTAssertEqual(yamlError { try YAML.parse("a: \"unterminated\n") }?.mark, mark(2, 1))
        XCTAssertEqual(yamlError { try YAML.parse("a: [1, 2\r\n") }?.mark, mark(2, 1))
        XCTAssertEqual(try YAML.parse("a:\n  - 1\n")["a"]?.mark, mark(2, 3))
        // An error at the end of a text without a final break (libyaml puts the end of the
        // stream on a line of its own): at the end of its last line, in characters, whatever
        // its breaks and a BOM.
        for text in ["a: 1\nb: [日本語", "\u{FEFF}a: 1\nb: [日本語", "a: 1\r\nb: [日本語", "a: 1\rb: [日本語",
                     "\u{FEFF}a: 1\r\nb: [日本語", "#\n\nb: [日本語"] {
            XCTAssertEqual(yamlError { try YAML.parse(text) }?.mark, mark(2 + (text.hasPrefix("#") ? 1 : 0), 8), text.debugDescription)
        }
        XCTAssertEqual(yamlError { try YAML.parse("\u{FEFF}[日本") }?.mark, mark(1, 4))
        XCTAssertEqual(yamlError { try YAML.parse("[日本") }?.mark, mark(1, 4))
        XCTAssertEqual(yamlError { try YAML.parse("a: b: c") },
                       YAMLError(message: "mapping values are not allowed in this context", mark: mark(1, 5)))
        XCTAssertEqual(yamlError { try YAML.parse("key: value\n  bad: indent") }?.mark, mark(2, 6))
        XCTAssertEqual(yamlError { try YAML.parse("- a\nb: c") },
                       YAMLError(message: "did not find expected '-' indicator (while parsing a block collection at line 1, column 1)",
                                 mark: mark(2, 1)))
    }

    func testTabIndentationIsALocatedError() {
        XCTAssertEqual(yamlError { try YAML.parse("a:\n\tb: 1") },
                       YAMLError(message: "found character that cannot start any token (while scanning for the next token at line 2, column 1); tabs cannot be used for indentation, use spaces",
                                 mark: mark(2, 1)))
        XCTAssertEqual(yamlError { try YAML.parse("a:\n  b: 1\n\tc: 2") }?.mark, mark(3, 1))
        XCTAssertEqual(yamlError { try YAML.parse("a: |\n  x\n\ty") }?.message.hasSuffix("use spaces"), true)
        // Tabs inside content are fine.
        XCTAssertEqual(try YAML.parse("a: x\ty  # c")["a"]?.value, .string("x\ty"))
    }

    func testBadTagIsAnError() {
        XCTAssertEqual(yamlError { try YAML.parse("a: !e!x 1") }?.mark.line, 1)
        XCTAssertEqual(yamlError { try YAML.parse("a: !!int x1") },
                       YAMLError(message: "value 'x1' does not match tag !!int", mark: mark(1, 4)))
    }

    func testAliasErrors() {
        XCTAssertEqual(yamlError { try YAML.parse("a: 1\nb: *nope") },
                       YAMLError(message: "unknown anchor 'nope' in alias '*nope'", mark: mark(2, 4)))
        XCTAssertEqual(yamlError { try YAML.parse("a: &r [1, *r]") },
                       YAMLError(message: "alias '*r' refers to a node that contains it (recursive structures are not supported)",
                                 mark: mark(1, 11)))
        // Anchors belong to their document.
        XCTAssertEqual(yamlError { try YAML.parseStream("a: &x 1\n---\nb: *x") }?.mark, mark(3, 4))
    }

    func testMoreThanOneDocument() throws {
        XCTAssertEqual(yamlError { try YAML.parse("a: 1\n---\nb: 2") },
                       YAMLError(message: "expected a single YAML document, found another one", mark: mark(2, 1)))
        XCTAssertEqual(try YAML.parse("--- \na: 1\n...\n")["a"]?.value, .int(1))
    }

    func testInvalidUTF8IsLocated() {
        XCTAssertEqual(yamlError { try YAML.parse(bytes: Array("a: b\nc: ".utf8) + [0xFF]) },
                       YAMLError(message: "invalid UTF-8 (byte 0xFF)", mark: mark(2, 4)))
        // Columns count characters, so the Japanese prefix counts 2, not 6.
        XCTAssertEqual(yamlError { try YAML.parse(bytes: Array("日本: ".utf8) + [0xE3, 0x81]) },
                       YAMLError(message: "invalid UTF-8 (byte 0xE3)", mark: mark(1, 5)))
        XCTAssertEqual(yamlError { try YAML.parse(bytes: [0x61, 0x3A, 0x20, 0xC0, 0xAF]) }?.message, "invalid UTF-8 (byte 0xC0)") // overlong
        XCTAssertEqual(yamlError { try YAML.parse(bytes: [0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80]) }?.mark, mark(1, 4)) // surrogate
        XCTAssertEqual(yamlError { try YAML.parseStream(bytes: [0x0A, 0x0A, 0x80]) }?.mark, mark(3, 1))
        XCTAssertEqual(try YAML.parse(bytes: Array("a: 日本".utf8))["a"]?.value, .string("日本"))
    }

    func testControlCharactersAreLocated() {
        XCTAssertEqual(yamlError { try YAML.parse("a: 1\nb: \"日\u{01}\"") },
                       YAMLError(message: "control characters are not allowed (#x01)", mark: mark(2, 6)))
        XCTAssertEqual(yamlError { try YAML.parse("a: \u{0}") }?.mark, mark(1, 4))
    }

    func testYAML11LineBreakCharactersAreRejected() {
        XCTAssertEqual(yamlError { try YAML.parse("# note\u{2028}a: 1") },
                       YAMLError(message: "U+2028 LINE SEPARATOR is not allowed (libyaml would read it as a line break); remove it, or write it as an escape in a double-quoted string",
                                 mark: mark(1, 7)))
        XCTAssertEqual(yamlError { try YAML.parse("a: 1\nb: x\u{85}y") }?.mark, mark(2, 5))
        XCTAssertEqual(yamlError { try YAML.parse("a: \u{2029}") }?.message.hasPrefix("U+2029 PARAGRAPH SEPARATOR"), true)
        // The first of them is reported, whichever kind; their neighbours (same first byte) pass.
        XCTAssertEqual(yamlError { try YAML.parse("a: ‐…©\nb: x\u{2029}\u{85}") }?.message.hasPrefix("U+2029"), true)
        XCTAssertEqual(yamlError { try YAML.parse("a: ‐…©\nb: x\u{85}\u{2028}") }?.mark, mark(2, 5))
        XCTAssertEqual(yamlError { try YAML.parse("a: ‐…©\nb: x\u{85}\u{2028}") }?.message.hasPrefix("U+0085"), true)
        XCTAssertEqual(try YAML.parse("a: ‐…\u{2027}\u{A0}©")["a"]?.value, .string("‐…\u{2027}\u{A0}©"))
        // Escapes are fine.
        XCTAssertEqual(try YAML.parse("a: \"x\\Ly\"")["a"]?.value, .string("x\u{2028}y"))
    }

    func testErrorDescription() {
        let error = YAMLError(message: "duplicate key 'x' (first at line 1)", mark: mark(3, 1))
        XCTAssertEqual(error.description, "line 3, column 1: duplicate key 'x' (first at line 1)")
    }
}

// MARK: - Structure

final class YAMLStructureTests: XCTestCase {

    func testAnchorsAndAliases() throws {
        let doc = try YAML.parse("""
            base: &b {x: 1, y: [a, b]}
            copy: *b
            name: &n hello
            again: *n
            """)
        let base = try XCTUnwrap(doc["base"])
        let copy = try XCTUnwrap(doc["copy"])
        XCTAssertEqual(copy["x"]?.value, .int(1))
        XCTAssertEqual(copy["y"]?.sequenceValue?.map(\.value), [.string("a"), .string("b")])
        // The copy's top node has the alias's mark; its insides keep the anchored marks.
        XCTAssertEqual(copy.mark, mark(2, 7))
        XCTAssertEqual(copy["x"]?.mark, base["x"]?.mark)
        var moved = base
        moved.mark = copy.mark
        XCTAssertEqual(copy, moved)
        XCTAssertEqual(doc["again"]?.value, .string("hello"))
        XCTAssertEqual(doc["again"]?.mark, mark(4, 8))
        // A redefined anchor refers to the latest node.
        XCTAssertEqual(try YAML.parse("a: &x 1\nb: &x 2\nc: *x")["c"]?.value, .int(2))
    }

    func testLiteralAndFoldedScalars() throws {
        let doc = try YAML.parse("""
            literal: |
              line one
                indented
              line three
            folded: >
              one
              two

              para
            strip: |-
              text

            keep: |+
              text

            fstrip: >-
              a
              b
            indicator: |2
                four
              two
            plain: a
              b
              c
            quoted: "x\\ty\\u263A
              next"
            single: 'it''s'
            last: end
            """)
        XCTAssertEqual(doc["literal"]?.stringValue, "line one\n  indented\nline three\n")
        XCTAssertEqual(doc["folded"]?.stringValue, "one two\npara\n")
        XCTAssertEqual(doc["strip"]?.stringValue, "text")
        XCTAssertEqual(doc["keep"]?.stringValue, "text\n\n")
        XCTAssertEqual(doc["fstrip"]?.stringValue, "a b")
        XCTAssertEqual(doc["indicator"]?.stringValue, "  four\ntwo\n")
        XCTAssertEqual(doc["plain"]?.stringValue, "a b c")
        XCTAssertEqual(doc["quoted"]?.stringValue, "x\ty☺ next")
        XCTAssertEqual(doc["single"]?.stringValue, "it's")
        XCTAssertEqual(doc["literal"]?.isPlainScalar, false)
        XCTAssertEqual(doc["plain"]?.isPlainScalar, true)
        XCTAssertEqual(doc["literal"]?.mark, mark(1, 10))
    }

    func testFlowCollections() throws {
        let doc = try YAML.parse("a: [x, 1, {k: v, n: [true, ~]}, []]\nb: {}\nc: [p, q, ]")
        let a = try XCTUnwrap(doc["a"]?.sequenceValue)
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(a[0].value, .string("x"))
        XCTAssertEqual(a[1].value, .int(1))
        XCTAssertEqual(a[2]["k"]?.value, .string("v"))
        XCTAssertEqual(a[2]["n"]?.sequenceValue?.map(\.value), [.bool(true), .null])
        XCTAssertEqual(a[3].value, .sequence([]))
        XCTAssertEqual(doc["b"]?.value, .mapping([]))
        XCTAssertEqual(doc["c"]?.sequenceValue?.count, 2)
    }

    func testMappingKeepsDocumentOrder() throws {
        let doc = try YAML.parse("z: 1\na: 2\nm: 3")
        XCTAssertEqual(doc.mappingValue?.map { $0.key.stringValue }, ["z", "a", "m"])
    }

    func testComments() throws {
        let doc = try YAML.parse("""
            # leading comment
            a: 1 # trailing
            # between
            b: "# not a comment"
            c: a#b
            url: https://example.com/#frag
            d: x # y
            """)
        XCTAssertEqual(doc["a"]?.value, .int(1))
        XCTAssertEqual(doc["b"]?.value, .string("# not a comment"))
        XCTAssertEqual(doc["c"]?.value, .string("a#b"))
        XCTAssertEqual(doc["url"]?.value, .string("https://example.com/#frag"))
        XCTAssertEqual(doc["d"]?.value, .string("x"))
        XCTAssertEqual(doc.mappingValue?.count, 5)
    }

    func testStreams() throws {
        let docs = try YAML.parseStream("a: 1\n---\n- x\n--- text\n...\n---\n")
        XCTAssertEqual(docs.count, 4)
        XCTAssertEqual(docs[0]["a"]?.value, .int(1))
        XCTAssertEqual(docs[1][0]?.value, .string("x"))
        XCTAssertEqual(docs[2].value, .string("text"))
        XCTAssertEqual(docs[2].mark, mark(4, 5))
        XCTAssertEqual(docs[3].value, .null)
    }

    func testConvenienceAccessors() throws {
        let doc = try YAML.parse("s: str\ni: 3\nf: 2.5\nb: false\nn: ~\nl: [1]\nm: {k: v}\n5: five")
        XCTAssertEqual(doc["s"]?.stringValue, "str")
        XCTAssertEqual(doc["i"]?.intValue, 3)
        XCTAssertEqual(doc["i"]?.doubleValue, 3)
        XCTAssertEqual(doc["f"]?.doubleValue, 2.5)
        XCTAssertNil(doc["f"]?.intValue)
        XCTAssertEqual(doc["b"]?.boolValue, false)
        XCTAssertEqual(doc["n"]?.isNull, true)
        XCTAssertEqual(doc["l"]?.sequenceValue?.count, 1)
        XCTAssertEqual(doc["m"]?.mappingValue?.count, 1)
        XCTAssertNil(doc["5"])                       // subscript matches string keys only
        XCTAssertNil(doc["missing"])
        XCTAssertNil(doc["l"]?[1])
        XCTAssertNil(doc["s"]?["x"])
        XCTAssertEqual(["s", "i", "f", "b", "n", "l", "m"].map { doc[$0]?.kindName ?? "?" },
                       ["string", "integer", "float", "boolean", "null", "sequence", "mapping"])
        XCTAssertEqual(doc["m"]?.isScalar, false)
        XCTAssertEqual(doc["n"]?.isScalar, true)
    }
}
