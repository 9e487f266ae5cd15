import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import TsunagariCore

/// End-to-end: the `basic` fixture through the whole pipeline.
final class BuildTests: XCTestCase {
    var site: TestSite!

    override func setUpWithError() throws {
        site = try TestSite("basic")
        try site.build()
    }

    override func tearDown() { site.remove() }

    func testEveryKindOfPageIsWritten() throws {
        let files = Set(site.outputFiles().keys)
        for path in ["index.html", "404.html", "windows/index.html", "windows/national-line/index.html", "members/test-npo/index.html",
                     "cases/koto/index.html", "symposia/sympo/index.html", "pages/about/index.html",
                     "categories/index.html", "categories/kosodate/index.html", "life-stages/oya/index.html",
                     "points/cross-department/index.html", "regions/index.html", "regions/national/index.html",
                     "regions/13/index.html", "regions/131083/index.html", "regions/13/kosodate/index.html", "crisis/index.html",
                     "search/index.html", "find/index.html", "sitemap.xml", "robots.txt"] {
            XCTAssertTrue(files.contains(path), "missing \(path)")
        }
        XCTAssertEqual(files.filter { $0.hasPrefix("regions/") && $0.split(separator: "/").count == 3 }.count, 49, "national + 47 prefectures + 江東区")
        XCTAssertFalse(files.contains("regions/131083/kosodate/index.html"), "region × category pages stop at prefectures: a municipality's page lists everything available there")
    }

    /// Only a build told that the process ends after it leaves its site to the exit; a
    /// process that builds again (tests, the preview server) frees each build's.
    func testOnlyALastBuildLeavesItsSiteToTheExit() throws {
        let before = LeftToExit.count
        _ = try site.build()
        XCTAssertEqual(LeftToExit.count, before)
        var options = site.options(threads: 2)
        options.leaveSiteToExit = true
        _ = try Build.run(options)
        XCTAssertEqual(LeftToExit.count, before + 1)
    }

    /// A resident of 江東区 sees national + 東京都 + 江東区 windows, and nothing from 大阪府.
    func testRegionPagesFollowTheAvailableToAResidentRule() throws {
        let koto = try site.page("regions/131083/index.html")
        for slug in ["national-line", "tokyo-line", "koto-line"] { XCTAssertTrue(koto.contains("/windows/\(slug)/"), slug) }
        XCTAssertFalse(koto.contains("/windows/osaka-line/"))
        let tokyo = try site.page("regions/13/index.html")
        XCTAssertTrue(tokyo.contains("/windows/tokyo-line/"))
        XCTAssertTrue(tokyo.contains("/windows/national-line/"))
        XCTAssertFalse(tokyo.contains("/windows/koto-line/\""), "a municipal window is not available to every resident of the prefecture")
        XCTAssertTrue(tokyo.contains("/regions/131083/"), "the prefecture page links its municipalities")
        let osakaKosodate = try site.page("regions/27/kosodate/index.html")
        XCTAssertTrue(osakaKosodate.contains("/windows/osaka-line/"))
        XCTAssertTrue(osakaKosodate.contains("/windows/national-line/"))
        XCTAssertFalse(osakaKosodate.contains("/windows/tokyo-line/"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("regions/27/kodoku/index.html").path),
                       "no page for a region × category without windows")
    }

    /// Related windows (same category, available in the same places) as one-line rows with
    /// their tel links: five full cards were a third of every window page.
    func testWindowPagesListRelatedWindowsAsRows() throws {
        let tokyo = try site.page("windows/tokyo-line/index.html")
        let related = try XCTUnwrap(tokyo.range(of: "<section aria-labelledby=\"related-heading\" class=\"related\">"))
        let section = tokyo[related.upperBound...].components(separatedBy: "</section>")[0]
        XCTAssertTrue(section.contains("<ul class=\"window-rows\">"))
        XCTAssertTrue(section.contains("<li class=\"window-row\"><a class=\"window-row-name\" href=\"/windows/national-line/\">"))
        XCTAssertTrue(section.contains("href=\"tel:"), "the related crisis line keeps its tel link")
        XCTAssertFalse(section.contains("/windows/osaka-line/"), "not available to a resident of 東京都")
        XCTAssertFalse(section.contains("class=\"card"))
    }

