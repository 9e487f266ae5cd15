/// Declarations nothing uses. Every term and municipality gets its own page, so one that no
/// entry uses is a page with nothing on it that residents can land on from the lists — most
/// often a slug retired from the entries but left in content/taxonomies/.
enum UnusedDeclarations {
    static func check(_ site: LinkedSite, municipalities: [Municipality]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func unused(_ terms: [Term], _ what: String, usedBy: String, _ indexes: [[String: [Int]]]) {
            for t in terms where !indexes.contains(where: { !($0[t.slug]?.isEmpty ?? true) }) {
                diagnostics.append(t.location.warning(
                    "\(what) '\(t.slug)' is used by no \(usedBy): its page is empty",
                    hint: "tag an entry with '\(t.slug)', or remove the term"))
            }
        }
        unused(site.categories, "category", usedBy: "window or member group", [site.windowsByCategory, site.membersByCategory])
        unused(site.lifeStages, "life stage", usedBy: "window", [site.windowsByLifeStage])
        unused(site.points, "point", usedBy: "case", [site.casesByPoint])

        let memberPlaces = Set(site.memberRegions.joined())
        for m in municipalities where site.windowsServing[m.code] == nil && site.casesByRegion[m.code] == nil && !memberPlaces.contains(m.code) {
            diagnostics.append(m.location.warning(
                "municipality '\(m.code)' (\(m.label)) is used by no window, case or member group: its page has nothing local",
                hint: "add a window serving \(m.code), or remove the declaration"))
        }
        return diagnostics
    }
}
