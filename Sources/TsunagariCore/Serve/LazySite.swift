import Foundation
import TsunagariTemplates

/// The site as the preview server holds it after a rebuild: the plan of every page, each
/// page rendered when first asked for and kept until the next change; the search index and
/// the other non-page files made on their first request. A one-file edit therefore costs a
/// load (of that file only, through EntryCache), a link, and the pages the editor looks at.
final class LazySite: @unchecked Sendable {
    let renderer: SiteRenderer
    /// Each page's position in `orderedPlans`, by output path.
    private let plans: [String: Int]
    let frame: SiteRenderer.PageFrame
    private let orderedPlans: [PagePlan]
    private let index: LazyIndex
    private let lock = NSLock()
    private var pages: [String: [UInt8]] = [:]
    private var extras: [String: [UInt8]]? = nil

    /// The search index, built at most once (the search and finder pages name its manifest).
    final class LazyIndex: @unchecked Sendable {
        private let lock = NSLock()
        private var built: (files: [OutputFile], manifest: String)?
        private let make: @Sendable () -> (files: [OutputFile], manifest: String)
        init(_ make: @escaping @Sendable () -> (files: [OutputFile], manifest: String)) { self.make = make }
        var value: (files: [OutputFile], manifest: String) {
            lock.withLock {
                if let built { return built }
                let made = make()
                built = made
                return made
            }
        }
    }

    /// `previous`: the site served before, whose table of pages is kept when every page is
    /// at the same place (an edit of windows' text): comparing the paths costs a tenth of
    /// hashing them again, which was a fifth of a one-file edit's rebuild at 10,000 windows.
    init(site: LinkedSite, theme: Theme, threads: Int, previous: LazySite? = nil) throws {
        renderer = SiteRenderer(site: site, theme: theme, lazyCards: true)
        let index = LazyIndex { SearchIndexer(site: site, threads: threads).build() }
        self.index = index
        let ordered = renderer.plans(searchIndex: { index.value.manifest })
        orderedPlans = ordered
        if let previous, previous.orderedPlans.count == ordered.count,
           zip(previous.orderedPlans, ordered).allSatisfy({ $0.path == $1.path }) {
            plans = previous.plans
        } else {
            plans = Dictionary(ordered.indices.map { (ordered[$0].outputPath, $0) }, uniquingKeysWith: { a, _ in a })
        }
        frame = try SiteRenderer.PageFrame(renderer)
    }

    var pageCount: Int { orderedPlans.count }

    func isPage(_ path: String) -> Bool { plans[path] != nil }

    /// The bytes of an output file, or nil. A page is rendered on its first request; theme
    /// assets are at hand; the search index is built on the first request of a file under
    /// search/ (or of the search and finder pages); open data, feeds, sitemap and robots.txt
    /// on the first request of one of them.
    func file(_ path: String) throws -> [UInt8]? {
        if let position = plans[path] {
            let plan = orderedPlans[position]
            if let page = lock.withLock({ pages[path] }) { return page }
            let page = try renderer.renderPage(plan, in: frame)
            lock.withLock { pages[path] = page }
            return page
        }
        if let asset = renderer.theme.assets.first(where: { $0.path == path }) { return asset.bytes }
        if path.hasPrefix(SearchIndexer.folder) { return index.value.files.first(where: { $0.path == path })?.bytes }
        if let others = lock.withLock({ extras }) { return others[path] }
        let made = Dictionary(renderer.extraFiles(plans: orderedPlans, searchIndex: []).map { ($0.path, $0.bytes) },
                              uniquingKeysWith: { a, _ in a })
        lock.withLock { extras = made }
        return made[path]
    }
}
