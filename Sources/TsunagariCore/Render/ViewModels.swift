import Foundation
import TsunagariTemplates

/// Builds the view model of each page: plain values the logic-less templates read.
/// Nothing here writes markup; the theme decides that.
/// A class: the closures of its methods and of every page plan capture it, and a struct's copy
/// retained each of its arrays and the site's. (Unchecked: `cards` is set in `init`, before
/// anything can share the models, and never again.)
final class ViewModels: @unchecked Sendable {
    let site: LinkedSite
    let urls: SiteURLs
    /// Every window's card, made once: a window appears in many lists (terms, regions, related).
    /// A build makes them all up front; the preview server, which renders a few pages after
    /// each edit, makes each when first asked for.
    private(set) var cards: [TemplateValue] = []
    private let cardCache: CardCache?
    /// Each category's and life stage's link, by slug, made once: every window page lists some.
    private let categoryLink: [String: TemplateValue]
    private let lifeStageLink: [String: TemplateValue]
    private let categoryNames: TermNames
    private let lifeStageNames: TermNames

    init(site: LinkedSite, threads: Int = BuildThreads.count, lazyCards: Bool = false) {
        self.site = site
        let urls = SiteURLs(baseURL: site.config.baseURL)
        self.urls = urls
        // (The first term of a slug, as `site.category(_:)` finds it.)
        func links(_ terms: [Term], _ url: (String) -> String) -> [String: TemplateValue] {
            var links: [String: TemplateValue] = [:]
            for t in terms where links[t.slug] == nil { links[t.slug] = ViewModels.term(t, url: urls.path(url(t.slug)), count: nil) }
            return links
        }
        categoryLink = links(site.categories, SiteURLs.category)
        lifeStageLink = links(site.lifeStages, SiteURLs.lifeStage)
        categoryNames = TermNames(site.categories)
        lifeStageNames = TermNames(site.lifeStages)
        cardCache = lazyCards ? CardCache(count: site.windows.count) : nil
        guard !lazyCards else { return }
        let builder = self
        cards = parallelMap(Array(site.windows.indices), threads: threads) { builder.makeWindowCard($0) }
    }

    final class CardCache: @unchecked Sendable {
        private let lock = NSLock()
        private var cards: [TemplateValue?]
        init(count: Int) { cards = Array(repeating: nil, count: count) }
        func card(_ i: Int, _ make: (Int) -> TemplateValue) -> TemplateValue {
            if let card = lock.withLock({ cards[i] }) { return card }
            let card = make(i)
            lock.withLock { cards[i] = card }
            return card
        }
    }

    // MARK: - Small values

    /// Adds `has_<key>` for every list of a page's view model: Mustache iterates a list in a
    /// section, so templates test a flag to write a heading once. With `read` (the `has_`
    /// names the page's template can read), only those flags: the same output, without a name
    /// made and looked up for every key of every page.
    static func withFlags(_ value: TemplateValue, read: [String]? = nil) -> TemplateValue {
        guard case .map(var m) = value else { return value }
        if let read {
            for name in read where m[name] == nil {
                switch m[String(name.dropFirst(4))] {
                case .list(let items)?: m[name] = .bool(!items.isEmpty)
                case .null?: m[name] = .bool(false)
                default: continue
                }
            }
            return .map(m)
        }
        for (key, v) in m {
            let flag: Bool
            switch v {
            case .list(let items): flag = !items.isEmpty
            case .null: flag = false
            default: continue
            }
            let name = "has_" + key
            if m[name] == nil { m[name] = .bool(flag) }
        }
        return .map(m)
    }

    func text(_ s: String?) -> TemplateValue { Self.text(s) }
    static func text(_ s: String?) -> TemplateValue { s.map { .string($0) } ?? .null }
    func list(_ items: [TemplateValue]) -> TemplateValue { items.isEmpty ? .null : .list(items) }
    func link(_ label: String, _ relative: String) -> TemplateValue { .map(["label": .string(label), "url": .string(urls.path(relative))]) }

