import Foundation
import TsunagariTemplates

/// A file of the finished site.
public struct OutputFile: Sendable {
    public var path: String
    public var bytes: [UInt8]
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// One HTML page to render: which template, with which view model, at which path. The view
/// model is made only when the page is rendered, so that a build never holds every page's
/// model at once and the preview server makes only those of the pages it is asked for.
struct PagePlan: Sendable {
    var path: String          // "windows/foo/" (folder) or "404.html"
    var template: String
    var title: String
    var description: String?
    let makeContext: @Sendable () -> TemplateValue
    var inSitemap = true
    var noindex = false

    init(path: String, template: String, title: String, description: String?,
         context: @autoclosure @escaping @Sendable () -> TemplateValue, inSitemap: Bool = true) {
        self.path = path
        self.template = template
        self.title = title
        self.description = description
        self.makeContext = context
        self.inSitemap = inSitemap
    }

    var outputPath: String { path.hasSuffix("/") || path.isEmpty ? path + "index.html" : path }
}

/// Stage 4: the linked site through the theme's templates into pages.
public struct SiteRenderer: Sendable {
    /// What the renderer reads, held once: every page plan's deferred view model captures the
    /// renderer, and a copy of the site and view models in each of 114,000 plans was 100 MB at
    /// 100,000 windows. The struct is now one reference.
    private final class Parts: Sendable {
        let site: LinkedSite
        let theme: Theme
        let models: ViewModels
        let contentInput: Fingerprint128?
        init(site: LinkedSite, theme: Theme, models: ViewModels, contentInput: Fingerprint128?) {
            self.site = site
            self.theme = theme
            self.models = models
            self.contentInput = contentInput
        }
    }
    private let parts: Parts
    // (_read: no copy of the struct on each access.)
    var site: LinkedSite { _read { yield parts.site } }
    var theme: Theme { _read { yield parts.theme } }
    var models: ViewModels { _read { yield parts.models } }

    /// `lazyCards`: make each window's card when first needed (the preview server).
    /// `contentInput`: a fingerprint of every content file read (`SiteFolder.ReadLog`), which
    /// open data, feeds and the sitemap are made from; nil: they are always made.
    public init(site: LinkedSite, theme: Theme, lazyCards: Bool = false, contentInput: Fingerprint128? = nil) {
        parts = Parts(site: site, theme: theme, models: ViewModels(site: site, lazyCards: lazyCards), contentInput: contentInput)
    }

    var urls: SiteURLs { models.urls }

    /// Every page of the site, in a fixed order. `searchIndex` gives the path of the search
    /// index's manifest, which the search and finder pages name (asked only when they render).
    func plans(searchIndex: @escaping @Sendable () -> String? = { nil }) -> [PagePlan] {
        var plans: [PagePlan] = []
        plans.append(PagePlan(path: "", template: "home", title: site.config.title, description: site.config.description, context: homeContext()))

        plans += windowListPlans(path: "windows/", template: "windows", title: "相談窓口の一覧", description: "すべての相談窓口",
                                 windows: Array(site.windows.indices)) { ["heading": .string("相談窓口の一覧")] }
        plans += windowListPlans(path: "crisis/", template: "windows", title: "命に関わる相談の窓口", description: "命に関わる相談を受けるすべての窓口",
                                 windows: allCrisisLines()) { ["heading": .string("命に関わる相談の窓口")] }
        // (Fields read in place: a copy of each window is a tenth of the preview's rebuild.)
        let windows = site.windows
        for i in windows.indices {
            plans.append(PagePlan(path: SiteURLs.window(windows[i].origin.slug), template: "window", title: windows[i].name,
                                  description: windows[i].summary, context: models.windowPage(i)))
        }
        plans.append(PagePlan(path: "members/", template: "members", title: "会員団体", description: "官民連携プラットフォームの会員団体",
                              context: .map(["members": .list(site.members.indices.map(models.memberCard))])))
        for i in site.members.indices {
            let m = site.members[i]
            plans.append(PagePlan(path: SiteURLs.member(m.origin.slug), template: "member", title: m.name, description: m.summary, context: models.memberPage(i)))
        }
        plans.append(PagePlan(path: "cases/", template: "cases", title: "地方版官民連携プラットフォームの事例", description: nil,
                              context: .map(["cases": models.list(site.cases.indices.filter { !site.cases[$0].column }.map(models.caseCard)),
                                             "columns": models.list(site.cases.indices.filter { site.cases[$0].column }.map(models.caseCard)),
                                             "points": models.list(site.points.map { models.term($0, url: SiteURLs.point($0.slug), count: site.casesByPoint[$0.slug]?.count ?? 0) })])))
        for i in site.cases.indices {
            let c = site.cases[i]
            plans.append(PagePlan(path: SiteURLs.caseStudy(c.origin.slug), template: "case", title: c.title, description: c.summary, context: models.casePage(i)))
        }
        plans.append(PagePlan(path: "symposia/", template: "symposia", title: "シンポジウム報告", description: nil,
                              context: .map(["symposia": .list(site.symposia.indices.map(models.symposiumCard))])))
        for i in site.symposia.indices {
            let s = site.symposia[i]
            plans.append(PagePlan(path: SiteURLs.symposium(s.origin.slug), template: "symposium", title: s.title, description: s.summary, context: models.symposiumPage(i)))
        }
        for i in site.pages.indices {
            let p = site.pages[i]
            plans.append(PagePlan(path: SiteURLs.page(p.origin.slug), template: "page", title: p.title, description: p.summary, context: models.pagePage(i)))
        }
        plans += termPlans()
        plans += regionPlans()
        plans.append(PagePlan(path: "search/", template: "search", title: "検索", description: "相談窓口をことばで探す", context: searchContext(searchIndex: searchIndex())))
        plans.append(PagePlan(path: "find/", template: "find", title: "あなたに合った支援を探す", description: "悩み・状況・お住まいの地域から相談窓口を探す", context: findContext(searchIndex: searchIndex())))
        if hasKidsFinder {
            plans.append(PagePlan(path: "find/kids/", template: "find", title: "こまったときに はなせるところ（18さいまでの きみへ）", description: "18歳までの子どもが相談できる窓口", context: kidsContext() ?? .null))
        }
        if theme.templates.names.contains("health") {
            plans.append(HealthReport(site: site, models: models).plan(path: site.config.healthReport + "/"))
        }
        plans.append(PagePlan(path: "404.html", template: "not-found", title: "ページが見つかりません", description: nil, context: .map([:]), inSitemap: false))
        return plans
    }

