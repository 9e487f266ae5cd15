import XCTest
@testable import TsunagariTemplates

/// Rendering into an empty buffer writes into the storage of a new array, and copies out of it
/// when the output outgrows it; into a buffer that holds bytes, it appends. Every way gives
/// the bytes a render to a string gives.
final class RenderIntoBufferTests: XCTestCase {
    private let templates = ["page": "{{#rows}}<p>{{text}}</p>\n{{/rows}}", "layout": "<main>{{{content}}}</main>{{title}}"]

    /// The row counts alternate outputs within the size reserved (the first 4,096 bytes, or the
    /// last output's size) and outputs that outgrow it.
    private let rowCounts = [0, 1, 10, 2_000, 30, 5_000, 5_000]

    private func context(_ rows: Int) -> TemplateValue {
        ["title": "t & u", "rows": .list((0..<rows).map { ["text": .string("row \($0) & more")] })]
    }

    func testAnEmptyBufferGetsTheBytesOfAStringWhetherTheOutputFitsOrOutgrowsItsStorage() throws {
        let set = try TemplateSet(templates: templates)
        for rows in rowCounts {
            var empty: [UInt8] = []
            try set.render("page", context(rows), into: &empty)
            let expected = Array(try set.render("page", context(rows)).utf8)
            XCTAssertEqual(empty, expected, "\(rows) rows")
            var prefixed = Array("x".utf8)
            try set.render("page", context(rows), into: &prefixed)
            XCTAssertEqual(prefixed, Array("x".utf8) + expected, "\(rows) rows after a byte")
        }
    }

    func testAnEmbeddingRenderIntoAnEmptyBufferGetsTheBytesOfAStringWhetherTheOutputFitsOrNot() throws {
        let set = try TemplateSet(templates: templates)
        for rows in rowCounts {
            var empty: [UInt8] = []
            try set.render("layout", context(rows), into: &empty, embedding: "page", as: "content", context: context(rows))
            var layout = context(rows)
            layout["content"] = .string(try set.render("page", context(rows)))
            XCTAssertEqual(empty, Array(try set.render("layout", layout).utf8), "\(rows) rows")
        }
    }
}