    func term(_ t: Term, url: String, count: Int? = nil) -> TemplateValue {
        ViewModels.term(t, url: urls.path(url), count: count)
    }

    /// A term's link, `path` already made from the site's URL prefix.
    static func term(_ t: Term, url path: String, count: Int?) -> TemplateValue {
        var m: TemplateMap = ["label": .string(t.label), "reading": .string(t.reading), "slug": .string(t.slug),
                                          "url": .string(path), "description": text(t.description)]
        if let count { m["count"] = .int(count) }
        return .map(m)
    }

    func regionLink(_ code: String) -> TemplateValue {
        guard let r = site.regions.byCode[code] else { return .null }
        return .map(["label": .string(r.label), "code": .string(code), "url": .string(urls.path(SiteURLs.region(code))),
                     "reading": .string(r.reading)])
    }

    func categoryLinks(_ slugs: [String]) -> TemplateValue { list(slugs.compactMap { categoryLink[$0] }) }

    func lifeStageLinks(_ slugs: [String]) -> TemplateValue { list(slugs.compactMap { lifeStageLink[$0] }) }

    func resolvedCategories(_ refs: [Located<String>]) -> [String] { refs.compactMap { categoryNames.named[$0.value]?.slug } }

    func resolvedLifeStages(_ refs: [Located<String>]) -> [String] { refs.compactMap { lifeStageNames.named[$0.value]?.slug } }

    func isOutsidePeriod(_ w: SupportWindow) -> Bool {
        guard let p = w.period else { return false }
        if let until = p.until, until < site.today { return true }
        if let from = p.from, site.today < from { return true }
        return false
    }

    func source(_ s: String?) -> TemplateValue {
        guard let s else { return .null }
        let isURL = URLRules.problem(with: s) == nil && s.hasPrefix("http")
        return .map(["text": .string(s), "url": isURL ? .string(s) : .null])
    }

    func phones(_ w: SupportWindow) -> [TemplateValue] {
        w.channels.compactMap { c in
            guard c.type == .phone, let number = c.number?.value, let tel = PhoneNumber.telURI(number) else { return nil }
            return .map(["number": .string(number), "tel": .string(tel), "label": text(c.label)])
        }
    }

    // MARK: - Windows

    /// The short form used in every list: name, summary, tel links, hours, badges. An object
    /// (see `TemplateObject`): a partial renders it once per build and copies it into every other
    /// list, so it carries every name the theme's card, row and name partials read.
    func windowCard(_ i: Int) -> TemplateValue { cardCache?.card(i, makeWindowCard) ?? cards[i] }

    /// Above this many windows cards are plain maps: the outputs a card keeps (about a
    /// kilobyte a window) would take the 100,000-window build past 1 GiB.
    static let keptCardsLimit = 30_000

    func makeWindowCard(_ i: Int) -> TemplateValue {
        let w = site.windows[i]
        let always = w.hours?.always == true || w.channels.contains { $0.hours?.always == true }
        let fields: TemplateMap = [
            "url": .string(urls.path(SiteURLs.window(w.origin.slug))),
            "name": .string(w.name),
            "summary": .string(w.summary),
            "crisis": .bool(w.crisis),
            "always": .bool(always),
            "sample": .bool(w.sample),
            "ended": .bool(isOutsidePeriod(w)),
            "period": text(Formatting.period(w.period)),
            "phones": list(phones(w)),
            "hours": text(Formatting.schedule(w.hours)),
            "schedule_json": text(Formatting.scheduleJSON(w.hours ?? w.channels.first(where: { $0.hours != nil })?.hours, period: w.period)),
        ]
        return site.windows.count <= Self.keptCardsLimit ? .object(TemplateObject(fields)) : .map(fields)
    }

