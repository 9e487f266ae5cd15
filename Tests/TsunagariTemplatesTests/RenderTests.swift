import Foundation
import XCTest
import TsunagariTemplates

/// Behaviour of TemplateSet beyond the specification's own tests.
final class RenderTests: XCTestCase {
    func render(_ template: String, _ context: TemplateValue, partials: [String: String] = [:],
                file: StaticString = #filePath, line: UInt = #line) -> String {
        var templates = partials
        templates["main"] = template
        do {
            return try TemplateSet(templates: templates).render("main", context)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ""
        }
    }

    func testInterpolationOfEachKind() {
        let context: TemplateValue = [
            "i": 42, "neg": -7, "zero": 0, "d": 1.21, "whole": 3.0, "tiny": 1e-05, "t": true, "f": false,
            "null": nil, "list": [1, 2], "map": ["a": 1], "s": "<a href='x'>&\"</a>",
        ]
        XCTAssertEqual(render("{{i}} {{neg}} {{zero}} {{d}} {{whole}} {{tiny}} {{t}} {{f}}", context),
                       "42 -7 0 1.21 3.0 1e-05 true false")
        XCTAssertEqual(render("[{{null}}][{{missing}}][{{list}}][{{map}}]", context), "[][][][]")
        XCTAssertEqual(render("{{s}}", context), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        XCTAssertEqual(render("{{{s}}}|{{& s}}", context), "<a href='x'>&\"</a>|<a href='x'>&\"</a>")
        XCTAssertEqual(render("{{i}}", .int(Int.min)), "")
        XCTAssertEqual(render("{{.}}", .int(Int.min)), "-9223372036854775808")
    }

    func testTruthiness() {
        let context: TemplateValue = [
            "empty": "", "text": "x", "zero": 0, "zeroD": 0.0, "t": true, "f": false, "null": nil,
            "none": [], "some": [1], "emptyMap": [:],
        ]
        let template = "{{#empty}}A{{/empty}}{{#text}}B{{/text}}{{#zero}}C{{/zero}}{{#zeroD}}D{{/zeroD}}{{#t}}E{{/t}}"
            + "{{#f}}F{{/f}}{{#null}}G{{/null}}{{#none}}H{{/none}}{{#some}}I{{/some}}{{#emptyMap}}J{{/emptyMap}}"
            + "{{#missing}}K{{/missing}}"
        XCTAssertEqual(render(template, context), "BCDEIJ")
        let inverted = template.replacingOccurrences(of: "{{#", with: "{{^")
        XCTAssertEqual(render(inverted, context), "AFGHK")
        XCTAssertTrue(TemplateValue.string("").isFalsey)
        XCTAssertFalse(TemplateValue.map([:]).isFalsey)
    }

    func testSectionsPushValues() {
        XCTAssertEqual(render("{{#n}}[{{.}}]{{/n}}{{#s}}[{{.}}]{{/s}}{{#t}}[{{name}}]{{/t}}",
                              ["n": 5, "s": "str", "t": true, "name": "outer"]),
                       "[5][str][outer]")
        XCTAssertEqual(render("{{#list}}{{#.}}({{.}}){{/.}}{{/list}}", ["list": [[1, 2], ["a"]]]), "(1)(2)(a)")
        XCTAssertEqual(render("{{#people}}{{name}} of {{team}}; {{/people}}",
                              ["team": "Blue", "people": [["name": "A"], ["name": "B", "team": "Red"]]]),
                       "A of Blue; B of Red; ")
    }

    func testDottedAndAnchoredNames() {
        let context: TemplateValue = ["a": ["b": ["c": "deep"]], "title": "root", "item": ["x": 1]]
        XCTAssertEqual(render("{{a.b.c}}|{{a.b.missing}}|{{a.missing.c}}|{{#a.b}}{{c}}{{/a.b}}", context), "deep|||deep")
        // `.name` looks only at the top of the stack (a swift-mustache extension).
        XCTAssertEqual(render("{{#item}}[{{title}}][{{.title}}][{{.x}}]{{/item}}", context), "[root][][1]")
        // A key that exists with a null value stops the lookup.
        XCTAssertEqual(render("{{#inner}}[{{title}}]{{/inner}}", ["title": "outer", "inner": ["title": nil]]), "[]")
    }

    func testPartialIndentationNests() {
        let partials = [
            "outer": "<div>\n  {{> inner}}\n</div>\n",
            "inner": "{{#items}}\n<p>{{.}}</p>\n{{/items}}\n",
        ]
        XCTAssertEqual(render("<body>\n  {{> outer}}\n</body>\n", ["items": ["a", "b"]], partials: partials),
                       "<body>\n  <div>\n    <p>a</p>\n    <p>b</p>\n  </div>\n</body>\n")
        // An inline partial tag is not indented.
        XCTAssertEqual(render("x {{> inner}}|", ["items": ["a", "b"]], partials: partials), "x <p>a</p>\n<p>b</p>\n|")
        // Multi-line values are not re-indented; the template's own lines are.
        XCTAssertEqual(render("  {{> p}}\n", ["v": "1\n2"], partials: ["p": "[{{v}}]\nend\n"]), "  [1\n2]\n  end\n")
    }

    /// The names a template reads through its partials (each part of a dotted name, section
    /// names included); unknown with a dynamic partial anywhere below it.
    func testNamesReadFollowPartialsAndGiveUpOnDynamicOnes() throws {
        let set = try TemplateSet(templates: [
            "a": "{{x}}{{#s}}{{y.z}}{{.}}{{/s}}{{^not}}{{/not}}{{> p}}", "p": "{{{q}}}{{> a}}",
            "d": "{{>*dyn}}", "e": "{{w}}{{> d}}",
        ])
        XCTAssertEqual(set.namesRead(by: "a"), ["x", "s", "y", "z", "not", "q"])
        XCTAssertEqual(set.namesRead(by: "p"), ["x", "s", "y", "z", "not", "q"])
        XCTAssertNil(set.namesRead(by: "d"))
        XCTAssertNil(set.namesRead(by: "e"))
        XCTAssertNil(set.namesRead(by: "missing"))
    }

    func testDynamicPartials() {
        let partials = ["card": "<card>{{title}}</card>", "row": "<row>{{title}}</row>"]
        XCTAssertEqual(render("{{#items}}{{>*kind}}{{/items}}",
                              ["items": [["kind": "card", "title": "A"], ["kind": "row", "title": "B"], ["kind": "nope", "title": "C"]]],
                              partials: partials),
                       "<card>A</card><row>B</row>")
    }

    func testSetDelimitersAndComments() {
        XCTAssertEqual(render("{{=<% %>=}}<% name %> {{name}} <%! c %><%={{ }}=%>{{name}}", ["name": "N"]), "N {{name}} N")
        XCTAssertEqual(render("a\n  {{! comment }}  \nb\n{{!\nmulti\n}}\nc", [:]), "a\nb\nc")
        XCTAssertEqual(render("{{=| |=}}|{name}|", ["name": "<b>"]), "<b>")
    }

    func testStandaloneLinesWithCRLF() {
        XCTAssertEqual(render("a\r\n{{#x}}\r\nb\r\n{{/x}}\r\nc", ["x": true]), "a\r\nb\r\nc")
    }

    func testRenderIntoBufferAppends() throws {
        let set = try TemplateSet(templates: ["t": "<p>{{x}}</p>"])
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        try set.render("t", ["x": "1 & 2"], into: &buffer)
        try set.render("t", ["x": "日本"], into: &buffer)
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "<p>1 &amp; 2</p><p>日本</p>")
    }

