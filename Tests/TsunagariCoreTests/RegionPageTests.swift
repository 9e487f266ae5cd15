import XCTest
@testable import TsunagariCore
import TsunagariTemplates

/// Region pages follow "available to a resident of" (GUIDE §2) in a form that stays small at
/// national scale: every crisis line available there first, the region's own windows as
/// cards, then the prefecture's and the country's windows by name.
final class RegionPageTests: XCTestCase {
    var site: TestSite!

    override func setUpWithError() throws {
        site = try TestSite("basic")
        try site.writeSampleWindow("national-chat", name: "全国チャット相談", reading: "ぜんこくちゃっとそうだん",
                                   summary: "全国どこからでも使えるチャット相談", categories: "[kosodate]", lifeStages: "[oya]",
                                   regions: "[national]", channel: "チャット")
        try site.build()
    }

    override func tearDown() { site.remove() }

    /// Where each mark first appears in the page's main content (after the crisis block).
    func positions(_ marks: [String], in html: String) throws -> [String.Index] {
        let main = try XCTUnwrap(html.range(of: "<main")).upperBound
        return try marks.map { mark in try XCTUnwrap(html.range(of: mark, range: main..<html.endIndex), "missing: \(mark)").lowerBound }
    }

    /// The finder's region menu: each prefecture followed by its own municipalities, by code,
    /// whatever the order of the municipalities file.
    func testFinderListsEachPrefecturesMunicipalitiesUnderIt() throws {
        try site.write("content/taxonomies/municipalities.yml", """
        - {code: "271004", label: 大阪市, reading: おおさかし, prefecture: "27"}
        - {code: "131083", label: 江東区, reading: こうとうく, prefecture: "13"}
        - {code: "011002", label: 札幌市, reading: さっぽろし, prefecture: "01"}
        - {code: "131016", label: 千代田区, reading: ちよだく, prefecture: "13"}
        - {code: "272108", label: 枚方市, reading: ひらかたし, prefecture: "27"}
        """)
        try site.build()
        let find = try site.page("find/index.html")
        let select = try XCTUnwrap(find.range(of: #"<select id="finder-region"[\s\S]*?</select>"#, options: .regularExpression))
        let options = find[select].components(separatedBy: "\n").compactMap { line -> String? in
            guard let value = line.range(of: #"value="[0-9]+""#, options: .regularExpression) else { return nil }
            return String(line[value].dropFirst(7).dropLast()) + (line.contains(">　") ? " (municipality)" : "")
        }
        let around = { (code: String) -> [String] in
            guard let at = options.firstIndex(of: code) else { return [] }
            return Array(options[at..<min(options.count, at + 3)])
        }
        XCTAssertEqual(around("01"), ["01", "011002 (municipality)", "02"])
        XCTAssertEqual(around("13"), ["13", "131016 (municipality)", "131083 (municipality)"])
        XCTAssertEqual(around("131083 (municipality)").dropFirst().first, "14")
        XCTAssertEqual(around("27"), ["27", "271004 (municipality)", "272108 (municipality)"])
        XCTAssertEqual(options.filter { $0.hasSuffix("(municipality)") }.count, 5)
        XCTAssertEqual(options.filter { !$0.hasSuffix("(municipality)") }.count, 47)
    }

    func testMunicipalityPageShowsCrisisLinesThenItsOwnThenWhatItShares() throws {
        let koto = try site.page("regions/131083/index.html")
        let marks = ["<h2>命に関わる相談</h2>", "href=\"/windows/national-line/\"",
                     "<h2>江東区の相談窓口</h2>", "<h3 class=\"card-title\"><a href=\"/windows/koto-line/\">",
                     "<h2>東京都全域で使える相談窓口（1件）</h2>", "<li><a href=\"/windows/tokyo-line/\">",
                     "<h2>全国で使える相談窓口（1件）</h2>", "<li><a href=\"/windows/national-chat/\">"]
        let at = try positions(marks, in: koto)
        XCTAssertEqual(at, at.sorted(), "sections out of order")
        XCTAssertFalse(koto.contains("<h3 class=\"card-title\"><a href=\"/windows/tokyo-line/\">"),
                       "the prefecture's windows are named, not repeated as cards on every municipality's page")
        XCTAssertFalse(koto.contains("/windows/osaka-line/"))
        XCTAssertTrue(koto.contains("サンプル"), "named samples are still labelled")
    }

    func testPrefecturePageListsItsOwnAsCardsAndTheCountrysByName() throws {
        let tokyo = try site.page("regions/13/index.html")
        let at = try positions(["<h2>命に関わる相談</h2>", "<h2>東京都の相談窓口</h2>", "href=\"/windows/tokyo-line/\"",
                                "<h2>全国で使える相談窓口（1件）</h2>", "<li><a href=\"/windows/national-chat/\">"], in: tokyo)
        XCTAssertEqual(at, at.sorted())
        XCTAssertFalse(tokyo.contains("全域で使える"), "a prefecture has no wider prefecture")
        XCTAssertFalse(tokyo.contains("/windows/koto-line/\""))
    }

    func testNationalPageListsTheNationalWindowsAsItsOwn() throws {
        let national = try site.page("regions/national/index.html")
        XCTAssertTrue(national.contains("<h2>全国の相談窓口</h2>"))
        XCTAssertTrue(national.contains("<h3 class=\"card-title\"><a href=\"/windows/national-chat/\">"))
        XCTAssertFalse(national.contains("全国で使える相談窓口（"), "no second national list on the national page")
    }

    func testARegionWithoutWindowsOfItsOwnSaysSoAndStillListsTheWiderOnes() throws {
        let osaka = try site.page("regions/01/index.html")
        XCTAssertTrue(osaka.contains("北海道だけを対象にした窓口はまだ登録されていません。"))
        XCTAssertTrue(osaka.contains("<li><a href=\"/windows/national-chat/\">"))
    }
}

/// The region lists are computed from the linker's ascending per-region lists, not by
/// comparing region codes window by window: the same as the definitions, for every region.
final class RegionListTests: XCTestCase {
    func testAvailabilityListingAndRegionLinksMatchTheirDefinitions() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        try site.writeSampleWindow("national-chat", name: "全国チャット相談", reading: "ぜんこくちゃっとそうだん",
                                   summary: "全国どこからでも使えるチャット相談", categories: "[kosodate]", lifeStages: "[oya]",
                                   regions: "[national]", channel: "チャット")
        try site.writeSampleWindow("two-places", name: "東京と江東の窓口", reading: "とうきょうとこうとうのまどぐち",
                                   summary: "都と区の両方を対象にする窓口", categories: "[kodoku]", lifeStages: "[oya]",
                                   regions: "[\"13\", \"131083\", \"27\"]", channel: "電話")
        let (linked, theme, diagnostics) = Build.check(site.options())
        let linkedSite = try XCTUnwrap(linked, "\(diagnostics)")
        let renderer = SiteRenderer(site: linkedSite, theme: try XCTUnwrap(theme))
        var checkedMunicipality = false
        for code in linkedSite.regions.ordered {
            let containing = linkedSite.regions.containing(code)
            let expected = linkedSite.windows.indices.filter { !Set(linkedSite.windowRegions[$0]).isDisjoint(with: containing) }
            let available = linkedSite.windowsAvailable(to: code)
            XCTAssertEqual(available, expected, code)
            let listing = RegionListing(site: linkedSite, region: code, available: available)
            let prefecture = linkedSite.regions.byCode[code]?.prefecture
            let crisis = expected.filter { linkedSite.windows[$0].crisis }
            let own = expected.filter { !linkedSite.windows[$0].crisis && linkedSite.windowRegions[$0].contains(code) }
            let wide = expected.filter { i in
                !linkedSite.windows[i].crisis && !own.contains(i) && prefecture != nil && prefecture != code && linkedSite.windowRegions[i].contains(prefecture!)
            }
            XCTAssertEqual(listing.crisis, crisis, code)
            XCTAssertEqual(listing.own, own, code)
            XCTAssertEqual(RegionListing.own(site: linkedSite, region: code), own, code)
            XCTAssertEqual(listing.prefectureWide, wide, code)
            XCTAssertEqual(listing.national, expected.filter { !crisis.contains($0) && !own.contains($0) && !wide.contains($0) }, code)
            if code == "131083" { checkedMunicipality = !own.isEmpty && !wide.isEmpty && !listing.national.isEmpty }
        }
        XCTAssertTrue(checkedMunicipality, "江東区 has windows of its own, of 東京都 and national ones")
        let prefectures = renderer.prefectureCodes()
        for category in linkedSite.categories.map(\.slug) {
            let inCategory = Set(linkedSite.windowsByCategory[category] ?? [])
            let expected = prefectures.filter { code in linkedSite.windowsAvailable(to: code).contains(where: inCategory.contains) }
            XCTAssertEqual(renderer.regionsWithWindows(category: category, prefectures: prefectures), expected, category)
        }
        XCTAssertEqual(LinkedSite.mergeAscending([1, 3, 5], [2, 3, 6, 7]), [1, 2, 3, 5, 6, 7])
        XCTAssertEqual(LinkedSite.mergeAscending([], [4]), [4])
        XCTAssertEqual(LinkedSite.mergeAscending([4, 4], []), [4])
    }
}

final class PageFlagTests: XCTestCase {
    /// Flags limited to the names a template reads are the flags it would have read anyway.
    func testFlagsForTheNamesReadEqualAllFlags() {
        let page: TemplateValue = .map(["a": .list([.int(1)]), "b": .list([]), "c": .null, "d": .string("x"),
                                        "e": .list([.int(2)]), "has_e": .bool(false), "f": .list([])])
        guard case .map(let all) = ViewModels.withFlags(page) else { return XCTFail() }
        let read = ["has_a", "has_b", "has_c", "has_d", "has_e", "has_zz"]
        guard case .map(let some) = ViewModels.withFlags(page, read: read) else { return XCTFail() }
        for name in read { XCTAssertEqual(some[name].map { "\($0)" }, all[name].map { "\($0)" }, name) }
        XCTAssertEqual(all["has_a"].map { "\($0)" }, "\(TemplateValue.bool(true))")
        XCTAssertEqual(all["has_e"].map { "\($0)" }, "\(TemplateValue.bool(false))", "a flag of the page's own is kept")
        XCTAssertNotNil(all["has_f"])
        XCTAssertNil(some["has_f"], "a flag no template reads is not made")
    }

    /// A flag read only in a partial of the page's template still reaches the page: the names
    /// a template reads include its partials'.
    func testAFlagReadInAPartialIsMade() throws {
        let site = try TestSite("basic")
        defer { site.remove() }
        let window = try String(contentsOf: site.root.appendingPathComponent("themes/default/templates/window.mustache"), encoding: .utf8)
        try site.write("themes/default/templates/window.mustache", window.replacingOccurrences(of: "{{/page}}", with: "{{> partials/probe}}{{/page}}"))
        try site.write("themes/default/templates/partials/probe.mustache",
                       "<p id=\"probe\">{{#has_channels}}channels{{/has_channels}}{{^has_languages}} no-languages{{/has_languages}}</p>")
        try site.build()
        let page = try site.page("windows/tokyo-line/index.html")
        XCTAssertTrue(page.contains("<p id=\"probe\">channels no-languages</p>"), page)
    }
}
