/// What the search index knows of each entry: the text of its fields, the groups it belongs
/// to (for filters, the finder and synonyms) and the little the result list shows. A class, as
/// `SupportWindow` is: the indexer's passes over the documents copied each one's fields.
public final class SearchDocument: Sendable {
    public enum Kind: Int, Sendable, CaseIterable {
        case window = 0, member, caseStudy, symposium, page

        /// The URL folder of the kind, below the site's base.
        public var folder: String {
            switch self {
            case .window: return "windows/"
            case .member: return "members/"
            case .caseStudy: return "cases/"
            case .symposium: return "symposia/"
            case .page: return "pages/"
            }
        }
    }

    public struct Flags: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let crisis = Flags(rawValue: 1)
        public static let always = Flags(rawValue: 2)
        public static let sample = Flags(rawValue: 4)
        public static let ended = Flags(rawValue: 8)
    }

    public let kind: Kind
    public let slug: String
    public let title: String
    public let summary: String
    /// Searchable text by field: name (title and reading), summary, body.
    public let name: String
    public let about: String
    /// The body field in parts (the body's plain text shares the entry's storage: joining
    /// them would copy every body of the site while the index is built).
    public let bodyParts: [String]
    public var body: String { bodyParts.joined(separator: " ") }
    /// Indices into the site's categories and life stages, and region codes served.
    public let categories: [Int]
    public let stages: [Int]
    public let regions: [String]
    public let channels: [ChannelType]
    public let flags: Flags
    public let free: Bool
    public let anonymous: Bool
    public let phone: (number: String, tel: String)?

    public init(kind: Kind,
                slug: String,
                title: String,
                summary: String,
                name: String,
                about: String,
                bodyParts: [String],
                categories: [Int],
                stages: [Int],
                regions: [String],
                channels: [ChannelType],
                flags: Flags,
                free: Bool,
                anonymous: Bool,
                phone: (number: String, tel: String)?) {
        self.kind = kind
        self.slug = slug
        self.title = title
        self.summary = summary
        self.name = name
        self.about = about
        self.bodyParts = bodyParts
        self.categories = categories
        self.stages = stages
        self.regions = regions
        self.channels = channels
        self.flags = flags
        self.free = free
        self.anonymous = anonymous
        self.phone = phone
    }
}

/// A set of documents a filter, the finder or a synonym can name: a category, a life stage,
/// a region served, or an attribute (a way to reach out, crisis, 24 hours, free, anonymous).
public struct SearchGroup: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case category = "c", stage = "s", region = "r", attribute = "a" }
    public let kind: Kind
    public var key: String
    /// Words that name the group (label, reading, synonyms): a query with one of them finds
    /// every document of the group, weighted as the categories field.
    public var words: [String]
    public var docs: [Int]
}

/// The attribute groups, in the order the manifest lists them.
enum SearchAttribute {
    static let crisis = "crisis"
    static let always = "24h"
    static let free = "free"
    static let anonymous = "anon"

    static var keys: [String] { ChannelType.allCases.map(\.rawValue) + [crisis, always, free, anonymous] }

    static func words(_ key: String) -> [String] {
        switch key {
        case crisis: return []
        case always: return ["24時間"]
        case free: return ["無料"]
        case anonymous: return ["匿名"]
        case ChannelType.chat.rawValue: return ["チャット", "ちゃっと"]
        case ChannelType.sns.rawValue: return ["SNS", "LINE"]
        case ChannelType.visit.rawValue: return ["対面", "来所", "面談"]
        default: return [key]
        }
    }
}

