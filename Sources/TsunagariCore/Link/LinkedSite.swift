/// Stage 3: every reference resolved, every index computed. Plain data: the renderer and the
/// search indexer read it and never change it.
public struct LinkedSite: Sendable {
    public var config: SiteConfig
    public var regions: RegionTable
    /// Entries in display order (windows: crisis first, then by reading).
    public var windows: [SupportWindow]
    public var members: [MemberGroup]
    public var cases: [CaseStudy]
    public var symposia: [Symposium]
    public var pages: [Page]
    public var categories: [Term]
    public var lifeStages: [Term]
    public var points: [Term]
    /// Today, for staleness and open periods (SOURCE_DATE_EPOCH or the clock).
    public var today: SimpleDate

    /// Resolved category slugs of each window, by index.
    public var windowCategories: [[String]]
    /// Resolved region codes of each window / member, by index.
    public var windowRegions: [[String]]
    public var memberRegions: [[String]]
    /// Resolved region code of each case (nil for columns).
    public var caseRegion: [String?]

    public var memberIndex: [String: Int]
    public var windowIndex: [String: Int]
    /// Term slug → indices of entries under it.
    public var windowsByCategory: [String: [Int]]
    public var windowsByLifeStage: [String: [Int]]
    public var membersByCategory: [String: [Int]]
    public var casesByPoint: [String: [Int]]
    /// Region code → windows serving exactly that region (not the ones available there).
    public var windowsServing: [String: [Int]]
    public var casesByRegion: [String: [Int]]
    /// Member slug → back-links.
    public var windowsOfMember: [String: [Int]]
    public var symposiaOfMember: [String: [Int]]
    public var pagesOfMember: [String: [Int]]
    /// Related entries, by index.
    public var relatedWindows: [[Int]]
    public var relatedCases: [[Int]]

    /// Windows available to a resident of `code` (national + prefecture + municipality),
    /// in display order.
    public func windowsAvailable(to code: String) -> [Int] {
        // Each list is ascending (the linker appends windows in order): merged, not sorted.
        regions.containing(code).reduce(into: []) { all, served in
            all = Self.mergeAscending(all, windowsServing[served] ?? [])
        }
    }

    /// The union of two ascending lists, ascending, each index once (a window may serve two
    /// of the codes, or name one twice).
    static func mergeAscending(_ a: [Int], _ b: [Int]) -> [Int] {
        var merged: [Int] = []
        merged.reserveCapacity(a.count + b.count)
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            let next = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            if merged.last != next { merged.append(next) }
            if i < a.count && a[i] == next { i += 1 } else { j += 1 }
        }
        return merged
    }

    public func category(_ slug: String) -> Term? { categories.first { $0.slug == slug } }
    public func lifeStage(_ slug: String) -> Term? { lifeStages.first { $0.slug == slug } }
    public func point(_ slug: String) -> Term? { points.first { $0.slug == slug } }
}

/// A vocabulary's terms by slug and by label, the first term of each name kept (as a search
/// of the list in order finds it: labels work in content too, 子育て for kosodate), made once
/// instead of searched for each reference.
struct TermNames: Sendable {
    private(set) var named: [String: Term] = [:]
    init(_ terms: [Term]) {
        for t in terms {
            if named[t.slug] == nil { named[t.slug] = t }
            if named[t.label] == nil { named[t.label] = t }
        }
    }
}