    func testCrisisWindowsComeFirstInLists() throws {
        let list = try site.page("windows/index.html")
        let crisis = try XCTUnwrap(list.range(of: "/windows/national-line/"))
        let other = try XCTUnwrap(list.range(of: "/windows/koto-line/"))
        XCTAssertLessThan(crisis.lowerBound, other.lowerBound)
    }

    func testBackLinksFromMemberGroups() throws {
        let member = try site.page("members/test-npo/index.html")
        XCTAssertTrue(member.contains("/windows/national-line/"), "lists the window it runs")
        XCTAssertTrue(member.contains("/symposia/sympo/"), "lists the symposium it spoke at")
        XCTAssertTrue(member.contains("山田花子"))
        XCTAssertTrue(member.contains("/pages/about/"))
        let window = try site.page("windows/national-line/index.html")
        XCTAssertTrue(window.contains("href=\"/members/test-npo/\""), "the operator links to the member page")
        let symposium = try site.page("symposia/sympo/index.html")
        XCTAssertTrue(symposium.contains("<a href=\"/members/test-npo/\">テスト法人</a>"))
    }

    func testWindowPageShowsItsFacts() throws {
        let page = try site.page("windows/national-line/index.html")
        XCTAssertTrue(page.contains("<html lang=\"ja\">"))
        XCTAssertTrue(page.contains("href=\"tel:0120000000\""))
        XCTAssertTrue(page.contains("サンプル"), "sample entries are labelled")
        XCTAssertTrue(page.contains("<time datetime=\"2024-11-01\">2024年11月1日</time>"))
        XCTAssertTrue(page.contains("出典：<a href=\"https://example.test/source\""))
        XCTAssertFalse(page.contains("まだ確認されていません"))
        let unverified = try site.page("windows/tokyo-line/index.html")
        XCTAssertTrue(unverified.contains("この情報はまだ確認されていません"))
        XCTAssertTrue(unverified.contains("月〜金 9:00〜17:00"))
    }

    func testStaleWindowSaysSo() throws {
        var options = site.options()
        options.today = SimpleDate(year: 2026, month: 1, day: 15)
        try Build.run(options)
        let page = try site.page("windows/national-line/index.html")
        XCTAssertTrue(page.contains("14か月以上前に確認したもの"), "verified 2024-11-01 is 14 months before 2026-01-15")
    }

    func testTermPagesListEntriesUnderThem() throws {
        let kosodate = try site.page("categories/kosodate/index.html")
        for slug in ["national-line", "tokyo-line", "osaka-line"] { XCTAssertTrue(kosodate.contains("/windows/\(slug)/"), slug) }
        XCTAssertFalse(kosodate.contains("/windows/koto-line/"))
        let point = try site.page("points/cross-department/index.html")
        XCTAssertTrue(point.contains("/cases/koto/"))
    }