    /// The pages of a window list (see Pagination): `context` is the view model without the
    /// windows; each page adds its slice of the list and its navigation.
    /// `firstPage` adds what only the first page shows.
    func windowListPlans(path: String, template: String, title: String, description: String?, windows: [Int],
                         firstPage: (@Sendable () -> TemplateMap)? = nil,
                         context: @escaping @Sendable () -> TemplateMap) -> [PagePlan] {
        let pagination = Pagination(basePath: path, total: windows.count)
        return (1...pagination.pageCount).map { n in
            PagePlan(path: pagination.path(n), template: template, title: n == 1 ? title : "\(title)（\(n)ページ目）",
                     description: description, context: {
                         var page = context()
                         if n == 1, let firstPage { page.merge(firstPage()) }
                         page["windows"] = .list(windows[pagination.range(n)].map(models.windowCard))
                         page["pagination"] = pagination.context(n, urls: urls)
                         return .map(page)
                     }())
        }
    }

    func homeContext() -> TemplateValue {
        .map([
            "kids_url": hasKidsFinder ? .string(urls.path("find/kids/")) : .null,
            "categories": models.list(site.categories.map { models.term($0, url: SiteURLs.category($0.slug), count: site.windowsByCategory[$0.slug]?.count ?? 0) }),
            "life_stages": models.list(site.lifeStages.map { models.term($0, url: SiteURLs.lifeStage($0.slug), count: site.windowsByLifeStage[$0.slug]?.count ?? 0) }),
            "areas": regionAreas(),
            "symposia": models.list(site.symposia.indices.prefix(3).map(models.symposiumCard)),
            "pages": models.list(site.pages.indices.map { models.link(site.pages[$0].title, SiteURLs.page(site.pages[$0].origin.slug)) }),
            "window_count": .int(site.windows.count),
        ])
    }

    /// Prefectures grouped by 地方, each with the municipalities the content declares.
    func regionAreas() -> TemplateValue {
        var areas: [(String, [TemplateValue])] = []
        for p in Prefectures.all {
            if areas.last?.0 != p.area { areas.append((p.area, [])) }
            areas[areas.count - 1].1.append(models.regionLink(p.code))
        }
        return .list(areas.map { .map(["label": .string($0.0), "prefectures": .list($0.1)]) })
    }

