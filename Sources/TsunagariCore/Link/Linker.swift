/// Resolves references (terms, regions, member groups) and computes back-links, term indexes
/// and related entries. A reference to something that does not exist is an error at the
/// place it is written.
public enum Linker {
    public static func link(_ content: LoadedContent, config: SiteConfig, today: SimpleDate) -> (LinkedSite, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let regions = RegionTable(municipalities: content.municipalities)

        diagnostics += duplicateTerms(content.categories, "category")
        diagnostics += duplicateTerms(content.lifeStages, "life stage")
        diagnostics += duplicateTerms(content.points, "point")
        var seenCodes: [String: Municipality] = [:]
        for m in content.municipalities {
            if let first = seenCodes[m.code] {
                diagnostics.append(m.location.error("municipality '\(m.code)' is declared twice (first at line \(first.location.line))"))
            }
            seenCodes[m.code] = m
        }

        // Display order: crisis lines first, then by reading.
        // (Sorted by keys of UTF-8 bytes: moving whole windows and comparing Strings, which
        // normalizes Unicode on the way, was a tenth of a one-file edit in the preview.)
        let windowKeys = content.windows.map { (crisis: $0.crisis, reading: Array($0.reading.utf8), slug: Array($0.origin.slug.utf8)) }
        let windows = content.windows.indices.sorted { i, j in
            let a = windowKeys[i], b = windowKeys[j]
            if a.crisis != b.crisis { return a.crisis }
            if a.reading != b.reading { return a.reading.lexicographicallyPrecedes(b.reading) }
            return a.slug.lexicographicallyPrecedes(b.slug)
        }.map { content.windows[$0] }
        let members = content.members.sorted { ($0.reading, $0.origin.slug) < ($1.reading, $1.origin.slug) }
        let cases = content.cases.sorted { a, b in
            if a.column != b.column { return !a.column }
            return a.origin.slug < b.origin.slug
        }
        let symposia = content.symposia.sorted { ($0.date, $0.origin.slug) > ($1.date, $1.origin.slug) }
        let pages = content.pages.sorted { ($0.order, $0.origin.slug) < ($1.order, $1.origin.slug) }

        let memberIndex = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1.origin.slug, $0) })
        let windowIndex = Dictionary(uniqueKeysWithValues: windows.enumerated().map { ($1.origin.slug, $0) })

        // A vocabulary's terms with their slugs as a set, made once (a set made for each list of
        // references was most of linking).
        typealias Vocabulary = (terms: [Term], slugs: Set<String>)
        let categoryTerms: Vocabulary = (content.categories, Set(content.categories.map(\.slug)))
        let lifeStageTerms: Vocabulary = (content.lifeStages, Set(content.lifeStages.map(\.slug)))
        let pointTerms: Vocabulary = (content.points, Set(content.points.map(\.slug)))
        func resolveTerms(_ refs: [Located<String>], in vocabulary: Vocabulary, what: String) -> [String] {
            let (terms, slugs) = vocabulary
            var result: [String] = []
            for ref in refs {
                if slugs.contains(ref.value) {
                    if !result.contains(ref.value) { result.append(ref.value) }
                    continue
                }
                // Labels work too (子育て for kosodate).
                if let term = terms.first(where: { $0.label == ref.value }) {
                    if !result.contains(term.slug) { result.append(term.slug) }
                    continue
                }
                let hint = DidYouMean.hint(for: ref.value, among: terms.map(\.slug) + terms.map(\.label))
                    ?? (terms.isEmpty ? "no \(what) terms are defined" : "known: \(terms.map(\.slug).joined(separator: ", "))")
                diagnostics.append(ref.location.error("unknown \(what) '\(ref.value)'", hint: hint))
            }
            return result
        }

        func resolveRegion(_ ref: Located<String>) -> String? {
            if let code = regions.resolve(ref.value) { return code }
            let hint: String
            if ref.value.count == 6, ref.value.allSatisfy(\.isASCIIDigitChar) {
                hint = "declare municipality \(ref.value) in content/taxonomies/municipalities.yml"
            } else {
                hint = DidYouMean.hint(for: ref.value, among: regions.names) ?? "use national, a prefecture code \"01\"–\"47\" or a declared municipality code"
            }
            diagnostics.append(ref.location.error("unknown region '\(ref.value)'", hint: hint))
            return nil
        }

        func resolveMember(_ ref: Located<String>) -> String? {
            if memberIndex[ref.value] != nil { return ref.value }
            diagnostics.append(ref.location.error(
                "unknown member group '\(ref.value)'",
                hint: DidYouMean.hint(for: ref.value, among: Array(memberIndex.keys).sorted()) ?? "add content/members/\(ref.value).md or fix the slug"))
            return nil
        }

        var windowsByCategory: [String: [Int]] = [:]
        var windowsByLifeStage: [String: [Int]] = [:]
        var windowsServing: [String: [Int]] = [:]
        var windowsOfMember: [String: [Int]] = [:]
        var windowRegions: [[String]] = []
        var windowCategories: [[String]] = []
        for (i, w) in windows.enumerated() {
            let cats = resolveTerms(w.categories, in: categoryTerms, what: "category")
            for c in cats { windowsByCategory[c, default: []].append(i) }
            windowCategories.append(cats)
            for s in resolveTerms(w.lifeStages, in: lifeStageTerms, what: "life stage") { windowsByLifeStage[s, default: []].append(i) }
            var codes: [String] = []
            for r in w.regions { if let code = resolveRegion(r), !codes.contains(code) { codes.append(code) } }
            for code in codes { windowsServing[code, default: []].append(i) }
            windowRegions.append(codes)
            if let m = w.member, let slug = resolveMember(m) { windowsOfMember[slug, default: []].append(i) }
        }

        var membersByCategory: [String: [Int]] = [:]
        var memberRegions: [[String]] = []
        for (i, m) in members.enumerated() {
            for c in resolveTerms(m.categories, in: categoryTerms, what: "category") { membersByCategory[c, default: []].append(i) }
            memberRegions.append(m.regions.compactMap(resolveRegion))
        }

        var casesByPoint: [String: [Int]] = [:]
        var casesByRegion: [String: [Int]] = [:]
        var caseRegion: [String?] = []
        var casePoints: [[String]] = []
        for (i, c) in cases.enumerated() {
            let points = resolveTerms(c.points, in: pointTerms, what: "point")
            for p in points { casesByPoint[p, default: []].append(i) }
            casePoints.append(points)
            let code = c.region.flatMap(resolveRegion)
            if let code { casesByRegion[code, default: []].append(i) }
            caseRegion.append(code)
        }

        var symposiaOfMember: [String: [Int]] = [:]
        for (i, s) in symposia.enumerated() {
            for speaker in s.allSpeakers {
                if let m = speaker.member, let slug = resolveMember(m), symposiaOfMember[slug]?.last != i {
                    symposiaOfMember[slug, default: []].append(i)
                }
            }
        }
        var pagesOfMember: [String: [Int]] = [:]
        for (i, p) in pages.enumerated() {
            for m in p.members { if let slug = resolveMember(m) { pagesOfMember[slug, default: []].append(i) } }
        }

        // Related windows: among those available where this one is (national + prefecture +
        // municipality), the ones sharing most categories, then the same region; a bounded
        // candidate set, so a site of 100,000 windows costs no more per window than one of 100.
        // Categories as bit sets: a prefecture's window meets thousands of candidates on a
        // large site, and counting shared categories is then a few AND and popcount operations.
        let categoryBit = Dictionary(uniqueKeysWithValues: content.categories.enumerated().map { ($1.slug, $0) })
        let words = max(1, (content.categories.count + 63) / 64)
        let categoryBits: [[UInt64]] = windowCategories.map { slugs in
            var bits = [UInt64](repeating: 0, count: words)
            for slug in slugs { if let b = categoryBit[slug] { bits[b / 64] |= 1 << UInt64(b % 64) } }
            return bits
        }
        let (servedBy, regionsOf) = (windowsServing, windowRegions)
        // Region codes as small integers: "same region" is asked of thousands of candidates
        // per window on a large site, and hashing the code strings each time dominated linking.
        var regionNumber: [String: Int32] = [:]
        let regionIDs: [[Int32]] = windowRegions.map { codes in
            codes.map { code in
                if let n = regionNumber[code] { return n }
                let n = Int32(regionNumber.count)
                regionNumber[code] = n
                return n
            }
        }
        // Windows in chunks, each with one "seen" array (no hashing of thousands of candidates
        // per window), and the best five kept while scanning instead of sorting every candidate.
        let windowCount = windows.count
        let chunkSize = 256
        let chunks = stride(from: 0, to: windowCount, by: chunkSize).map { $0..<min(windowCount, $0 + chunkSize) }
        let relatedWindows: [[Int]] = parallelMap(chunks) { chunk in
            var seenBy = [Int32](repeating: -1, count: windowCount)
            return chunk.map { i in
                seenBy[i] = Int32(i)
                let mine = categoryBits[i]
                let myRegions = regionIDs[i]
                var best: [(score: Int, index: Int)] = []
                for code in regionsOf[i] {
                    for place in regions.containing(code) {
                        for j in servedBy[place] ?? [] where seenBy[j] != Int32(i) {
                            seenBy[j] = Int32(i)
                            var shared = 0
                            for w in 0..<words { shared += (mine[w] & categoryBits[j][w]).nonzeroBitCount }
                            guard shared > 0 else { continue }
                            let score = shared * 2 + (regionIDs[j].contains(where: myRegions.contains) ? 1 : 0)
                            // Rank: higher score first, then the earlier window.
                            if best.count == 5, let last = best.last, score < last.score || (score == last.score && j > last.index) { continue }
                            let at = best.firstIndex { score > $0.score || (score == $0.score && j < $0.index) } ?? best.count
                            best.insert((score, j), at: at)
                            if best.count > 5 { best.removeLast() }
                        }
                    }
                }
                return best.map(\.index)
            }
        }.flatMap { $0 }
        let relatedCases: [[Int]] = cases.indices.map { i in
            var scores: [Int: Int] = [:]
            for p in casePoints[i] { for j in casesByPoint[p] ?? [] where j != i { scores[j, default: 0] += 1 } }
            return scores.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5).map(\.key)
        }

        let site = LinkedSite(
            config: config, regions: regions, windows: windows, members: members, cases: cases,
            symposia: symposia, pages: pages, categories: content.categories, lifeStages: content.lifeStages,
            points: content.points, today: today, windowCategories: windowCategories, windowRegions: windowRegions, memberRegions: memberRegions,
            caseRegion: caseRegion, memberIndex: memberIndex, windowIndex: windowIndex,
            windowsByCategory: windowsByCategory, windowsByLifeStage: windowsByLifeStage,
            membersByCategory: membersByCategory, casesByPoint: casesByPoint, windowsServing: windowsServing,
            casesByRegion: casesByRegion, windowsOfMember: windowsOfMember, symposiaOfMember: symposiaOfMember,
            pagesOfMember: pagesOfMember, relatedWindows: relatedWindows, relatedCases: relatedCases)
        return (site, diagnostics)
    }

    static func duplicateTerms(_ terms: [Term], _ what: String) -> [Diagnostic] {
        var seen: [String: Term] = [:]
        var diagnostics: [Diagnostic] = []
        for term in terms {
            if let first = seenTerm(seen, term.slug) {
                diagnostics.append(term.location.error("\(what) '\(term.slug)' is defined twice (first at line \(first.location.line))"))
            }
            seen[term.slug] = seen[term.slug] ?? term
        }
        return diagnostics
    }

    private static func seenTerm(_ seen: [String: Term], _ slug: String) -> Term? { seen[slug] }
}