    /// The embedded template renders at the outer template's own `{{{content}}}` tags (also
    /// inside a section), on its own context; not at a partial's tag, nor at its own.
    func testEmbeddingRendersAtTheOuterTemplatesOwnTags() throws {
        let set = try TemplateSet(templates: [
            "outer": "<{{{content}}}>{{#list}}[{{{content}}}]{{/list}}{{> part}}{{content}}",
            "part": "({{{content}}})",
            "inner": "{{x}}|{{y}}|{{{content}}}",
        ])
        var buffer: [UInt8] = Array("pre:".utf8)
        try set.render("outer", ["list": [1, 2], "content": "C", "y": "outer-y"], into: &buffer,
                       embedding: "inner", as: "content", context: ["x": "a&b", "content": "own"])
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "pre:<a&amp;b||own>[a&amp;b||own][a&amp;b||own](C)C")
        XCTAssertThrowsError(try set.render("outer", [:], into: &buffer, embedding: "missing", as: "content", context: [:]))
    }

    /// Embedding is offered only where it gives the bytes of the two-step render.
    func testEmbeddingIsOfferedOnlyForTheOuterTemplatesOwnRawTags() throws {
        let partials = ["inner": "x", "uses": "{{#content}}y{{/content}}", "plain": "z"]
        func embeds(_ outer: String) throws -> Bool {
            var templates = partials
            templates["outer"] = outer
            return try TemplateSet(templates: templates).embeds("content", in: "outer")
        }
        XCTAssertTrue(try embeds("<{{{content}}}>{{> plain}}{{{content}}}"))
        XCTAssertFalse(try embeds("no tag"), "the embedded template would not run")
        XCTAssertFalse(try embeds("{{#list}}{{{content}}}{{/list}}"), "inside a section it may name a member")
        XCTAssertFalse(try embeds("{{{content}}}{{content}}"))
        XCTAssertFalse(try embeds("{{{content}}}{{^content}}none{{/content}}"))
        XCTAssertFalse(try embeds("{{{content}}}{{> uses}}"), "a partial names it")
        XCTAssertFalse(try embeds("{{{.content}}}"))
        XCTAssertFalse(try embeds("{{{content.html}}}"))
        XCTAssertFalse(try embeds("{{{content}}}{{>*dynamic}}"))
        XCTAssertFalse(try TemplateSet(templates: partials).embeds("content", in: "missing"))
    }

    func testHTMLEscape() {
        XCTAssertEqual(HTMLEscape.escape("<script>alert(\"x\" & 'y')</script>"),
                       "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        XCTAssertEqual(HTMLEscape.escape("日本語 🎉 plain"), "日本語 🎉 plain")
        XCTAssertEqual(HTMLEscape.escape(""), "")
        var buffer = Array("x".utf8)
        HTMLEscape.append("a<b", to: &buffer)
        XCTAssertEqual(buffer, Array("xa&lt;b".utf8))
        let long = String(repeating: "ab<&>\"'日", count: 1000)
        XCTAssertEqual(HTMLEscape.escape(long), String(repeating: "ab&lt;&amp;&gt;&quot;&#39;日", count: 1000))
    }

    func testLiteralsAndAccessors() {
        let v: TemplateValue = ["s": "x", "i": 1, "d": 2.5, "b": true, "n": nil, "l": [1, "two"], "m": ["k": "v"]]
        XCTAssertEqual(v["s"], .string("x"))
        XCTAssertEqual(v["l"], .list([.int(1), .string("two")]))
        XCTAssertEqual(v["m"]?["k"]?.stringValue, "v")
        XCTAssertEqual(v["missing"], nil)
        var w = v
        w["s"] = "y"
        XCTAssertEqual(w["s"], "y")
        XCTAssertEqual(v["s"], "x")
        let interpolated: TemplateValue = "n=\(3)"
        XCTAssertEqual(interpolated, .string("n=3"))
    }

    func testNamesAndDirectoryLoading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-templates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("partials/deep"), withIntermediateDirectories: true)
        try "{{> partials/header}}<main>{{title}}</main>\n".write(to: dir.appendingPathComponent("page.mustache"), atomically: true, encoding: .utf8)
        try "<h1>{{site}}</h1>".write(to: dir.appendingPathComponent("partials/header.mustache"), atomically: true, encoding: .utf8)
        try "{{x}}".write(to: dir.appendingPathComponent("partials/deep/x.mustache"), atomically: true, encoding: .utf8)
        try "ignored".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try "{{y}}".write(to: dir.appendingPathComponent("other.html"), atomically: true, encoding: .utf8)

        let set = try TemplateSet(directory: dir.path)
        XCTAssertEqual(set.names, ["page", "partials/deep/x", "partials/header"])
        XCTAssertTrue(set.contains("page"))
        XCTAssertEqual(try set.render("page", ["site": "S&S", "title": "T"]), "<h1>S&amp;S</h1><main>T</main>\n")

        let html = try TemplateSet(directory: dir.path + "/", fileExtension: "html")
        XCTAssertEqual(html.names, ["other"])

        XCTAssertThrowsError(try TemplateSet(directory: dir.appendingPathComponent("nope").path)) { error in
            XCTAssertEqual((error as? TemplateError)?.message, "no such directory")
        }
    }

    func testConcurrentRendering() throws {
        let set = try TemplateSet(templates: PageFixtures.templates)
        let context = PageFixtures.listPage(posts: 20)
        let expected = try set.render("list", context)
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 8)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            results[i] = (try? set.render("list", context)) == expected
        }
        XCTAssertTrue(results.allSatisfy { $0 })
    }
}
