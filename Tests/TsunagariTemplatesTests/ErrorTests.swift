import XCTest
import TsunagariTemplates

/// Compile and render errors: template name, 1-based line and column of the offending tag, message.
final class ErrorTests: XCTestCase {
    func compileError(_ templates: [String: String], file: StaticString = #filePath, line: UInt = #line) -> TemplateError? {
        do {
            _ = try TemplateSet(templates: templates)
            XCTFail("expected a TemplateError", file: file, line: line)
            return nil
        } catch let error as TemplateError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testUnclosedSection() {
        let error = compileError(["page": "<h1>{{title}}</h1>\n  {{#posts}}\n<li>{{name}}</li>\n"])
        XCTAssertEqual(error, TemplateError(template: "page", line: 2, column: 3, message: "unclosed section 'posts'"))
        XCTAssertEqual(error?.description, "page:2:3: unclosed section 'posts'")
    }

    func testUnclosedInnerSectionIsTheOneReported() {
        let error = compileError(["page": "{{#a}}\n{{^b}}\n{{/a}}"])
        XCTAssertEqual(error, TemplateError(template: "page", line: 3, column: 1,
                                            message: "closing tag 'a' does not match open section 'b' (opened at line 2, column 1)"))
        XCTAssertEqual(compileError(["page": "{{#a}}{{#b}}{{/b}}"]),
                       TemplateError(template: "page", line: 1, column: 1, message: "unclosed section 'a'"))
    }

    func testMismatchedCloseTag() {
        let error = compileError(["list": "{{#posts}}\n  {{#tags}}x{{/posts}}\n{{/tags}}\n"])
        XCTAssertEqual(error, TemplateError(template: "list", line: 2, column: 13,
                                            message: "closing tag 'posts' does not match open section 'tags' (opened at line 2, column 3)"))
    }

    func testCloseTagWithoutSection() {
        XCTAssertEqual(compileError(["t": "a\nb{{/x}}"]),
                       TemplateError(template: "t", line: 2, column: 2, message: "closing tag 'x' has no open section"))
    }

    func testColumnsCountCharactersNotBytes() {
        XCTAssertEqual(compileError(["t": "日本語🎉{{#x}}"]),
                       TemplateError(template: "t", line: 1, column: 5, message: "unclosed section 'x'"))
    }

    func testUnknownPartial() {
        let templates = [
            "page": "{{> partials/header}}\n<main></main>\n",
            "partials/header": "<header>\n  <nav>\n    {{> partials/nav}}\n  </nav>\n</header>\n",
        ]
        XCTAssertEqual(compileError(templates),
                       TemplateError(template: "partials/header", line: 3, column: 5, message: "unknown partial 'partials/nav'"))
        // With allowMissingPartials the tag renders nothing, as the specification says.
        let lenient = try? TemplateSet(templates: templates, allowMissingPartials: true)
        XCTAssertEqual(try lenient?.render("page", [:]), "<header>\n  <nav>\n  </nav>\n</header>\n<main></main>\n")
    }

    func testUnknownTemplateName() throws {
        let set = try TemplateSet(templates: ["page": "x"])
        XCTAssertThrowsError(try set.render("pages", [:])) { error in
            XCTAssertEqual(error as? TemplateError,
                           TemplateError(template: "pages", line: 0, column: 0, message: "unknown template 'pages'"))
            XCTAssertEqual((error as? TemplateError)?.description, "pages: unknown template 'pages'")
        }
        var buffer: [UInt8] = []
        XCTAssertThrowsError(try set.render("", [:], into: &buffer))
    }

    func testBadDelimiterTags() {
        XCTAssertEqual(compileError(["t": "a\n{{=<% %>}}"])?.message, "invalid set-delimiter tag: no '=}}' closes it")
        XCTAssertEqual(compileError(["t": "a\n{{=<% %>}}"])?.line, 2)
        for bad in ["{{=<% % %>=}}", "{{=<%=}}", "{{= =}}", "{{=a= b=}}"] {
            let error = compileError(["t": "x " + bad])
            XCTAssertEqual(error?.line, 1, bad)
            XCTAssertEqual(error?.column, 3, bad)
            XCTAssertTrue(error?.message.hasPrefix("invalid set-delimiter tag") ?? false, bad)
        }
    }

    func testUnclosedTagAndEmptyTag() {
        XCTAssertEqual(compileError(["t": "Hello {{name\n"]),
                       TemplateError(template: "t", line: 1, column: 7, message: "unclosed tag: no '}}' after '{{'"))
        XCTAssertEqual(compileError(["t": "{{{name}}"])?.message, "unclosed tag: no '}}}' after '{{'")
        XCTAssertEqual(compileError(["t": "a{{ }}"]), TemplateError(template: "t", line: 1, column: 2, message: "empty tag"))
        XCTAssertEqual(compileError(["t": "{{=<% %>=}}\n<%name"])?.message, "unclosed tag: no '%>' after '<%'")
    }

    func testInheritanceIsRejected() {
        XCTAssertEqual(compileError(["t": "{{<parent}}{{/parent}}"])?.message,
                       "template inheritance ({{<parent}} / {{$block}}) is not supported")
        XCTAssertEqual(compileError(["t": "{{$block}}x{{/block}}"])?.column, 1)
    }

    func testErrorsNameTheTemplate() {
        let error = compileError(["a": "fine", "b/c": "ok\n\n   {{#x}}"])
        XCTAssertEqual(error, TemplateError(template: "b/c", line: 3, column: 4, message: "unclosed section 'x'"))
    }

    func testRecursivePartialStopsAtDepthLimit() throws {
        var set = try TemplateSet(templates: ["page": "{{> loop}}", "loop": "x\n {{> loop}}"])
        XCTAssertEqual(set.maxPartialDepth, 100)
        XCTAssertThrowsError(try set.render("page", [:])) { error in
            XCTAssertEqual(error as? TemplateError, TemplateError(
                template: "loop", line: 2, column: 2,
                message: "partial 'loop' nested more than 100 deep (a partial that includes itself without end?)"))
        }
        // Data-bounded recursion within the limit renders.
        set = try TemplateSet(templates: ["tree": "{{name}}{{#kids}}({{> tree}}){{/kids}}"])
        set.maxPartialDepth = 3
        let depth3: TemplateValue = ["name": "a", "kids": [["name": "b", "kids": [["name": "c", "kids": [["name": "d", "kids": []]]]]]]]
        XCTAssertEqual(try set.render("tree", depth3), "a(b(c(d)))")
        let depth4: TemplateValue = ["name": "z", "kids": [depth3]]
        XCTAssertThrowsError(try set.render("tree", depth4))
    }
}