    func windowPage(_ i: Int) -> TemplateValue {
        let w = site.windows[i]
        var m = windowCard(i).mapValue ?? [:]
        m.reserveCapacity(m.count + 32)  // one copy of the card's table, not a copy and two growths
        // What only the window's own page shows (cards are cached for every list; at 100,000
        // windows each field they carry costs memory for the whole build).
        m["reading"] = .string(w.reading)
        m["categories"] = categoryLinks(resolvedCategories(w.categories))
        m["regions"] = list(site.windowRegions[i].map(regionLink))
        m["channels"] = list(w.channels.map { c in
            .map([
                "type": .string(c.type.rawValue),
                "label": text(c.label),
                "number": text(c.number?.value),
                "tel": text(c.number.flatMap { PhoneNumber.telURI($0.value) }),
                "url": text(c.url),
                "handle": text(c.handle),
                "hours": text(Formatting.schedule(c.hours)),
                "note": text(c.note),
                "no_contact": .bool(c.number == nil && c.url == nil && c.handle == nil),
            ])
        })
        m["life_stages"] = lifeStageLinks(resolvedLifeStages(w.lifeStages))
        m["operator"] = text(w.operatorName)
        if let slug = w.member?.value, let j = site.memberIndex[slug] {
            m["operator_member"] = link(site.members[j].name, SiteURLs.member(slug))
        }
        m["holidays"] = text(w.hours?.holidays)
        m["cost"] = text(w.cost)
        m["languages"] = list(w.languages.map { .string(Self.languageName($0)) })
        m["anonymous"] = w.anonymous.map { .string($0 ? "匿名で相談できます" : "名前を伝える必要があります") } ?? .null
        m["eligibility"] = text(w.eligibility)
        m["source"] = source(w.source)
        m["body"] = w.body.html.isEmpty ? .null : .string(w.body.html)
        if let verified = w.verified?.value {
            m["verified"] = .map(["date": .string(verified.description), "japanese": .string(verified.japanese)])
            let age = verified.months(until: site.today)
            if age > site.config.staleAfterMonths {
                m["stale"] = .map(["months": .int(age)])
            }
        } else {
            m["unverified"] = .bool(true)
        }
        m["related"] = list(site.relatedWindows[i].map(windowCard))
        m["has_related"] = .bool(!site.relatedWindows[i].isEmpty)
        return .map(m)
    }

    static func languageName(_ code: String) -> String {
        let names = ["ja": "日本語", "en": "英語", "zh": "中国語", "ko": "韓国語", "pt": "ポルトガル語", "es": "スペイン語",
                     "vi": "ベトナム語", "tl": "タガログ語", "th": "タイ語", "ne": "ネパール語", "id": "インドネシア語"]
        return names[code] ?? code
    }

    // MARK: - Members, cases, symposia, pages

    func memberCard(_ i: Int) -> TemplateValue {
        let m = site.members[i]
        return .map(["url": .string(urls.path(SiteURLs.member(m.origin.slug))), "name": .string(m.name), "reading": .string(m.reading),
                     "summary": .string(m.summary), "membership": text(m.membership), "kind": text(m.kind), "sample": .bool(m.sample)])
    }

    func memberPage(_ i: Int) -> TemplateValue {
        let m = site.members[i]
        guard case .map(var v) = memberCard(i) else { return .null }
        v["roles"] = list(m.roles.map { .string($0) })
        v["website"] = text(m.url)
        v["categories"] = categoryLinks(resolvedCategories(m.categories))
        v["regions"] = list(site.memberRegions[i].map(regionLink))
        v["source"] = source(m.source)
        v["body"] = m.body.html.isEmpty ? .null : .string(m.body.html)
        v["windows"] = list((site.windowsOfMember[m.origin.slug] ?? []).map(windowCard))
        v["symposia"] = list((site.symposiaOfMember[m.origin.slug] ?? []).map { j in
            let s = site.symposia[j]
            let speakers = s.allSpeakers.filter { $0.member?.value == m.origin.slug }.map { sp -> TemplateValue in
                .map(["name": .string(sp.name), "title": text(sp.title)])
            }
            return .map(["title": .string(s.title), "url": .string(urls.path(SiteURLs.symposium(s.origin.slug))),
                         "date": .string(s.date.japanese), "speakers": list(speakers)])
        })
        v["pages"] = list((site.pagesOfMember[m.origin.slug] ?? []).map { j in
            link(site.pages[j].title, SiteURLs.page(site.pages[j].origin.slug))
        })
        return .map(v)
    }

