import XCTest
@testable import TsunagariTemplates

/// `TemplateMap` behaves as the dictionary it replaced: unique keys, lookups by text, equality
/// in any order.
final class TemplateMapTests: XCTestCase {
    func testSetReplaceAndRemove() {
        var m: TemplateMap = ["name": "窓口", "count": 3]
        XCTAssertEqual(m["name"], "窓口")
        XCTAssertEqual(m["count"], 3)
        XCTAssertNil(m["missing"])
        m["count"] = 4
        m["url"] = "/w/a/"
        XCTAssertEqual(m.count, 3, "replacing a member does not add one")
        XCTAssertEqual(m["count"], 4)
        XCTAssertEqual(m.keys, ["name", "count", "url"], "members stay in the order they were added")
        m["name"] = nil
        XCTAssertNil(m["name"])
        XCTAssertEqual(m.keys, ["count", "url"])
        m["never"] = nil
        XCTAssertEqual(m.count, 2)
    }

    func testALaterDuplicateKeyInALiteralWins() {
        let m: TemplateMap = ["a": 1, "b": 2, "a": 3]
        XCTAssertEqual(m.count, 2)
        XCTAssertEqual(m["a"], 3)
        let v: TemplateValue = ["a": 1, "a": "two"]
        XCTAssertEqual(v["a"], "two")
    }

    func testALookupComparesTheTextWhereTheHashMatches() {
        let m: TemplateMap = ["a": 1]
        // The hash of "a" given for the key "b": as if "b" collided with "a".
        XCTAssertNil(m.value(of: "b", hash: TemplateMap.hash("a")))
        XCTAssertEqual(m.value(of: "a", hash: TemplateMap.hash("a")), 1)
        XCTAssertNotEqual(TemplateMap.hash("a"), TemplateMap.hash("b"))
        XCTAssertNotEqual(TemplateMap.hash("ab"), TemplateMap.hash("ba"))
    }

    /// The published FNV-1a test vectors: asset and index folder names depend on them.
    func testKeysAreHashedWithFNV1a() {
        XCTAssertEqual(TemplateMap.hash(""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(TemplateMap.hash("a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(TemplateMap.hash("foobar"), 0x8594_4171_F739_67E8)
    }

    func testEqualityIgnoresOrderButNotKeysOrValues() {
        let a: TemplateMap = ["x": 1, "y": "二", "z": ["k": true]]
        let b: TemplateMap = ["z": ["k": true], "x": 1, "y": "二"]
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, ["x": 1, "y": "二", "z": ["k": false]])
        XCTAssertNotEqual(a, ["x": 1, "y": "二", "w": ["k": true]])
        XCTAssertNotEqual(a, ["x": 1, "y": "二"])
        XCTAssertNotEqual(["x": 1, "y": "二"] as TemplateMap, a)
    }

    func testMergeDictionaryAndIteration() {
        var m: TemplateMap = ["a": 1, "b": 2]
        m.merge(["b": 20, "c": 30])
        XCTAssertEqual(m, ["a": 1, "b": 20, "c": 30])
        XCTAssertEqual(m.dictionary, ["a": 1, "b": 20, "c": 30])
        XCTAssertEqual(TemplateMap(m.dictionary), m)
        var seen: [String: TemplateValue] = [:]
        for (key, value) in m { seen[key] = value }
        XCTAssertEqual(seen, m.dictionary)
        XCTAssertEqual(m.mapValues { _ in .null }, ["a": nil, "b": nil, "c": nil])
    }

    func testTemplatesFindMembersThroughTheContextStack() throws {
        let set = try TemplateSet(templates: ["t": "{{#card}}{{name}} {{site.title}} {{title}} {{missing}}{{/card}}"])
        let context: TemplateValue = ["title": "外", "site": ["title": "サイト"], "card": ["name": "窓口<1>"]]
        XCTAssertEqual(try set.render("t", context), "窓口&lt;1&gt; サイト 外 ")
    }
}
