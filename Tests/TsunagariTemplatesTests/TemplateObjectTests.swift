import Foundation
import XCTest
@testable import TsunagariTemplates

/// A partial rendered with a `TemplateObject` on top is kept and copied only when its output
/// cannot depend on anything but the object.
final class TemplateObjectTests: XCTestCase {
    let card = TemplateObject(["name": "相談<窓口>", "url": "/w/a/", "phones": [["tel": "tel:0120", "label": .null]]])
    let cardPartial = "<li><a href=\"{{url}}\">{{name}}</a>{{#phones}} <a href=\"{{tel}}\">{{#label}}{{label}} {{/label}}call</a>{{/phones}}</li>"

    func kept(_ object: TemplateObject, _ set: TemplateSet, _ partial: String) -> TemplateObject.Render? {
        let start = set.program.templates[set.program.templateIndex[partial]!].start
        return object.remembered(program: set.program.number, start: start)
    }

    func testAPartialThatReadsOnlyTheObjectIsKeptAndCopied() throws {
        let set = try TemplateSet(templates: ["main": "{{#items}}{{> card}}{{/items}}|{{#one}}{{> card}}{{/one}}", "card": cardPartial])
        let asObject: TemplateValue = ["items": [.object(card), .object(card)], "one": .object(card)]
        let asMap: TemplateValue = ["items": [.map(card.fields), .map(card.fields)], "one": .map(card.fields)]
        let expected = try set.render("main", asMap)
        XCTAssertEqual(try set.render("main", asObject), expected)
        XCTAssertEqual(try set.render("main", asObject), expected)
        XCTAssertEqual(kept(card, set, "card")?.bytes.map { String(decoding: $0, as: UTF8.self) },
                       "<li><a href=\"/w/a/\">相談&lt;窓口&gt;</a> <a href=\"tel:0120\">call</a></li>")
        XCTAssertTrue(expected.hasPrefix("<li><a"))
    }

    func testANameFromAnOuterContextIsNotKept() throws {
        let set = try TemplateSet(templates: ["main": "{{#items}}{{> card}}{{/items}}", "card": "{{name}} of {{site}};"])
        let object = TemplateObject(["name": "A"])
        XCTAssertEqual(try set.render("main", ["site": "X", "items": [.object(object)]]), "A of X;")
        XCTAssertEqual(try set.render("main", ["site": "Y", "items": [.object(object)]]), "A of Y;")
        XCTAssertNotNil(kept(object, set, "card"))
        XCTAssertNil(kept(object, set, "card")?.bytes)
    }

    func testANameFoundNowhereIsNotKept() throws {
        // The first render finds `maybe` nowhere; a later page may have it in an outer context.
        let set = try TemplateSet(templates: ["main": "{{#items}}{{> card}}{{/items}}", "card": "{{name}}[{{maybe}}]"])
        let object = TemplateObject(["name": "A"])
        XCTAssertEqual(try set.render("main", ["items": [.object(object)]]), "A[]")
        XCTAssertEqual(try set.render("main", ["maybe": "m", "items": [.object(object)]]), "A[m]")
        // Present with no value, the name stops the lookup at the object: kept.
        let complete = TemplateObject(["name": "B", "maybe": .null])
        XCTAssertEqual(try set.render("main", ["maybe": "m", "items": [.object(complete)]]), "B[]")
        XCTAssertEqual(try set.render("main", ["maybe": "n", "items": [.object(complete)]]), "B[]")
        XCTAssertEqual(kept(complete, set, "card")?.bytes, Array("B[]".utf8))
    }

    func testAnIndentedPartialIsRenderedEachTime() throws {
        let set = try TemplateSet(templates: ["main": "{{#a}}\n  {{> card}}\n{{/a}}\n{{#b}}\n    {{> card}}\n{{/b}}\n",
                                              "card": "<p>\n{{name}}\n</p>\n"])
        let object = TemplateObject(["name": "N"])
        XCTAssertEqual(try set.render("main", ["a": .object(object), "b": .object(object)]),
                       "  <p>\n  N\n  </p>\n    <p>\n    N\n    </p>\n")
        XCTAssertNil(kept(object, set, "card"))
    }

    func testAKeptOutputStillObeysTheNestingLimit() throws {
        var set = try TemplateSet(templates: ["main": "{{#o}}{{> a}}{{/o}}", "a": "{{> b}}", "b": "{{> c}}", "c": "{{name}}"])
        let object = TemplateObject(["name": "deep"])
        XCTAssertEqual(try set.render("main", ["o": .object(object)]), "deep")
        XCTAssertEqual(kept(object, set, "a")?.depth, 2)
        set.maxPartialDepth = 2
        XCTAssertThrowsError(try set.render("main", ["o": .object(object)]))
    }

    func testACopyInsideAKeptPartialCountsItsDepth() throws {
        // `b` is kept first (one partial below it); `a`, kept later around a copy of `b`, is
        // two deep, and a copy of it obeys the limit as rendering it would.
        var set = try TemplateSet(templates: ["first": "{{#o}}{{> b}}{{/o}}", "main": "{{#o}}{{> a}}{{/o}}",
                                              "a": "{{> b}}", "b": "{{> c}}", "c": "{{name}}"])
        let object = TemplateObject(["name": "deep"])
        XCTAssertEqual(try set.render("first", ["o": .object(object)]), "deep")
        XCTAssertEqual(try set.render("main", ["o": .object(object)]), "deep")
        XCTAssertEqual(kept(object, set, "a")?.depth, 2)
        set.maxPartialDepth = 2
        XCTAssertThrowsError(try set.render("main", ["o": .object(object)]))
    }

    func testEachTemplateSetKeepsItsOwnOutput() throws {
        let object = TemplateObject(["name": "N"])
        let one = try TemplateSet(templates: ["main": "{{#o}}{{> p}}{{/o}}", "p": "one {{name}}"])
        let two = try TemplateSet(templates: ["main": "{{#o}}{{> p}}{{/o}}", "p": "two {{name}}"])
        XCTAssertEqual(try one.render("main", ["o": .object(object)]), "one N")
        XCTAssertEqual(try two.render("main", ["o": .object(object)]), "two N")
        XCTAssertEqual(try one.render("main", ["o": .object(object)]), "one N")
    }

    func testAnObjectBehavesAsAMap() throws {
        let object = TemplateObject(["a": 1, "list": [2, 3]])
        let set = try TemplateSet(templates: ["main": "{{#o}}{{a}}{{#list}}{{.}}{{/list}}{{/o}}{{^o}}none{{/o}}[{{o}}][{{o.a}}][{{#o}}{{.a}}{{/o}}]"])
        XCTAssertEqual(try set.render("main", ["o": .object(object)]), "123[][1][1]")
        XCTAssertEqual(TemplateValue.object(object)["a"], 1)
        XCTAssertEqual(TemplateValue.object(object).mapValue, object.fields)
        XCTAssertFalse(TemplateValue.object(TemplateObject([:])).isFalsey)
        XCTAssertEqual(TemplateValue.object(object), .object(TemplateObject(object.fields)))
    }
}
