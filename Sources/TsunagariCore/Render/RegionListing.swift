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

    /// `available` is in display order (ascending indices, as `windowsAvailable` gives); each
    /// group keeps it. A window serves this region or its prefecture when it is in that code's
    /// ascending `windowsServing` list: walked beside `available`, without comparing codes.
    init(site: LinkedSite, region code: String, available: [Int]) {
        let prefecture = site.regions.byCode[code]?.prefecture
        let servingHere = site.windowsServing[code] ?? []
        let servingPrefecture = prefecture.flatMap { $0 == code ? nil : site.windowsServing[$0] } ?? []
        var (here, wide) = (0, 0)
        for i in available {
            while here < servingHere.count && servingHere[here] < i { here += 1 }
            while wide < servingPrefecture.count && servingPrefecture[wide] < i { wide += 1 }
            if site.windows[i].crisis { crisis.append(i) }
            else if here < servingHere.count && servingHere[here] == i { own.append(i) }
            else if wide < servingPrefecture.count && servingPrefecture[wide] == i { prefectureWide.append(i) }
            else { national.append(i) }
        }
    }

    /// The windows that name the region itself, crisis lines excepted: `own` of the listing.
    static func own(site: LinkedSite, region code: String) -> [Int] {
        (site.windowsServing[code] ?? []).filter { !site.windows[$0].crisis }
    }
}
