import XCTest
@testable import TsunagariCore

/// The crisis block: the home page lists the national crisis lines (up to 12), every other page
/// three that are always open, and the way to all of them.
final class CrisisBlockTests: XCTestCase {
    func crisisLine(_ slug: String, always: Bool, period: Bool = false) -> String {
        """
        ---
        name: 危機の窓口\(slug)
        reading: ききのまどぐち\(slug)
        summary: 命に関わる相談
        categories: [kodoku]
        life_stages: [dare-demo]
        regions: [national]
        crisis: true
        channels:
          - type: 電話
            number: 0120-000-00\(slug.count)
        hours: \(always ? "{ always: true }" : "{ weekly: [{ days: [月], open: \"10:00\", close: \"12:00\" }] }")
        \(period ? "period: { from: 2025-05-01, until: 2025-05-07 }" : "")
        sample: true
        ---

        """
    }

    /// The crisis block of a page: the slugs of its lines, in order.
    func lines(_ html: String) throws -> [String] {
        let start = try XCTUnwrap(html.range(of: "<aside class=\"crisis\""))
        let end = try XCTUnwrap(html.range(of: "</aside>", range: start.upperBound..<html.endIndex))
        let block = String(html[start.lowerBound..<end.lowerBound])
        return block.components(separatedBy: "<a class=\"crisis-name\" href=\"/windows/").dropFirst().map { String($0.prefix { $0 != "/" }) }
    }

    func testOtherPagesShowThreeAlwaysOpenLinesAndHomeShowsAll() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.write("content/windows/a-day.md", crisisLine("a-day", always: false))
        try site.write("content/windows/b-day.md", crisisLine("b-day", always: false))
        try site.write("content/windows/c-always.md", crisisLine("c-always", always: true))
        try site.write("content/windows/d-period.md", crisisLine("d-period", always: true, period: true))
        try site.write("content/windows/e-always.md", crisisLine("e-always", always: true))
        try site.build()
        let home = try lines(site.page("index.html"))
        XCTAssertEqual(Set(home), ["national-line", "a-day", "b-day", "c-always", "d-period", "e-always"])
        for path in ["windows/koto-line/index.html", "regions/13/index.html", "categories/index.html"] {
            let page = try site.page(path)
            let brief = try lines(page)
            XCTAssertEqual(brief.count, 3, path)
            XCTAssertFalse(brief.contains("d-period"), "\(path): a line limited to a period may be hidden; it is not one of the three")
            XCTAssertEqual(Set(brief), ["national-line", "c-always", "e-always"], "\(path): 24-hour lines first")
            XCTAssertTrue(page.contains("<a href=\"/crisis/\">命に関わる相談の窓口をすべて見る</a>"), path)
        }
    }
}