    func termPlans() -> [PagePlan] {
        var plans: [PagePlan] = []
        let prefectures = prefectureCodes()
        func add(_ terms: [Term], kind: String, heading: String, url: (String) -> String, windows: [String: [Int]], members: [String: [Int]], cases: [String: [Int]]) {
            let termList = models.list(terms.map { models.term($0, url: url($0.slug), count: (windows[$0.slug]?.count ?? 0) + (members[$0.slug]?.count ?? 0) + (cases[$0.slug]?.count ?? 0)) })
            plans.append(PagePlan(path: "\(kind)/", template: "terms", title: heading, description: nil, context: .map([
                "heading": .string(heading),
                "terms": termList,
            ])))
            for t in terms {
                var context: TemplateMap = [:]
                if case .map(let m) = models.term(t, url: url(t.slug)) { context = m }
                context["kind"] = .string(heading)
                context["show_windows"] = .bool(kind != "points")
                context["members"] = models.list((members[t.slug] ?? []).map(models.memberCard))
                context["cases"] = models.list((cases[t.slug] ?? []).map(models.caseCard))
                context["synonyms"] = models.list(t.synonyms.map { .string($0) })
                if kind == "categories" {
                    // Region × category pages reachable from the term page without script.
                    context["region_links"] = models.list(regionsWithWindows(category: t.slug, prefectures: prefectures).map { code in
                        models.link(site.regions.byCode[code]!.label, SiteURLs.regionCategory(code, t.slug))
                    })
                }
                let termContext = context
                plans += windowListPlans(path: url(t.slug), template: "term", title: "\(t.label)（\(heading)）", description: t.description,
                                         windows: windows[t.slug] ?? []) { termContext }
            }
        }
        add(site.categories, kind: "categories", heading: "悩みから探す", url: SiteURLs.category, windows: site.windowsByCategory, members: site.membersByCategory, cases: [:])
        add(site.lifeStages, kind: "life-stages", heading: "対象から探す", url: SiteURLs.lifeStage, windows: site.windowsByLifeStage, members: [:], cases: [:])
        add(site.points, kind: "points", heading: "連携の5つのポイント", url: SiteURLs.point, windows: [:], members: [:], cases: site.casesByPoint)
        return plans
    }

    /// Regions (other than national) where a window of the category is available: every
    /// prefecture when a national window has it, else the prefectures its windows serve.
    func regionsWithWindows(category: String, prefectures: [String]) -> [String] {
        var served = Set<String>()
        for i in site.windowsByCategory[category] ?? [] {
            for code in site.windowRegions[i] {
                if code == Region.nationalCode { return prefectures }
                served.insert(code)
            }
        }
        return prefectures.filter(served.contains)
    }

    /// Prefecture codes in display order.
    func prefectureCodes() -> [String] { site.regions.ordered.filter { site.regions.byCode[$0]?.level == .prefecture } }

    func regionPlans() -> [PagePlan] {
        var plans: [PagePlan] = []
        plans.append(PagePlan(path: "regions/", template: "regions", title: "地域から探す", description: nil, context: .map([
            "national": models.regionLink(Region.nationalCode),
            "areas": regionAreas(),
        ])))
        // Each prefecture's municipalities, in display order (one pass, not one per prefecture).
        var municipalities: [String: [String]] = [:]
        for code in site.regions.ordered {
            if let r = site.regions.byCode[code], r.level == .municipality, let p = r.prefecture { municipalities[p, default: []].append(code) }
        }
        for code in site.regions.ordered {
            let region = site.regions.byCode[code]!
            // The groups of the first page are made when it renders; the plan needs only the
            // region's own windows (the preview plans every page after each edit).
            let own = RegionListing.own(site: site, region: code)
            var context: TemplateMap = [
                "label": .string(region.label), "reading": .string(region.reading), "code": .string(code),
                "area": models.text(region.area),
                "national_page": .bool(region.level == .national),
                "has_own": .bool(!own.isEmpty),
                "cases": models.list((site.casesByRegion[code] ?? []).map(models.caseCard)),
            ]
            if region.level == .municipality, let p = region.prefecture { context["parent"] = models.regionLink(p) }
            if region.level == .prefecture {
                context["municipalities"] = models.list((municipalities[code] ?? []).map(models.regionLink))
            }
            var categories: [TemplateValue] = []
            // Bucket the available windows by category once (in display order); a
            // municipality's page has no region × category pages.
            var byCategory: [String: [Int]] = [:]
            if region.level != .municipality {
                for i in site.windowsAvailable(to: code) { for c in site.windowCategories[i] { byCategory[c, default: []].append(i) } }
            }
            for t in site.categories {
                let matching = byCategory[t.slug] ?? []
                // Region × category pages for the country and each prefecture; a municipality's
                // page already lists every window available there.
                guard !matching.isEmpty, region.level != .municipality else { continue }
                categories.append(.map(["label": .string(t.label), "count": .int(matching.count),
                                        "url": .string(urls.path(SiteURLs.regionCategory(code, t.slug)))]))
                plans += windowListPlans(path: SiteURLs.regionCategory(code, t.slug), template: "region-category",
                                         title: "\(region.label)で使える「\(t.label)」の相談窓口", description: nil, windows: matching) {
                    ["region": models.regionLink(code), "category": models.term(t, url: SiteURLs.category(t.slug))]
                }
            }
            context["categories"] = region.level == .municipality ? .null : models.list(categories)
            let regionContext = context
            let prefectureLabel = region.prefecture.flatMap { site.regions.byCode[$0]?.label } ?? ""
            plans += windowListPlans(path: SiteURLs.region(code), template: "region", title: "\(region.label)で使える相談窓口", description: nil,
                                     windows: own, firstPage: {
                let listing = RegionListing(site: site, region: code, available: site.windowsAvailable(to: code))
                return ["crisis": models.list(listing.crisis.map(models.windowCard)), "has_crisis": .bool(!listing.crisis.isEmpty),
                 "has_prefecture_wide": .bool(!listing.prefectureWide.isEmpty), "has_national": .bool(!listing.national.isEmpty),
                 "prefecture_wide": models.list(listing.prefectureWide.map(models.windowCard)),
                 "prefecture_wide_count": .int(listing.prefectureWide.count), "prefecture_label": .string(prefectureLabel),
                 "national": models.list(listing.national.map(models.windowCard)),
                 "national_count": .int(listing.national.count)]
            }) { regionContext }
        }
        return plans
    }

