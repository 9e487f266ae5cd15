/// How a region page lays out the windows available to its residents (GUIDE §2: a resident of
/// 江東区 sees national + 東京都 + 江東区 windows). Crisis lines come first, all of them; then the
/// region's own windows as cards, split into pages; then what it shares with the rest of its
/// prefecture and with the country, as one-line rows on the first page. Every municipality of a
/// prefecture shares those windows: repeated as cards on each municipality's pages they were
/// nearly half of all the bytes of a 10,000-window site (BENCHMARKS.md).
struct RegionListing {
    /// Crisis lines available here, whatever level they serve.
    var crisis: [Int] = []
    /// Windows that name this region itself.
    var own: [Int] = []
    /// Windows serving the whole prefecture this municipality belongs to.
    var prefectureWide: [Int] = []
    /// Nationwide windows (on the national page they are its own).
    var national: [Int] = []

    /// `available` is in display order; each group keeps it.
    init(site: LinkedSite, region code: String, available: [Int]) {
        let prefecture = site.regions.byCode[code]?.prefecture
        for i in available {
            let serves = site.windowRegions[i]
            if site.windows[i].crisis { crisis.append(i) }
            else if serves.contains(code) { own.append(i) }
            else if let p = prefecture, p != code, serves.contains(p) { prefectureWide.append(i) }
            else { national.append(i) }
        }
    }
}