extension SearchDocument {
    /// Every entry of the site, in document-id order: windows first (crisis first, then by
    /// category, region and reading, so that neighbours in the id space are alike), then
    /// member groups, case studies, symposium reports and pages. At equal relevance the
    /// lower id ranks first.
    static func documents(of site: LinkedSite) -> [SearchDocument] {
        let categoryIndex = Dictionary(uniqueKeysWithValues: site.categories.enumerated().map { ($1.slug, $0) })
        let stageIndex = Dictionary(uniqueKeysWithValues: site.lifeStages.enumerated().map { ($1.slug, $0) })
        let regionOrder = Dictionary(uniqueKeysWithValues: site.regions.ordered.enumerated().map { ($1, $0) })

        func categories(_ refs: [Located<String>]) -> [Int] {
            var out: [Int] = []
            for r in refs {
                let i = categoryIndex[r.value] ?? site.categories.firstIndex { $0.label == r.value }
                if let i, !out.contains(i) { out.append(i) }
            }
            return out
        }
        func stages(_ refs: [Located<String>]) -> [Int] {
            var out: [Int] = []
            for r in refs {
                let i = stageIndex[r.value] ?? site.lifeStages.firstIndex { $0.label == r.value }
                if let i, !out.contains(i) { out.append(i) }
            }
            return out
        }

        var windows: [(key: (Int, Int, Int, Int), doc: SearchDocument)] = []
        for (i, w) in site.windows.enumerated() {
            var flags: Flags = []
            if w.crisis { flags.insert(.crisis) }
            if w.hours?.always == true || w.channels.contains(where: { $0.hours?.always == true }) { flags.insert(.always) }
            if w.sample { flags.insert(.sample) }
            if let p = w.period, (p.until.map { $0 < site.today } ?? false) || (p.from.map { site.today < $0 } ?? false) { flags.insert(.ended) }
            var channels: [ChannelType] = []
            for c in w.channels where !channels.contains(c.type) { channels.append(c.type) }
            let phone = w.channels.lazy.compactMap { c -> (String, String)? in
                guard c.type == .phone, let n = c.number?.value, let tel = PhoneNumber.telURI(n) else { return nil }
                return (n, String(tel.dropFirst(4)))
            }.first
            let cats = categories(w.categories)
            let regions = site.windowRegions[i]
            let doc = SearchDocument(
                kind: .window, slug: w.origin.slug, title: w.name, summary: w.summary,
                name: w.name + " " + w.reading,
                about: [w.summary, w.operatorName ?? "", w.cost ?? ""].joined(separator: " "),
                bodyParts: [w.body.plainText, w.eligibility ?? "", w.hours?.note ?? "", w.hours?.holidays ?? ""]
                    + w.channels.flatMap { [$0.label ?? "", $0.handle ?? "", $0.note ?? ""] },
                categories: cats, stages: stages(w.lifeStages), regions: regions, channels: channels, flags: flags,
                free: w.cost == "無料", anonymous: w.anonymous == true, phone: phone)
            let key = (w.crisis ? 0 : 1, cats.first ?? Int.max, regions.compactMap { regionOrder[$0] }.min() ?? Int.max, i)
            windows.append((key, doc))
        }
        windows.sort { $0.key < $1.key }
        var docs = windows.map(\.doc)

        for (i, m) in site.members.enumerated() {
            docs.append(SearchDocument(
                kind: .member, slug: m.origin.slug, title: m.name, summary: m.summary, name: m.name + " " + m.reading,
                about: [m.summary, m.kind ?? "", m.membership ?? "", m.roles.joined(separator: " ")].joined(separator: " "),
                bodyParts: [m.body.plainText], categories: categories(m.categories), stages: [], regions: site.memberRegions[i],
                channels: [], flags: m.sample ? .sample : [], free: false, anonymous: false, phone: nil))
        }
        for (i, c) in site.cases.enumerated() {
            docs.append(SearchDocument(
                kind: .caseStudy, slug: c.origin.slug, title: c.title, summary: c.summary, name: c.title,
                about: [c.summary, c.area ?? "", c.size ?? ""].joined(separator: " "), bodyParts: [c.body.plainText],
                categories: [], stages: [], regions: site.caseRegion[i].map { [$0] } ?? [],
                channels: [], flags: c.sample ? .sample : [], free: false, anonymous: false, phone: nil))
        }
        for s in site.symposia {
            var body = [s.body.plainText]
            for part in s.parts {
                body.append(part.title)
                for item in part.items { body += [item.title ?? "", item.summary ?? ""] }
            }
            for sp in s.allSpeakers { body += [sp.name, sp.title ?? "", sp.organization ?? ""] }
            for t in s.panel?.themes ?? [] { body += [t.title, t.summary ?? ""] }
            docs.append(SearchDocument(
                kind: .symposium, slug: s.origin.slug, title: s.title, summary: s.summary, name: s.title,
                about: [s.summary, s.format ?? ""].joined(separator: " "), bodyParts: body,
                categories: [], stages: [], regions: [], channels: [], flags: s.sample ? .sample : [],
                free: false, anonymous: false, phone: nil))
        }
        for p in site.pages {
            docs.append(SearchDocument(
                kind: .page, slug: p.origin.slug, title: p.title, summary: p.summary ?? "", name: p.title,
                about: p.summary ?? "", bodyParts: [p.body.plainText], categories: [], stages: [], regions: [],
                channels: [], flags: [], free: false, anonymous: false, phone: nil))
        }
        return docs
    }

    /// The groups of the documents, in manifest order: categories, life stages, regions served
    /// (in the region table's order, only those served), attributes.
    static func groups(of docs: [SearchDocument], site: LinkedSite) -> [SearchGroup] {
        var groups: [SearchGroup] = []
        var byCategory = Array(repeating: [Int](), count: site.categories.count)
        var byStage = Array(repeating: [Int](), count: site.lifeStages.count)
        var byRegion: [String: [Int]] = [:]
        let attributeKeys = SearchAttribute.keys
        var byAttribute: [String: [Int]] = [:]
        for (d, doc) in docs.enumerated() {
            for c in doc.categories { byCategory[c].append(d) }
            for s in doc.stages { byStage[s].append(d) }
            for r in doc.regions { byRegion[r, default: []].append(d) }
            for c in doc.channels { byAttribute[c.rawValue, default: []].append(d) }
            if doc.kind == .window {
                if doc.flags.contains(.crisis) { byAttribute[SearchAttribute.crisis, default: []].append(d) }
                if doc.flags.contains(.always) { byAttribute[SearchAttribute.always, default: []].append(d) }
                if doc.free { byAttribute[SearchAttribute.free, default: []].append(d) }
                if doc.anonymous { byAttribute[SearchAttribute.anonymous, default: []].append(d) }
            }
        }
        for (i, t) in site.categories.enumerated() {
            groups.append(SearchGroup(kind: .category, key: t.slug, words: [t.label, t.reading] + t.synonyms, docs: byCategory[i]))
        }
        for (i, t) in site.lifeStages.enumerated() {
            groups.append(SearchGroup(kind: .stage, key: t.slug, words: [t.label, t.reading] + t.synonyms, docs: byStage[i]))
        }
        for code in site.regions.ordered {
            guard let docs = byRegion[code], let r = site.regions.byCode[code] else { continue }
            groups.append(SearchGroup(kind: .region, key: code, words: [r.label, r.reading], docs: docs))
        }
        for key in attributeKeys {
            groups.append(SearchGroup(kind: .attribute, key: key, words: SearchAttribute.words(key), docs: byAttribute[key] ?? []))
        }
        return groups
    }
}