    func searchContext(searchIndex: String? = nil) -> TemplateValue {
        .map([
            "categories": models.list(site.categories.map { models.term($0, url: SiteURLs.category($0.slug)) }),
            "life_stages": models.list(site.lifeStages.map { models.term($0, url: SiteURLs.lifeStage($0.slug)) }),
            "areas": regionOptions(),
            "search_index": searchIndex.map { .string(urls.path($0)) } ?? .null,
        ])
    }

    func findContext(searchIndex: String? = nil) -> TemplateValue {
        .map([
            "categories": models.list(site.categories.filter { site.windowsByCategory[$0.slug] != nil }.map { models.term($0, url: SiteURLs.category($0.slug)) }),
            "life_stages": models.list(site.lifeStages.filter { site.windowsByLifeStage[$0.slug] != nil }.map { models.term($0, url: SiteURLs.lifeStage($0.slug)) }),
            "areas": regionOptions(),
            // The ways to reach out the finder offers (its script maps チャット to チャット and SNS, メール to メール and Web).
            "channel_types": .list([("電話", "電話"), ("チャット", "チャット・SNS"), ("メール", "メール・Webフォーム"), ("対面", "会って話す（対面）")]
                .map { .map(["value": .string($0.0), "label": .string($0.1)]) }),
            "search_index": searchIndex.map { .string(urls.path($0)) } ?? .null,
            "kids_url": hasKidsFinder ? .string(urls.path("find/kids/")) : .null,
        ])
    }

    /// Prefectures by 地方 for the region choosers, each with the municipalities declared
    /// under it (a resident of a municipality also sees its own windows).
    func regionOptions() -> TemplateValue {
        // Each prefecture's municipalities in display order, grouped in one pass (a filter of
        // every region for each of the 47 prefectures was 47 × 1,900 lookups, twice a build).
        var municipalities: [String: [String]] = [:]
        for code in site.regions.ordered {
            if let prefecture = site.regions.byCode[code]?.prefecture, prefecture != code { municipalities[prefecture, default: []].append(code) }
        }
        var areas: [(String, [TemplateValue])] = []
        for p in Prefectures.all {
            if areas.last?.0 != p.area { areas.append((p.area, [])) }
            guard case .map(var link) = models.regionLink(p.code) else { continue }
            link["municipalities"] = models.list((municipalities[p.code] ?? []).map(models.regionLink))
            areas[areas.count - 1].1.append(.map(link))
        }
        return .list(areas.map { .map(["label": .string($0.0), "prefectures": .list($0.1)]) })
    }

    /// The finder's entry for children and young people: the windows for the 18歳以下 life
    /// stage, crisis first; nil when the site has no such stage.
    /// The finder for children exists when the site has their life stage.
    var hasKidsFinder: Bool { site.lifeStage(SearchIndexer.childStage) != nil }

    func kidsContext() -> TemplateValue? {
        guard let stage = site.lifeStage(SearchIndexer.childStage) else { return nil }
        let windows = (site.windowsByLifeStage[stage.slug] ?? []).filter { !models.isOutsidePeriod(site.windows[$0]) }
        return .map([
            "kids": .bool(true),
            "stage": models.term(stage, url: SiteURLs.lifeStage(stage.slug)),
            "windows": models.list(windows.map(models.windowCard)),
            "find_url": .string(urls.path("find/")),
        ])
    }

    // MARK: - Layout and shared fragments