    func testEveryInternalLinkResolves() throws {
        let files = site.outputFiles()
        let pattern = try NSRegularExpression(pattern: "(?:href|src)=\"(/[^\"#?]*)")
        var checked = 0
        for (path, data) in files where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                let link = String(html[Range(match.range(at: 1), in: html)!])
                let target = link.hasSuffix("/") ? String(link.dropFirst()) + "index.html" : String(link.dropFirst())
                XCTAssertNotNil(files[target], "\(path) links to \(link)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }

    func testTwoBuildsAreByteIdenticalWhateverTheThreadCount() throws {
        let first = site.outputFiles()
        try site.build(threads: 1)
        let second = site.outputFiles()
        XCTAssertEqual(first.count, second.count)
        XCTAssertEqual(first, second)
    }

    func testRebuildReplacesTheOutputAndKeepsNoStagingFolders() throws {
        try site.write("content/windows/osaka-line.md", try String(contentsOf: site.root.appendingPathComponent("content/windows/osaka-line.md"), encoding: .utf8)
            .replacingOccurrences(of: "大阪府の子育て相談", with: "大阪府の子育ての相談（更新）"))
        try site.build()
        XCTAssertTrue(try site.page("windows/osaka-line/index.html").contains("（更新）"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root.path).filter { $0.hasPrefix(".public") }
        // Only the replaced site, kept for the next build to write over (RecycledOutputTests),
        // the parse cache (ParseCacheTests) and the record of what each file was made from
        // (OutputRecordTests).
        XCTAssertEqual(leftovers.sorted(), [".public.cache", ".public.record", ".public.spare"])
    }

    /// A theme whose layout uses `content` in a section (or anywhere but its own raw tags)
    /// gets each page as a string: the same pages as before the layout's buffer took the
    /// page's template in place.
    func testALayoutThatTestsContentStillGetsThePage() throws {
        let layout = site.root.appendingPathComponent("themes/default/templates/layout.mustache")
        let original = try String(contentsOf: layout, encoding: .utf8)
        let plain = site.outputFiles()
        try original.replacingOccurrences(of: "{{{content}}}", with: "{{#content}}{{{content}}}{{/content}}")
            .write(to: layout, atomically: true, encoding: .utf8)
        try site.build()
        XCTAssertTrue(try site.page("windows/osaka-line/index.html").contains("大阪府の子育て相談"))
        XCTAssertTrue(site.outputFiles() == plain, "the same bytes as the layout's plain {{{content}}}")
    }

    /// A build that fails makes no folder: not the output's, nor the one it would be in.
    func testAFailedBuildMakesNoFolder() throws {
        try site.write("content/windows/osaka-line.md", "no front matter")
        var options = site.options()
        options.output = site.root.appendingPathComponent("new/deeper/site")
        XCTAssertThrowsError(try Build.run(options))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.root.appendingPathComponent("new").path))
        options.source = site.root.appendingPathComponent("missing")
        options.output = nil
        XCTAssertThrowsError(try Build.run(options))
        XCTAssertFalse(FileManager.default.fileExists(atPath: options.source.path))
    }

    func testRefusesToReplaceAFolderItDidNotWrite() throws {
        let foreign = site.root.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try "keep".write(to: foreign.appendingPathComponent("file.txt"), atomically: true, encoding: .utf8)
        var options = site.options()
        options.output = foreign
        XCTAssertThrowsError(try Build.run(options))
        XCTAssertEqual(try String(contentsOf: foreign.appendingPathComponent("file.txt"), encoding: .utf8), "keep")
    }

    func testOpenDataExports() throws {
        let files = site.outputFiles()
        let csv = try XCTUnwrap(files["data/windows.csv"])
        XCTAssertEqual(Array(csv.prefix(3)), [0xEF, 0xBB, 0xBF], "BOM so spreadsheet software reads UTF-8")
        let text = String(decoding: csv.dropFirst(3), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 5, "header + 4 windows")
        XCTAssertTrue(lines[0].hasPrefix("id,name,reading,operator,summary,categories"))
        XCTAssertTrue(lines[1].hasPrefix("national-line,全国こそだてライン,ぜんこくこそだてらいん,テスト法人,"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try XCTUnwrap(files["data/windows.json"])) as? [String: Any])
        let services = try XCTUnwrap(json["services"] as? [[String: Any]])
        XCTAssertEqual(services.count, 4)
        let first = services[0]
        XCTAssertEqual(first["name"] as? String, "全国こそだてライン")
        XCTAssertEqual((first["phones"] as? [[String: Any]])?.first?["number"] as? String, "0120-000-000")
        XCTAssertEqual((first["service_areas"] as? [[String: Any]])?.first?["name"] as? String, "全国")
        XCTAssertEqual(first["assured_date"] as? String, "2024-11-01")
        let tokyo = try XCTUnwrap(services.first { $0["id"] as? String == "tokyo-line" })
        let schedule = try XCTUnwrap((tokyo["schedules"] as? [[String: Any]])?.first)
        XCTAssertEqual(schedule["byday"] as? String, "MO,TU,WE,TH,FR")
        XCTAssertEqual(schedule["freq"] as? String, "WEEKLY")
        XCTAssertEqual(schedule["opens_at"] as? String, "9:00")
        XCTAssertEqual(schedule["closes_at"] as? String, "17:00")
        XCTAssertEqual(schedule["description"] as? String, "月〜金 9:00〜17:00")
    }

    func testCSVFieldQuotingAndFormulaGuard() {
        XCTAssertEqual(OpenData.csvField("a,b"), "\"a,b\"")
        XCTAssertEqual(OpenData.csvField("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(OpenData.csvField("=HYPERLINK(1)"), "'=HYPERLINK(1)")
        XCTAssertEqual(OpenData.csvField("0120-000-000"), "0120-000-000")
        XCTAssertEqual(OpenData.csvField("=\"a\",b"), "\"'=\"\"a\"\",b\"")
    }

    /// A CSV row puts a comma between fields (also after an empty first one), joins a list with
    /// "|" and quotes each field once it is whole; the next row starts afresh.
    func testCSVRowSeparatesAndQuotesEachField() {
        var row = OpenData.CSVRow()
        var out: [UInt8] = []
        row.field("")
        row.list(["a", "b,c"])
        row.field("=1")
        row.begin(); row.bytes += Array("x\"y".utf8); row.end()
        row.list([])
        row.finish(into: &out)
        row.field("next")
        row.finish(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), ",\"a|b,c\",'=1,\"x\"\"y\",\r\nnext\r\n")
    }

    /// A reference names the first term whose slug or label it is, as a search of the list in
    /// order finds it.
    func testTermNamesKeepTheFirstTermOfEachName() {
        func term(_ slug: String, _ label: String) -> Term {
            Term(slug: slug, label: label, reading: "", order: 0, description: nil, synonyms: [], location: SourceLocation.file("t.yml"))
        }
        let terms = [term("x", "y"), term("y", "z"), term("z", "x"), term("x", "w")]
        let names = TermNames(terms)
        for name in ["x", "y", "z", "w", "v"] {
            XCTAssertEqual(names.named[name]?.label, terms.first { $0.slug == name || $0.label == name }?.label, name)
        }
    }

    func testFeedsParse() throws {
        let files = site.outputFiles()
        let atom = try XCTUnwrap(files["feed.xml"])
        let parser = XMLParser(data: atom)
        XCTAssertTrue(parser.parse(), "Atom feed is well-formed XML")
        let atomText = String(decoding: atom, as: UTF8.self)
        XCTAssertTrue(atomText.contains("<title>テストシンポジウム</title>"))
        XCTAssertTrue(atomText.contains("<updated>2024-11-06T00:00:00+09:00</updated>"))
        let feed = try XCTUnwrap(JSONSerialization.jsonObject(with: try XCTUnwrap(files["feed.json"])) as? [String: Any])
        XCTAssertEqual((feed["items"] as? [[String: Any]])?.count, 2, "the symposium and the one verified window")
        XCTAssertTrue(XMLParser(data: try XCTUnwrap(files["sitemap.xml"])).parse())
    }

    /// A feed holds the 50 newest items, newest first, ties by id: the same as sorting them all,
    /// with many windows sharing the date at the cut and some unverified.
    func testFeedsHoldTheFiftyNewestItems() throws {
        // (Windows are read in display order, by reading: readings scrambled against the
        // names, so that a later window of the kept date has now a greater id, which displaces
        // a kept one, now a smaller one, which is passed over; a few other dates, some
        // unverified.)
        let kana = Array("あいうえおかきくけこ")
        func reading(_ n: Int) -> String { String(String(n * 37 % 130 + 1000).map { kana[Int(String($0))!] }) }
        for n in 0..<130 {
            let verified = n % 9 == 0 ? "" : n % 5 == 0 ? "verified: 2024-0\(1 + n % 4)-1\(n % 3)" : "verified: 2024-05-01"
            try site.write("content/windows/feed-\(n).md", """
            ---
            name: 窓口\(n)
            reading: \(reading(n))
            summary: 要約
            categories: [kosodate]
            life_stages: [oya]
            regions: [national]
            channels:
              - type: Web
                url: https://example.test/\(n)
            \(verified)
            sample: true
            ---
            """)
        }
        let (linked, _, diagnostics) = Build.check(site.options(threads: 2))
        let linkedSite = try XCTUnwrap(linked, "\(diagnostics)")
        let feeds = Feeds(site: linkedSite, urls: SiteURLs(baseURL: linkedSite.config.baseURL))
        let urls = SiteURLs(baseURL: linkedSite.config.baseURL)
        var all = linkedSite.symposia.map { (id: urls.absolute(SiteURLs.symposium($0.origin.slug)), date: $0.date) }
        for w in linkedSite.windows { if let v = w.verified?.value { all.append((urls.absolute(SiteURLs.window(w.origin.slug)), v)) } }
        XCTAssertGreaterThan(all.count, 60)
        let expected = all.sorted { ($0.date, $0.id) > ($1.date, $1.id) }.prefix(50).map(\.id)
        XCTAssertEqual(feeds.items().map(\.id), Array(expected))
    }
}
