import XCTest
@testable import TsunagariCore

/// Long window lists are split into pages of Pagination.perPage; every window stays
/// reachable from the list pages without script, and the navigation is windowed.
final class PaginationTests: XCTestCase {
    func testLongListsSplitIntoLinkedPages() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let extra = 2 * Pagination.perPage + 7
        for i in 0..<extra {
            try site.writeSampleWindow("many-\(i)", name: "たくさんの窓口\(i)", reading: "たくさんのまどぐち\(i)",
                                       summary: "一覧の分割を確かめるための窓口", regions: "[\"131083\"]")
        }
        try site.build()
        let first = try site.page("windows/index.html")
        let cards = { (html: String) in html.components(separatedBy: "class=\"card card-compact").count - 1 }
        XCTAssertEqual(cards(first), Pagination.perPage)
        XCTAssertTrue(first.contains("<nav class=\"pagination\" aria-label=\"ページ送り\">"))
        XCTAssertTrue(first.contains("href=\"/windows/page/2/\" rel=\"next\""))
        XCTAssertTrue(first.contains("aria-current=\"page\">1</a>"))
        let third = try site.page("windows/page/3/index.html")
        let windowCount = try FileManager.default.contentsOfDirectory(atPath: site.root.appendingPathComponent("content/windows").path).count
        XCTAssertEqual(cards(third), windowCount - 2 * Pagination.perPage)
        XCTAssertTrue(third.contains("rel=\"prev\""))
        XCTAssertFalse(third.contains("rel=\"next\""))
        XCTAssertTrue(third.contains("（3ページ目）"), "the title names the page")
        XCTAssertThrowsError(try site.page("windows/page/4/index.html"))
        XCTAssertThrowsError(try site.page("windows/page/1/index.html"), "page 1 is the list's own URL")
        // Every window is linked from exactly one page of the list.
        var linked = 0
        for n in 1...3 {
            let html = try site.page(n == 1 ? "windows/index.html" : "windows/page/\(n)/index.html")
            linked += html.components(separatedBy: "<h3 class=\"card-title\"><a href=\"/windows/").count - 1
        }
        XCTAssertEqual(linked, windowCount)
        // The category page and the municipality's region page are split the same way.
        XCTAssertNoThrow(try site.page("categories/kodoku/page/2/index.html"))
        XCTAssertNoThrow(try site.page("regions/131083/page/2/index.html"))
        XCTAssertTrue(try site.page("sitemap.xml").contains("/windows/page/3/</loc>"))
    }

    func testNavigationShowsTheEndsAndTheNeighboursOnly() {
        let pagination = Pagination(basePath: "windows/", total: 2000 * Pagination.perPage)
        XCTAssertEqual(pagination.pageCount, 2000)
        guard case .map(let nav) = pagination.context(1000, urls: SiteURLs(baseURL: "https://example.test/")),
              case .list(let pages)? = nav["pages"] else { return XCTFail("no navigation") }
        let numbers = pages.compactMap { page -> Int? in
            if case .map(let m) = page, case .int(let n)? = m["number"] { return n }
            return nil
        }
        XCTAssertEqual(numbers, [1, 998, 999, 1000, 1001, 1002, 2000])
        XCTAssertEqual(Pagination(basePath: "x/", total: Pagination.perPage).context(1, urls: SiteURLs(baseURL: "https://example.test/")), .null,
                       "one page needs no navigation")
    }
}