    /// The header, crisis block and footer are the same on every page: rendered once per build.
    struct SharedFragments: Sendable {
        var header: String
        /// The home page's crisis block: every national line (up to 12).
        var crisis: String
        /// Every other page's: the first few lines that are always open, and the way to all.
        var briefCrisis: String
        var footer: String
    }

    func sharedFragments() throws -> SharedFragments {
        // Every crisis line: one outside its period at build time is written hidden, and the
        // browser shows it again within its period (by the Japan-time clock).
        let crisisLines = sharedCrisisLines()
        let context: TemplateValue = .map([
            "site": siteContext(),
            "crisis_lines": models.list(crisisLines.map(models.windowCard)),
            "more_crisis": crisisLines.count < allCrisisLines().count ? .string(urls.path("crisis/")) : .null,
            "pages": models.list(site.pages.indices.map { models.link(site.pages[$0].title, SiteURLs.page(site.pages[$0].origin.slug)) }),
        ])
        guard case .map(var brief) = context else { preconditionFailure() }
        brief["crisis_lines"] = models.list(briefCrisisLines().map(models.windowCard))
        brief["more_crisis"] = .string(urls.path("crisis/"))
        return SharedFragments(header: try theme.templates.render("partials/header", context),
                               crisis: try theme.templates.render("partials/crisis", context),
                               briefCrisis: try theme.templates.render("partials/crisis", .map(brief)),
                               footer: try theme.templates.render("partials/footer", context))
    }

    func allCrisisLines() -> [Int] { site.windows.indices.filter { site.windows[$0].crisis } }

    /// The block on every page shows the crisis lines available to everyone (national),
    /// 24-hour lines first, at most 12: a national directory has hundreds of local crisis
    /// lines, which the region pages and /crisis/ list.
    func sharedCrisisLines() -> [Int] {
        let national = allCrisisLines().filter { site.windowRegions[$0].contains(Region.nationalCode) }
        let always = national.filter { i in site.windows[i].hours?.always == true || site.windows[i].channels.contains { $0.hours?.always == true } }
        let others = national.filter { !always.contains($0) }
        return Array((always + others).prefix(12))
    }

    /// The block on pages other than home: three lines, 24-hour first and none limited to a
    /// period (those may be hidden), so that each page shows lines open now without repeating
    /// a long list on every one of tens of thousands of pages (11 lines were a third of a
    /// window page at 100,000 windows).
    func briefCrisisLines() -> [Int] {
        Array(sharedCrisisLines().filter { site.windows[$0].period == nil }.prefix(3))
    }