    func caseCard(_ i: Int) -> TemplateValue {
        let c = site.cases[i]
        return .map(["url": .string(urls.path(SiteURLs.caseStudy(c.origin.slug))), "title": .string(c.title), "summary": .string(c.summary),
                     "region": site.caseRegion[i].map(regionLink) ?? .null, "area": text(c.area), "column": .bool(c.column),
                     "size": text(c.size), "sample": .bool(c.sample),
                     "points": list(c.points.compactMap { p in site.point(p.value).map { term($0, url: SiteURLs.point($0.slug)) } })])
    }

    func casePage(_ i: Int) -> TemplateValue {
        let c = site.cases[i]
        guard case .map(var v) = caseCard(i) else { return .null }
        v["report"] = c.report.map { r in .map(["title": text(r.title), "page": text(r.page)]) } ?? .null
        v["source"] = source(c.source)
        v["body"] = c.body.html.isEmpty ? .null : .string(c.body.html)
        v["related"] = list(site.relatedCases[i].map(caseCard))
        v["has_related"] = .bool(!site.relatedCases[i].isEmpty)
        return .map(v)
    }

    func speaker(_ s: Speaker) -> TemplateValue {
        var v: TemplateMap = ["name": .string(s.name), "title": text(s.title), "organization": text(s.organization)]
        if let slug = s.member?.value, let j = site.memberIndex[slug] {
            v["member"] = link(site.members[j].name, SiteURLs.member(slug))
        }
        return .map(v)
    }

    func symposiumCard(_ i: Int) -> TemplateValue {
        let s = site.symposia[i]
        return .map(["url": .string(urls.path(SiteURLs.symposium(s.origin.slug))), "title": .string(s.title),
                     "date": .string(s.date.japanese), "datetime": .string(s.date.description), "summary": .string(s.summary),
                     "format": text(s.format), "sample": .bool(s.sample)])
    }

    func symposiumPage(_ i: Int) -> TemplateValue {
        let s = site.symposia[i]
        guard case .map(var v) = symposiumCard(i) else { return .null }
        v["registrations"] = s.registrations.map { .string(Formatting.number($0)) } ?? .null
        v["views"] = s.views.map { .string(Formatting.number($0)) } ?? .null
        v["parts"] = list(s.parts.map { p in
            .map(["title": .string(p.title), "items": list(p.items.map { item in
                .map(["title": text(item.title), "summary": text(item.summary), "speakers": list(item.speakers.map(speaker))])
            })])
        })
        if let panel = s.panel {
            v["panel"] = .map(["title": .string(panel.title ?? "パネルディスカッション"),
                               "speakers": list(panel.speakers.map(speaker)),
                               "themes": list(panel.themes.map { .map(["title": .string($0.title), "summary": text($0.summary)]) })])
        }
        v["source"] = source(s.source)
        v["body"] = s.body.html.isEmpty ? .null : .string(s.body.html)
        return .map(v)
    }

    func pagePage(_ i: Int) -> TemplateValue {
        let p = site.pages[i]
        return .map(["title": .string(p.title), "summary": text(p.summary), "source": source(p.source),
                     "body": .string(p.body.html),
                     "members": list(p.members.compactMap { ref in site.memberIndex[ref.value].map(memberCard) }),
                     "has_members": .bool(!p.members.isEmpty)])
    }
}
