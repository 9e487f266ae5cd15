import TsunagariTemplates

/// Long window lists are split into pages: the first at the list's own URL, the others at
/// `page/2/`, `page/3/`, … A resident on a phone loads one page of cards, not the thousands a
/// national list holds, and every window stays reachable without script.
struct Pagination {
    static let perPage = 50

    let basePath: String   // "categories/kodoku/"
    let total: Int

    var pageCount: Int { max(1, (total + Pagination.perPage - 1) / Pagination.perPage) }

    /// The site path of page `number` (1-based).
    func path(_ number: Int) -> String { number == 1 ? basePath : basePath + "page/\(number)/" }

    /// The slice of the list on page `number`.
    func range(_ number: Int) -> Range<Int> {
        let start = (number - 1) * Pagination.perPage
        return start..<min(total, start + Pagination.perPage)
    }

    /// The navigation of page `number`, or null when the list fits on one page: previous and
    /// next, the first and last page and the two on either side of this one (a list of 2,000
    /// pages does not put 2,000 links on each).
    func context(_ number: Int, urls: SiteURLs) -> TemplateValue {
        guard pageCount > 1 else { return .null }
        let shown = Set([1, pageCount] + Array(max(1, number - 2)...min(pageCount, number + 2))).sorted()
        var pages: [TemplateValue] = []
        var previous = 0
        for n in shown {
            pages.append(.map(["number": .int(n), "url": .string(urls.path(path(n))), "current": .bool(n == number), "gap": .bool(n > previous + 1)]))
            previous = n
        }
        let r = range(number)
        return .map([
            "pages": .list(pages),
            "prev": number > 1 ? .string(urls.path(path(number - 1))) : .null,
            "next": number < pageCount ? .string(urls.path(path(number + 1))) : .null,
            "summary": .string("全\(total)件中 \(r.lowerBound + 1)〜\(r.upperBound)件目"),
        ])
    }
}