    func siteContext() -> TemplateValue {
        var assets: TemplateMap = [:]
        for (name, path) in theme.assetPaths {
            assets[name.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")] = .string(urls.path(path))
        }
        return .map([
            "title": .string(site.config.title),
            "description": .string(site.config.description),
            "lang": .string(site.config.language),
            "base": .string(urls.basePath),
            "quick_exit_url": .string(site.config.quickExitURL),
            "assets": .map(assets),
        ])
    }

    /// Renders every file of the site into memory (tests use this).
    public func render(threads: Int = BuildThreads.count) throws -> [OutputFile] {
        let sink = CollectingSink()
        try render(threads: threads, into: sink)
        return sink.files
    }

    /// Up to this many windows the search index is built on a thread of its own while the
    /// pages render: its work fills the cores that writing pages leaves idle (10,000 windows,
    /// cold: 4.9 → 4.1 s). Above it the index is built first and released before any page is
    /// made, so that the two do not hold memory at once (at 100,000 windows they would pass
    /// 1 GiB).
    static let indexBesidePagesLimit = 30_000

    /// Renders every file and hands each to `sink` as soon as it is made, so a large site is
    /// never held in memory whole.
    /// `indexBeside`: whether the index is built beside the pages (nil: by the number of windows).
    public func render(threads: Int = BuildThreads.count, into sink: OutputSink, indexBeside: Bool? = nil) throws {
        let manifest = ManifestBox()
        var indexFiles: [OutputFile] = []
        var keptIndexInput: Fingerprint128? = nil
        // The index beside the pages writes its own files (written after the pages, 3,016 files
        // at 10,000 windows were a serial tail on one core), once the sink knows the site's paths.
        let sinkPrepared = Gate()
        var indexJob: Background<Result<String, Error>>? = nil
        if indexBeside ?? (site.windows.count <= SiteRenderer.indexBesidePagesLimit) {
            // On one thread while every page is made (a first build); with all of them when the
            // sink keeps a record, since then most pages are kept and the index is the long pole.
            let indexThreads = sink.recordsInputs ? threads : 1
            indexJob = Background { [self] in
                let indexer = SearchIndexer(site: site, threads: indexThreads)
                let input = sink.recordsInputs ? indexer.inputFingerprint : nil
                // (Whether it can be kept is asked before the sink is prepared, so that an index
                // to make is made at once; files are kept or copied only once it is.)
                if let input, sink.canKeep(group: SearchIndexer.folder, madeFrom: input) {
                    guard sinkPrepared.wait() else { return .failure(CancellationError()) }
                    if let manifest = keepIndex(madeFrom: input, sink: sink) { return .success(manifest) }
                }
                let built = StageTimer.measure("  index (beside the pages)") { indexer.build() }
                if let input { sink.record(group: SearchIndexer.folder, madeFrom: input, paths: built.files.map(\.path)) }
                guard sinkPrepared.wait() else { return .failure(CancellationError()) }
                return Result {
                    try sink.announce(paths: built.files.map(\.path))
                    try StageTimer.measure("  index files written") { for file in built.files { try sink.write(file) } }
                    return built.manifest
                }
            }
        } else {
            let indexer = SearchIndexer(site: site, threads: threads)
            let input = sink.recordsInputs ? indexer.inputFingerprint : nil
            if let input, sink.canKeep(group: SearchIndexer.folder, madeFrom: input) {
                keptIndexInput = input
            } else {
                (indexFiles, manifest.value) = StageTimer.measure("index") { indexer.build() }
                if let input { sink.record(group: SearchIndexer.folder, madeFrom: input, paths: indexFiles.map(\.path)) }
            }
        }
        var documents: Background<Error?>? = nil
        do {
            let plans = StageTimer.measure("plan") { self.plans(searchIndex: { manifest.value }) }
            let frame = try PageFrame(self)
            let assets = theme.assets.map { OutputFile(path: $0.path, bytes: $0.bytes) }
            // The index's files are announced on their own (when it is built first, at once), so
            // that a recycled output can move its index folder to the new name (Staging.announce).
            try sink.prepare(paths: plans.map(\.outputPath) + assets.map(\.path) + SiteRenderer.documentPaths,
                             laterUnder: SearchIndexer.folder)
            if indexJob == nil {
                if let input = keptIndexInput {
                    // Kept or copied now that the sink is prepared; made if that fails after all.
                    if let kept = keepIndex(madeFrom: input, sink: sink) {
                        manifest.value = kept
                    } else {
                        (indexFiles, manifest.value) = StageTimer.measure("index") { SearchIndexer(site: site, threads: threads).build() }
                        sink.record(group: SearchIndexer.folder, madeFrom: input, paths: indexFiles.map(\.path))
                    }
                }
                try sink.announce(paths: indexFiles.map(\.path))
            }
            sinkPrepared.open()
            // The index (when it is built first) and the assets, and then let go: held to the
            // end, the index was 50 MB of the peak at 100,000 windows.
            for file in assets + indexFiles { try sink.write(file) }
            indexFiles = []
            // Open data, feeds and the sitemap are made on another thread while the pages
            // render: they are serial work (half a second on 10,000 windows) that would
            // otherwise leave a core idle.
            documents = Background { () -> Error? in
                do {
                    try StageTimer.measure("  documents (open data, feeds, sitemap)") { try self.writeDocuments(plans: plans, to: sink) }
                    return nil
                } catch {
                    return error
                }
            }
            // The pages that name the index's manifest are rendered once it is built.
            let namesIndex = plans.map { $0.template == "search" || $0.template == "find" && $0.path == "find/" }
            try StageTimer.measure("  pages") { try renderPages(plans.indices.filter { !namesIndex[$0] }.map { plans[$0] }, in: frame, into: sink, threads: threads) }
            if let indexJob { manifest.value = try StageTimer.measure("  waiting for the index") { try indexJob.wait().get() } }
            try renderPages(plans.indices.filter { namesIndex[$0] }.map { plans[$0] }, in: frame, into: sink, threads: threads)
            if let error = documents?.wait() { throw error }
        } catch {
            // Nothing may write into the sink once the build gives it up: the other writers
            // are stopped or waited for before the error goes up.
            sinkPrepared.cancel()
            _ = indexJob?.wait()
            _ = documents?.wait()
            throw error
        }
    }

    /// The search index's files kept (or copied) as the sink has them, announced; the
    /// manifest's path, or nil when they cannot be kept after all.
    private func keepIndex(madeFrom input: Fingerprint128, sink: OutputSink) -> String? {
        guard let kept = sink.keep(group: SearchIndexer.folder, madeFrom: input),
              let manifest = kept.first(where: { $0.path.hasPrefix(SearchIndexer.manifestPrefix) }),
              (try? sink.announce(paths: kept.map(\.path))) != nil else { return nil }
        return manifest.path
    }

    /// Pages are independent: they render in parallel without locks. When the sink keeps a
    /// record of inputs, a page whose input (`PageFrame.input`) is unchanged is not rendered.
    private func renderPages(_ plans: [PagePlan], in frame: PageFrame, into sink: OutputSink, threads: Int) throws {
        let recorded = sink.recordsInputs
        let failures: [Error?] = parallelMap(plans, threads: threads) { plan in
            do {
                let page = pageValue(plan, in: frame)
                if recorded {
                    let input = frame.input(of: plan, page: page)
                    if sink.keep(path: plan.outputPath, madeFrom: input) != nil { return nil }
                    try sink.write(OutputFile(path: plan.outputPath, bytes: try renderPage(plan, page: page, in: frame)), madeFrom: input)
                } else {
                    try sink.write(OutputFile(path: plan.outputPath, bytes: try renderPage(plan, page: page, in: frame)))
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure = failures.compactMap({ $0 }).first {
            if let error = failure as? TemplateError { throw error }
            throw failure
        }
    }

    /// The path of the search index's manifest, once it is built (the search and finder
    /// pages name it; they render after the index).
    final class ManifestBox: @unchecked Sendable {
        var value: String?
    }

    /// What every page shares: the site's values and the header, crisis block and footer.
    struct PageFrame: Sendable {
        let site: TemplateValue
        let shared: SharedFragments
        /// Whether the layout's `{{{content}}}` can take the page's template in place (a theme
        /// whose layout uses `content` otherwise gets the page as a string, as before).
        let embedsContent: Bool
        /// The `has_` flags each template can read (nil: any, it has a dynamic partial).
        private let flagsRead: [String: [String]?]
        /// What every page is made from besides its own plan and view model: the templates,
        /// the site's values, the shared fragments and the settings `renderPage` reads.
        let input: Fingerprint128

        init(_ renderer: SiteRenderer) throws {
            site = renderer.siteContext()
            shared = try renderer.sharedFragments()
            let templates = renderer.theme.templates
            embedsContent = templates.embeds("content", in: "layout")
            flagsRead = Dictionary(uniqueKeysWithValues: templates.names.map { name in
                (name, templates.namesRead(by: name).map { $0.filter { $0.hasPrefix("has_") && $0.count > 4 }.sorted() })
            })
            var hasher = StableHasher()
            hasher.combine(templates.sourceFingerprint)
            site.fingerprint(into: &hasher)
            for fragment in [shared.header, shared.crisis, shared.briefCrisis, shared.footer] { hasher.combine(fragment) }
            hasher.combine(embedsContent ? 1 : 0)
            let config = renderer.site.config
            for setting in [config.title, config.description, renderer.urls.absolute("")] { hasher.combine(setting) }
            input = hasher.finalize()
        }

        /// What one page is made from: this frame, its plan and its view model (`pageValue`).
        func input(of plan: PagePlan, page: TemplateValue) -> Fingerprint128 {
            var hasher = StableHasher()
            hasher.combine(input)
            for text in [plan.path, plan.template, plan.title] { hasher.combine(text) }
            hasher.combine(plan.description.map { 1 + $0.utf8.count } ?? 0)
            hasher.combine(plan.description ?? "")
            hasher.combine(plan.noindex ? 1 : 0)
            page.fingerprint(into: &hasher)
            return hasher.finalize()
        }

        /// The `has_` flags `template` can read; nil when it may read any (a dynamic partial) or
        /// is not one of the theme's: then a page gets every flag.
        func flags(readBy template: String) -> [String]? {
            guard let read = flagsRead[template] else { return nil }
            return read
        }
    }

    /// A page's view model, with the `has_` flags its template reads.
    func pageValue(_ plan: PagePlan, in frame: PageFrame) -> TemplateValue {
        ViewModels.withFlags(plan.makeContext(), read: frame.flags(readBy: plan.template))
    }

    /// One page: its template inside the layout.
    func renderPage(_ plan: PagePlan, in frame: PageFrame) throws -> [UInt8] {
        try renderPage(plan, page: pageValue(plan, in: frame), in: frame)
    }

    /// One page, its view model made (`pageValue`).
    func renderPage(_ plan: PagePlan, page pageModel: TemplateValue, in frame: PageFrame) throws -> [UInt8] {
        let shared = frame.shared
        let canonical = urls.absolute(plan.path == "404.html" ? "" : plan.path)
        let page: TemplateValue = .map(["site": frame.site, "page": pageModel])
        var layout: TemplateValue = .map([
            "site": frame.site,
            "title": .string(plan.title == site.config.title ? plan.title : "\(plan.title) | \(site.config.title)"),
            "page_title": .string(plan.title),
            "description": .string(plan.description ?? site.config.description),
            "canonical": .string(canonical),
            "header": .string(shared.header),
            "crisis": .string(plan.path.isEmpty ? shared.crisis : shared.briefCrisis),
            "footer": .string(shared.footer),
            "is_home": .bool(plan.path.isEmpty),
            "noindex": .bool(plan.noindex),
        ])
        var bytes: [UInt8] = []
        if frame.embedsContent {
            // The page's template renders where the layout writes {{{content}}}, into the same buffer.
            try theme.templates.render("layout", layout, into: &bytes, embedding: plan.template, as: "content", context: page)
        } else {
            layout["content"] = .string(try theme.templates.render(plan.template, page))
            try theme.templates.render("layout", layout, into: &bytes)
        }
        return bytes
    }

    /// The files that are not pages: theme assets, the search index and `documentFiles`.
    func extraFiles(plans: [PagePlan], searchIndex: [OutputFile]) -> [OutputFile] {
        theme.assets.map { OutputFile(path: $0.path, bytes: $0.bytes) } + searchIndex + documentFiles(plans: plans)
    }

    static let documentPaths = OpenData.paths + Feeds.paths + ["sitemap.xml", "robots.txt"]

    /// Open data, feeds, sitemap and robots.txt (at `documentPaths`).
    func documentFiles(plans: [PagePlan]) -> [OutputFile] {
        let sink = CollectingSink()
        try? writeDocuments(plans: plans, to: sink)  // (a CollectingSink does not throw)
        return sink.files
    }

    /// The same, written to `sink` as each is made (the open data a piece at a time); kept
    /// as they are when the content, the date, the base URL and the pages are unchanged.
    func writeDocuments(plans: [PagePlan], to sink: OutputSink) throws {
        if sink.recordsInputs, let content = parts.contentInput {
            var hasher = StableHasher()
            hasher.combine(content)
            hasher.combine(site.today.description)
            hasher.combine(site.config.baseURL)
            hasher.combine(site.config.healthReport)
            for plan in plans where plan.inSitemap { hasher.combine(plan.path) }
            let made = hasher.finalize()
            if sink.keep(group: "documents", madeFrom: made) != nil { return }
            sink.record(group: "documents", madeFrom: made, paths: SiteRenderer.documentPaths)
        }
        try OpenData(site: site, urls: urls).write(to: sink)
        for file in Feeds(site: site, urls: urls).files() { try sink.write(file) }
        try sink.write(OutputFile(path: "sitemap.xml", bytes: sitemap(plans)))
        try sink.write(OutputFile(path: "robots.txt", bytes: Array("User-agent: *\nAllow: /\nDisallow: \(urls.path(site.config.healthReport))/\nSitemap: \(urls.absolute("sitemap.xml"))\n".utf8)))
    }

    /// Made as bytes (a String interpolated and appended for each of 12,790 pages cost four
    /// times as much).
    func sitemap(_ plans: [PagePlan]) -> [UInt8] {
        var xml: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".utf8)
        xml.reserveCapacity(plans.count * 80)
        let base = urls.absolute("")
        let escapedBase = XMLEscape.escape(base)
        for plan in plans where plan.inSitemap {
            xml.append(contentsOf: "<url><loc>".utf8)
            if XMLEscape.needsEscaping(plan.path) {
                xml.append(contentsOf: XMLEscape.escape(base + plan.path).utf8)
            } else {
                xml.append(contentsOf: escapedBase.utf8)
                xml.append(contentsOf: plan.path.utf8)
            }
            xml.append(contentsOf: "</loc></url>\n".utf8)
        }
        xml.append(contentsOf: "</urlset>\n".utf8)
        return xml
    }
}

/// Escaping for XML text and attributes (sitemap, feeds).
public enum XMLEscape {
    public static func escape(_ s: String) -> String { needsEscaping(s) ? escapeScalars(s) : s }

    static func escapeScalars(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // As references, so that parsers keep them: a raw CR would be read as LF, and
            // tab, LF and CR in an attribute value would be read as spaces.
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                // Characters XML 1.0 forbids are dropped.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { continue }
                if scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `escape` would change `s`, on its bytes: every character it replaces or drops
    /// is ASCII, or U+FFFE / U+FFFF (EF BF BE / EF BF BF). Most text (URLs, names) needs
    /// nothing, and copying it a scalar at a time was most of the sitemap's cost.
    static func needsEscaping(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            var i = 0
            while i < b.count {
                switch b[i] {
                case 0..<0x20, UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                    return true
                case 0xEF where i + 2 < b.count && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF):
                    return true
                default:
                    i += 1
                }
            }
            return false
        }
    }
}
