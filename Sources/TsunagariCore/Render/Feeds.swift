/// Atom and JSON Feed of symposium reports and windows by the date their facts were verified.
struct Feeds {
    static let paths = ["feed.xml", "feed.json"]

    let site: LinkedSite
    let urls: SiteURLs

    struct Item {
        var id: String
        var title: String
        var summary: String
        var url: String
        var date: SimpleDate
    }

    /// How many items a feed holds: the newest.
    static let count = 50

    func items() -> [Item] {
        func newer(_ a: Item, _ b: Item) -> Bool { (a.date, a.id) > (b.date, b.id) }
        // The newest kept in order while the windows are read: most are older than the last
        // kept and are never made into items (10,000 items with their URLs, sorted by a String
        // comparison among equal dates, were 1 % of a build's instructions).
        var newest = Array(site.symposia.map { s in
            Item(id: urls.absolute(SiteURLs.symposium(s.origin.slug)), title: s.title, summary: s.summary,
                 url: urls.absolute(SiteURLs.symposium(s.origin.slug)), date: s.date)
        }.sorted(by: newer).prefix(Feeds.count))
        for w in site.windows {
            guard let verified = w.verified?.value else { continue }
            if newest.count == Feeds.count, let last = newest.last, verified < last.date { continue }
            let url = urls.absolute(SiteURLs.window(w.origin.slug))
            let item = Item(id: url, title: w.name, summary: w.summary, url: url, date: verified)
            if newest.count == Feeds.count, let last = newest.last, !newer(item, last) { continue }
            newest.insert(item, at: newest.firstIndex { newer(item, $0) } ?? newest.count)
            if newest.count > Feeds.count { newest.removeLast() }
        }
        return newest
    }

    func files() -> [OutputFile] {
        let items = items()
        // The feed's own date is its newest entry's, so identical input gives an identical feed.
        let updated = items.first.map { "\($0.date)T00:00:00+09:00" } ?? "2000-01-01T00:00:00+09:00"
        var atom = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n"
        atom += "<title>\(XMLEscape.escape(site.config.title))</title>\n<id>\(XMLEscape.escape(urls.absolute("")))</id>\n"
        atom += "<link rel=\"self\" href=\"\(XMLEscape.escape(urls.absolute("feed.xml")))\"/>\n<link href=\"\(XMLEscape.escape(urls.absolute("")))\"/>\n"
        atom += "<updated>\(updated)</updated>\n<author><name>\(XMLEscape.escape(site.config.title))</name></author>\n"
        for item in items {
            atom += "<entry><title>\(XMLEscape.escape(item.title))</title><id>\(XMLEscape.escape(item.id))</id>"
            atom += "<link href=\"\(XMLEscape.escape(item.url))\"/><updated>\(item.date)T00:00:00+09:00</updated>"
            atom += "<summary>\(XMLEscape.escape(item.summary))</summary></entry>\n"
        }
        atom += "</feed>\n"
        var json = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\(JSONString.quote(site.config.title)),"
        json += "\"home_page_url\":\(JSONString.quote(urls.absolute(""))),\"feed_url\":\(JSONString.quote(urls.absolute("feed.json"))),\"language\":\"ja\",\"items\":["
        json += items.map { item in
            "{\"id\":\(JSONString.quote(item.id)),\"url\":\(JSONString.quote(item.url)),\"title\":\(JSONString.quote(item.title)),\"summary\":\(JSONString.quote(item.summary)),\"date_published\":\"\(item.date)T00:00:00+09:00\"}"
        }.joined(separator: ",")
        json += "]}\n"
        return [OutputFile(path: Feeds.paths[0], bytes: Array(atom.utf8)), OutputFile(path: Feeds.paths[1], bytes: Array(json.utf8))]
    }
}
