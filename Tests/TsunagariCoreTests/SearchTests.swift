import Foundation
import XCTest
@testable import TsunagariCore

/// Normalization and tokens: what residents type differently must meet in the index.
final class SearchTextTests: XCTestCase {
    /// The table the browser tests read too (Tests/browser/test_search.py): both sides give
    /// the same normalized text and query tokens for every case.
    func testSharedTokenTable() throws {
        let url = TestSite.repoRoot.appendingPathComponent("Tests/search-tokens.json")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 20)
        for c in cases {
            let input = try XCTUnwrap(c["input"] as? String)
            XCTAssertEqual(SearchText.normalize(input), c["normalized"] as? String, "normalize(\(input))")
            XCTAssertEqual(SearchText.queryTokens(input), c["tokens"] as? [String], "tokens(\(input))")
        }
    }

    /// The indexer's list of white space is Unicode's White_Space property, scalar for scalar.
    func testWhiteSpaceListIsUnicodesProperty() {
        var differing: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(value) else { continue }
            if SearchText.isWhitespace(s) != s.properties.isWhitespace { differing.append(value) }
        }
        XCTAssertEqual(differing, [])
        XCTAssertTrue(SearchText.isWhitespace("\u{3000}"))
        XCTAssertFalse(SearchText.isWhitespace("あ"))
    }

    /// A word character is a letter, mark or digit by Unicode's general category; the
    /// punctuation answered early agrees with the tables (every scalar of the CJK symbols,
    /// kana and full-width blocks, and Latin-1).
    func testWordCharactersFollowTheGeneralCategory() {
        for v in Array(0x80...0xFF) + Array(0x3000...0x30FF) + Array(0xFF00...0xFFEF) {
            XCTAssertEqual(SearchText.isOtherWord(UInt32(v)), SearchText.isWordByGeneralCategory(UInt32(v)), String(v, radix: 16))
        }
        XCTAssertFalse(SearchText.isOtherWord(0x3001))
        XCTAssertTrue(SearchText.isOtherWord(0x3021), "〡 (a Hangzhou numeral) is a number")
    }

    func testNormalizationFoldsWidthCaseAndScript() {
        XCTAssertEqual(SearchText.normalize("ＤＶ"), "dv", "full-width Latin to ASCII, lower case")
        XCTAssertEqual(SearchText.normalize("ＬＧＢＴ　Ｑ"), "lgbt q", "ideographic space is a space")
        XCTAssertEqual(SearchText.normalize("カタカナ"), "かたかな", "katakana to hiragana")
        XCTAssertEqual(SearchText.normalize("ｶﾀｶﾅ"), "かたかな", "half-width katakana through NFKC")
        XCTAssertEqual(SearchText.normalize("ﾀﾞｲﾔﾙ"), "だいやる", "half-width voiced marks compose")
        XCTAssertEqual(SearchText.normalize("２４時間"), "24時間")
        XCTAssertEqual(SearchText.normalize("①"), "1")
        XCTAssertEqual(SearchText.normalize("ヽヾ"), "ゝゞ")
    }

    /// The fast path (NFKC only on runs outside ASCII/kana/common kanji) must give exactly
    /// what NFKC and lower case of the whole text give: random mixes of stable characters,
    /// width variants, half-width kana with their voicing marks, combining marks and
    /// compatibility characters.
    func testFoldEqualsWholeTextNFKCAndLowerCase() {
        let alphabet: [String] = ["A", "z", " ", "\n", "1", "か", "カ", "ハ", "は", "ー", "子", "。", "「",
                                  "\u{3099}", "\u{309A}", "\u{0301}", "ｶ", "ﾞ", "ﾟ", "ﾊ", "Ａ", "１", "（", "）", "①",
                                  "㍻", "ﬁ", "Σ", "É", "e", "\u{0308}", "・", "〜", "\u{3000}", "神", "\u{FA19}", "ゝ", "\u{309B}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            let expected = text.precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping.lowercased()
            XCTAssertEqual(SearchText.string(SearchText.fold(text)), expected, "fold of \(Array(text.unicodeScalars).map { String($0.value, radix: 16) })")
        }
    }

    /// The normalized scalars (decoded from UTF-8 bytes, folded and normalized in one pass,
    /// into a buffer that grows when NFKC makes more scalars than the text had bytes) are the
    /// rules applied one after another to the whole text.
    func testNormalizedScalarsFollowTheRulesStepByStep() {
        func reference(_ text: String) -> String {
            var out: [Unicode.Scalar] = []
            var previous: Unicode.Scalar? = nil
            var space = false
            for scalar in text.precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars {
                var s = scalar
                if (0x30A1...0x30F6).contains(s.value) || s.value == 0x30FD || s.value == 0x30FE { s = Unicode.Scalar(s.value - 0x60)! }
                if SearchText.isDash(s.value) {
                    if let p = previous, SearchText.isKana(p.value) || p == "ー" {
                        if p != "ー" { out.append("ー"); previous = "ー" }
                        continue
                    }
                    s = " "
                }
                if s.properties.isWhitespace { space = !out.isEmpty; previous = nil; continue }
                if space { out.append(" "); space = false }
                out.append(s)
                previous = s
            }
            return SearchText.string(out)
        }
        let alphabet: [String] = ["a", "Ｂ", " ", "\t", "\u{3000}", "か", "カ", "ｶ", "ﾞ", "ー", "-", "〜", "子", "é", "e\u{0301}", "ß",
                                  "🙂", "𠀋", "ﷺ", "㍻", "①", "・", "、", "\u{00A0}", "ヽ", "ヾ", "Ω"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<4000 {
            let text = (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            XCTAssertEqual(SearchText.string(SearchText.normalizedScalars(text)), reference(text), "\(Array(text.unicodeScalars).map { String($0.value, radix: 16) })")
        }
        XCTAssertEqual(SearchText.normalizedScalars("ﷺ").count, reference("ﷺ").unicodeScalars.count)
        XCTAssertGreaterThan(SearchText.normalizedScalars("ﷺﷺﷺ").count, "ﷺﷺﷺ".utf8.count + 8, "the buffer grew")
    }

    /// The indexer's scalar-level cut gives the tokens that `runs` and `bigrams` (the
    /// definitions the query side uses) give, on random mixes of scripts and separators.
    func testIndexTokensAgreeWithRunsAndBigrams() {
        let alphabet: [String] = ["a", "Z", "7", " ", "・", "、", "か", "カ", "ｶ", "ﾞ", "ー", "-", "子", "育", "Ａ", "é", "\u{0301}", "ß", "🙂", "々"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            for unigrams in [false, true] {
                var expected: [String] = []
                for run in SearchText.runs(normalized: SearchText.normalize(text)) {
                    let scalars = Array(run.text.unicodeScalars)
                    if !run.japanese || scalars.count == 1 { expected.append(run.text); continue }
                    expected += SearchText.bigrams(run)
                    if unigrams { expected += scalars.map { String($0) } }
                }
                XCTAssertEqual(SearchText.indexTokens(text, unigrams: unigrams), expected, text)
            }
        }
    }

    func testLongVowelAndDashVariantsMeet() {
        let expected = "けあらー"
        for dash in ["ー", "ｰ", "－", "-", "‐", "‑", "‒", "–", "—", "―", "−", "〜", "～"] {
            XCTAssertEqual(SearchText.normalize("ケアラ" + dash), expected, "ケアラ\(dash)")
        }
        XCTAssertEqual(SearchText.normalize("ケアラーー"), expected, "repeated marks collapse")
        XCTAssertEqual(SearchText.normalize("0120－000"), "0120 000", "a dash between digits separates")
        XCTAssertEqual(SearchText.normalize("9時〜17時"), "9時 17時", "a wave dash after a kanji separates")
        XCTAssertEqual(SearchText.normalize("ー"), "", "a mark with no kana before it is dropped")
    }

    func testQueryTokensAreBigramsWordsAndSingleCharacters() {
        XCTAssertEqual(SearchText.queryTokens("子育て"), ["子育", "育て"])
        XCTAssertEqual(SearchText.queryTokens("心"), ["心"], "a one-character query is its character")
        XCTAssertEqual(SearchText.queryTokens("dv被害"), ["dv", "被害"], "Latin words are whole, Japanese in bigrams")
        XCTAssertEqual(SearchText.queryTokens("24時間 0120"), ["24", "時間", "0120"], "digits are words")
        XCTAssertEqual(SearchText.queryTokens("孤独・孤立"), ["孤独", "孤立"], "・ separates")
        XCTAssertEqual(SearchText.queryTokens("ない ない"), ["ない"], "no repeats")
    }

    func testIndexTokensKeepFrequenciesAndUnigrams() {
        XCTAssertEqual(SearchText.indexTokens("子育て", unigrams: false), ["子育", "育て"])
        XCTAssertEqual(SearchText.indexTokens("子育て", unigrams: true), ["子育", "育て", "子", "育", "て"])
        XCTAssertEqual(SearchText.indexTokens("ＮＰＯ法人 npo", unigrams: false), ["npo", "法人", "npo"])
    }
}

/// Scoring, sharding and the files, on small sites.
final class SearchIndexTests: XCTestCase {
    /// A document's terms: each token counted in the field it is in, Japanese tokens and
    /// words alike, and each field's length in tokens.
    func testTermFrequenciesAreCountedByField() {
        let doc = SearchDocument(kind: .window, slug: "a", title: "子育て", summary: "", name: "子育て", about: "子育て相談 DV",
                                 bodyParts: ["相談 dv", "相談"], categories: [], stages: [], regions: [], channels: [],
                                 flags: [], free: false, anonymous: false, phone: nil)
        let terms = SearchIndexer.terms(of: doc)
        var counts: [String: [Int32]] = [:]
        for (token, f) in terms.japanese { counts[JapaneseToken.text(token)] = [f.name, f.summary, f.body] }
        for (token, f) in terms.words { counts[token] = [f.name, f.summary, f.body] }
        XCTAssertEqual(counts["子育"], [1, 1, 0])
        XCTAssertEqual(counts["子"], [1, 1, 0], "unigrams in name and summary")
        XCTAssertEqual(counts["相談"], [0, 1, 2])
        XCTAssertEqual(counts["相"], [0, 1, 0], "a unigram of the summary; none in the body")
        XCTAssertEqual(counts["dv"], [0, 1, 1])
        // 子育 育て 子 育 て | 子育 育て て相 相談 子 育 て 相 談 dv | 相談 dv 相談
        XCTAssertEqual([terms.lengths.0, terms.lengths.1, terms.lengths.2], [5, 10, 3])
        XCTAssertEqual(JapaneseToken.text(JapaneseToken.pack("子", "育")), "子育")
        XCTAssertEqual(JapaneseToken.text(JapaneseToken.pack("𠀋")), "𠀋")
    }

    /// Levels found by comparing with the bounds are the formula's levels: random scores,
    /// scores on and next to every bound (where rounding goes away from zero), the top, zero,
    /// subnormal scores.
    func testImpactLevelsAreTheFormulasLevels() {
        var rng = SystemRandomNumberGenerator()
        for top in [1.0, 0.37, 123.456, 8e-3] {
            let levels = ImpactLevels(top: top)
            var scores: [Double] = [0, top, top * 2, top * 1e-12, top * 0.999_999_999_9, 1e-310]
            for k in 0..<40 {
                let bound = top * exp2(-(Double(k) + 0.5) / 4)
                scores += [bound, bound.nextUp, bound.nextDown, bound * (1 + 1e-10), bound * (1 - 1e-10), bound * 1.01, bound * 0.99]
            }
            for _ in 0..<20_000 { scores.append(top * exp2(-Double.random(in: 0...10, using: &rng))) }
            for score in scores {
                XCTAssertEqual(levels.level(score), ImpactLevels.formula(score, top: top), "score \(score), top \(top)")
            }
            XCTAssertEqual(levels.level(top), SearchIndexer.levels - 1)
            XCTAssertEqual(levels.level(top * 1e-12), 0)
        }
        XCTAssertEqual(ImpactLevels(top: 0).level(1), 0)
    }

    /// Postings come back from their lists as appended, across block and segment boundaries
    /// (over a megabyte of postings), for lists appended to in turn, with large gaps and
    /// counts (several varint bytes) and the common one-byte form.
    func testPostingListsGiveBackWhatWasAppended() {
        let lists = PostingLists()
        var expected: [[SearchIndexer.Posting]] = []
        for _ in 0..<7 { _ = lists.makeList(); expected.append([]) }
        var rng = SystemRandomNumberGenerator()
        var lastDoc = Array(repeating: Int32(-1), count: 7)
        for n in 0..<400_000 {
            let list = Int.random(in: 0..<7, using: &rng)
            let gap = n % 1000 == 0 ? Int32.random(in: 1...3_000_000, using: &rng) : Int32.random(in: 1...3, using: &rng)
            let doc = lastDoc[list] + gap
            lastDoc[list] = doc
            var f = SearchIndexer.Frequencies()
            if n % 5 == 0 {
                f.name = Int32.random(in: 0...300, using: &rng); f.summary = Int32.random(in: 0...3, using: &rng); f.body = Int32.random(in: 0...100_000, using: &rng)
            } else {
                f.body = Int32.random(in: 1...127, using: &rng)
            }
            let p = SearchIndexer.Posting(doc: doc, frequencies: f)
            lists.append(p, to: list)
            expected[list].append(p)
        }
        let empty = lists.makeList()
        lists.seal()
        XCTAssertEqual(lists.postingCount(empty), 0)
        lists.forEach(empty) { _ in XCTFail("an empty list has no postings") }
        for list in 0..<7 {
            var got: [SearchIndexer.Posting] = []
            lists.forEach(list) { got.append($0) }
            XCTAssertEqual(lists.postingCount(list), expected[list].count)
            XCTAssertEqual(got.count, expected[list].count)
            XCTAssertTrue(zip(got, expected[list]).allSatisfy { a, b in
                a.doc == b.doc && a.frequencies.name == b.frequencies.name && a.frequencies.summary == b.frequencies.summary && a.frequencies.body == b.frequencies.body
            }, "list \(list)")
        }
    }

    /// The counting table grows past its first size and counts like a dictionary would.
    func testTermCounterAgreesWithADictionaryAcrossGrowth() {
        var counter = SearchIndexer.TermCounter(expected: 1)
        var expected: [UInt64: [Int32]] = [:]
        var state: UInt64 = 42
        for n in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let token = JapaneseToken.pack(Unicode.Scalar(UInt32(0x4E00 + (state >> 33) % 1500))!)
            counter.field = n % 3
            counter.japanese(token)
            expected[token, default: [0, 0, 0]][n % 3] += 1
        }
        let terms = counter.japaneseTerms()
        XCTAssertEqual(terms.count, expected.count)
        XCTAssertEqual(Set(terms.map(\.token)).count, terms.count, "each token once")
        for (token, f) in terms { XCTAssertEqual([f.name, f.summary, f.body], expected[token]) }
        XCTAssertEqual([counter.lengths.0, counter.lengths.1, counter.lengths.2], [1667, 1667, 1666], "tokens counted by field")
    }

    /// A table given back is cleared: the next document counted in it (the same table, taken
    /// back at once) sees none of the first one's tokens or counts.
    func testAGivenBackTableCountsTheNextDocumentFromZero() {
        let kanji = (0..<3000).map { JapaneseToken.pack(Unicode.Scalar(UInt32(0x4E00 + $0))!) }
        var first = SearchIndexer.TermCounter(expected: 1)
        for (n, token) in kanji.enumerated() { first.field = n % 3; first.japanese(token); first.japanese(token) }
        XCTAssertEqual(first.japaneseTerms().count, 3000)
        first.giveBackTable()

        var second = SearchIndexer.TermCounter(expected: 1)
        second.field = 2
        for token in [kanji[5], kanji[2999], kanji[5], kanji[7]] { second.japanese(token) }
        let terms = second.japaneseTerms()
        second.giveBackTable()
        XCTAssertEqual(terms.map(\.token), [kanji[5], kanji[2999], kanji[7]])
        XCTAssertEqual(terms.map { [$0.frequencies.name, $0.frequencies.summary, $0.frequencies.body] },
                       [[0, 0, 2], [0, 0, 1], [0, 0, 1]])
    }

    /// The table taken next is the one given back last (so the test above counts in a used
    /// table); one too large to keep is let go.
    func testTablesAreHandedOnAndVeryLargeOnesFreed() {
        let table = SearchIndexer.FrequencyTable.take(expected: 100)
        SearchIndexer.FrequencyTable.giveBack(table)
        let again = SearchIndexer.FrequencyTable.take(expected: 100)
        XCTAssertTrue(again === table)
        SearchIndexer.FrequencyTable.giveBack(again)
        let huge = SearchIndexer.FrequencyTable(expected: SearchIndexer.FrequencyTable.largestKept)
        SearchIndexer.FrequencyTable.giveBack(huge)
        XCTAssertFalse(SearchIndexer.FrequencyTable.take(expected: 1) === huge)
    }

    /// Positions are given in the order tokens are first added, the same position each time a
    /// token comes back, through many growths; tokens that differ only in high bits or only
    /// in low bits (clustering for a poor hash) are kept apart.
    func testTokenNumbersGivePositionsInFirstAddedOrder() {
        var numbers = SearchIndexer.TokenNumbers(expected: 1)
        var firstSeen: [UInt64: Int] = [:]
        var order: [UInt64] = []
        var state: UInt64 = 7
        for n in 0..<60_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let token: UInt64
            switch n % 3 {
            case 0: token = 1 + (state >> 50)                 // small numbers
            case 1: token = (state >> 52) << 40 | 1          // high bits only
            default: token = JapaneseToken.pack(Unicode.Scalar(UInt32(0x3041 + (state >> 33) % 5000))!)
            }
            let (at, new) = numbers.position(of: token)
            if let first = firstSeen[token] {
                XCTAssertEqual(at, first); XCTAssertFalse(new)
            } else {
                XCTAssertEqual(at, order.count); XCTAssertTrue(new)
                firstSeen[token] = at
                order.append(token)
            }
        }
        XCTAssertEqual(numbers.tokens, order)
        XCTAssertGreaterThan(order.count, 10_000, "the table grew many times")
    }

    var site: TestSite!

    override func setUpWithError() throws {
        site = try TestSite("basic")
    }

    override func tearDown() { site.remove() }

    func linked(threads: Int = 2) throws -> LinkedSite {
        let (linked, _, diagnostics) = Build.check(site.options(threads: threads))
        return try XCTUnwrap(linked, "\(diagnostics)")
    }

    func window(_ slug: String, name: String, reading: String, summary: String, categories: String = "[kodoku]",
                region: String = "national", crisis: Bool = false, body: String = "") throws {
        try site.write("content/windows/\(slug).md", """
        ---
        name: \(name)
        reading: \(reading)
        summary: \(summary)
        categories: \(categories)
        life_stages: [dare-demo]
        regions: [\(region)]
        crisis: \(crisis)
        channels:
          - type: Web
            url: https://example.test/\(slug)
        sample: true
        ---
        \(body)
        """)
    }

    func reader(_ site: LinkedSite, targetShardBytes: Int = SearchIndexer.targetShardBytes) throws -> (SearchReader, [SearchDocument]) {
        let indexer = SearchIndexer(site: site, threads: 2)
        let built = indexer.build(targetShardBytes: targetShardBytes)
        return (try SearchReader(files: built.files, manifestPath: built.manifest), indexer.documents)
    }

    func slugs(_ query: String, _ reader: SearchReader, _ docs: [SearchDocument]) -> [String] {
        reader.search(query).map { docs[$0].slug }
    }

    /// The result list's data: a summary past 120 characters is cut to 119 and "…" (one of
    /// 50 kanji, 150 bytes, is not), quotes and '<' are escaped, and each chunk is a JSON array
    /// of arrays that the browser parses.
    func testResultDataCutsLongSummariesAndEscapes() throws {
        let long = String(repeating: "相談", count: 65)
        let kanji50 = String(repeating: "窓", count: 50)
        try window("a-long", name: "長い説明の窓口", reading: "ながい", summary: long)
        try window("b-fifty", name: "五十字の窓口", reading: "ごじゅう", summary: kanji50)
        try window("c-quote", name: "窓口 \"引用\" <相談>", reading: "いんよう", summary: "説明")
        let indexer = SearchIndexer(site: try linked(), threads: 2)
        let built = indexer.build()
        var rows: [String: [Any]] = [:]
        for file in built.files where file.path.contains("/m/") {
            let chunk = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(file.bytes)) as? [[Any]])
            for row in chunk { rows[try XCTUnwrap(row[1] as? String)] = row }
            XCTAssertEqual(file.bytes.last, UInt8(ascii: "\n"))
        }
        XCTAssertEqual(rows["a-long"]?[3] as? String, String(long.prefix(119)) + "…")
        XCTAssertEqual(rows["b-fifty"]?[3] as? String, kanji50)
        XCTAssertEqual(rows["c-quote"]?[2] as? String, "窓口 \"引用\" <相談>")
        let raw = built.files.filter { $0.path.contains("/m/") }.map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
        XCTAssertFalse(raw.contains("<相談>"), "'<' is escaped in the JSON")
    }

    func testNameMatchBeatsBodyMatch() throws {
        // The body-only window sorts first by reading, so only scoring can put the other first.
        try window("a-body", name: "あおぞら相談室", reading: "あおぞらそうだんしつ", summary: "話を聞きます",
                   body: "ひきこもりの方のご家族からの相談も受けています。")
        try window("z-name", name: "ひきこもり相談室", reading: "わかばひきこもりそうだんしつ", summary: "話を聞きます")
        let (reader, docs) = try reader(linked())
        let ranked = slugs("ひきこもり", reader, docs)
        XCTAssertEqual(Array(ranked.prefix(2)), ["z-name", "a-body"])
        XCTAssertEqual(slugs("ヒキコモリ", reader, docs), ranked, "katakana finds the same")
    }

    func testSynonymsFromTheTaxonomyFindTheCategory() throws {
        let (reader, docs) = try reader(linked())
        // 育児 is a synonym of 子育て (kosodate) in the fixture; no window text says 育児.
        let ranked = slugs("育児", reader, docs)
        XCTAssertEqual(Set(ranked.prefix(3)), ["national-line", "tokyo-line", "osaka-line"])
        XCTAssertFalse(ranked.contains("koto-line"))
    }

    func testASynonymThatIsTheQueryBeatsOneThatContainsIt() throws {
        // Two worries whose synonyms both hold いじめ: the one where it is the whole word ranks
        // first, though its window takes the higher id (worry order, then slug); before, both
        // scored alike and the id decided.
        try site.write("content/taxonomies/categories.yml", """
        - slug: shigoto
          label: 仕事
          reading: しごと
          order: 1
          synonyms: [職場のいじめ, パワハラ]
        - slug: gakko
          label: 学校・いじめ
          reading: がっこういじめ
          order: 2
          synonyms: [いじめ, 不登校]
        - slug: kosodate
          label: 子育て
          reading: こそだて
          order: 3
        - slug: kodoku
          label: 孤独・孤立
          reading: こどく・こりつ
          order: 4
        """)
        try window("a-work", name: "あおば相談室", reading: "あおばそうだんしつ", summary: "話を聞きます", categories: "[shigoto]")
        try window("z-school", name: "わかば相談室", reading: "わかばそうだんしつ", summary: "話を聞きます", categories: "[gakko]")
        let (reader, docs) = try reader(linked())
        XCTAssertEqual(slugs("いじめ", reader, docs), ["z-school", "a-work"])
        XCTAssertEqual(slugs("イジメ", reader, docs), ["z-school", "a-work"], "katakana finds the same")
    }

    func testCrisisLinesComeFirstAndWindowsBeforeOtherEntries() throws {
        // tokyo-line's short summary scores higher on 子育て than national-line's: the crisis
        // line still comes first.
        let (reader, docs) = try reader(linked())
        let ranked = slugs("子育て", reader, docs)
        XCTAssertEqual(ranked.first, "national-line")
        XCTAssertEqual(Set(ranked), ["national-line", "tokyo-line", "osaka-line"])
        XCTAssertEqual(docs.first?.slug, "national-line", "crisis windows take the first ids")
    }

    func testWindowsRankBeforeOtherEntriesAtEqualScore() throws {
        // A member group and a window with the same name and nothing else in common.
        try window("same-w", name: "ふたば会", reading: "ふたばかい", summary: "概要")
        try site.write("content/members/same-m.md", """
        ---
        name: ふたば会
        reading: ふたばかい
        summary: 概要
        source: fixture
        ---
        """)
        let (reader, docs) = try reader(linked())
        let ranked = reader.search("ふたば会")
        XCTAssertEqual(ranked.map { docs[$0].slug }.prefix(2), ["same-w", "same-m"])
        let w = ranked[0], m = ranked[1]
        let windowScore = try XCTUnwrap(reader.entry("ふた")).postings.first { $0.doc == w }?.level
        let memberScore = try XCTUnwrap(reader.entry("ふた")).postings.first { $0.doc == m }?.level
        XCTAssertEqual(windowScore, memberScore, "the scores are equal: the order is the tie-break")
    }

    func testPrefixOfTheLastWordWhileTyping() throws {
        try window("lgbt", name: "LGBTQ電話相談", reading: "えるじーびーてぃーきゅーでんわそうだん", summary: "性の多様性の相談")
        let (reader, docs) = try reader(linked())
        XCTAssertEqual(slugs("lgb", reader, docs).first, "lgbt", "the last word is completed")
        XCTAssertEqual(slugs("ＬＧＢＴＱ", reader, docs).first, "lgbt")
        XCTAssertEqual(slugs("lgb ", reader, docs), [], "a finished word is not")
    }

    func testAQueryFetchesOnlyTheShardsHoldingItsTokens() throws {
        try window("lgbt", name: "LGBTQ電話相談", reading: "えるじーびーてぃーきゅーでんわそうだん", summary: "性の多様性の相談 lgbt")
        let indexer = SearchIndexer(site: try linked(), threads: 2)
        let built = indexer.build(targetShardBytes: 64)
        let reader = try SearchReader(files: built.files, manifestPath: built.manifest)
        XCTAssertGreaterThan(reader.manifest.shards, 4, "a small target gives many shards")
        for (i, shard) in reader.shards.enumerated() {
            for token in shard.keys {
                XCTAssertEqual(SearchIndexer.shard(of: token, count: reader.manifest.shards), i, "\(token) is in the shard it hashes to")
            }
        }
        for token in SearchText.queryTokens("子育て 東京") {
            XCTAssertNotNil(reader.shards[reader.shard(of: token)][token], token)
        }
        XCTAssertEqual(reader.shard(of: "lgbt"), reader.shard(of: "lgbtq"), "words sharing a first letter share a shard (prefix search)")
        XCTAssertEqual(SearchIndexer.shardKey("lgbt"), "wl")
        XCTAssertEqual(SearchIndexer.shardKey("子育"), "子育")
        // The manifest names the folder, and every file is below it.
        let folder = SearchIndexer.folder + reader.manifest.folder
        XCTAssertTrue(built.files.allSatisfy { $0.path == built.manifest || $0.path.hasPrefix(folder) })
        XCTAssertTrue(built.manifest.hasPrefix("search/manifest.") && built.manifest.hasSuffix(".json"))
    }

    func testFNVShardHashMatchesTheBrowser() {
        // search.js computes FNV-1a 32 over the UTF-8 of the key; these are its values.
        XCTAssertEqual(SearchIndexer.shard(of: "子育", count: 1 << 30), Int(SearchIndexerTestVectors.fnv("子育") % (1 << 30)))
        XCTAssertEqual(SearchIndexerTestVectors.fnv("a"), 0xe40c292c)
        XCTAssertEqual(SearchIndexerTestVectors.fnv(""), 0x811c9dc5)
    }

    /// Tokens from the documents and tokens only in the taxonomies' words merge into one
    /// sorted list: a token in both has its postings and its group hits in one entry.
    func testEntriesMergeDocumentTokensAndGroupWordsInOrder() throws {
        try window("ikuji", name: "育児の電話", reading: "いくじのでんわ", summary: "話を聞きます")
        let indexer = SearchIndexer(site: try linked(), threads: 2)
        let entries = indexer.encodedEntries()
        let tokens = entries.map(\.token)
        XCTAssertEqual(tokens, tokens.sorted())
        XCTAssertEqual(Set(tokens).count, tokens.count, "each token once")
        let built = indexer.build()
        let reader = try SearchReader(files: built.files, manifestPath: built.manifest)
        let ikuji = try XCTUnwrap(reader.entry("育児"), "in a window's name and a category's synonyms")
        XCTAssertFalse(ikuji.groupHits.isEmpty)
        XCTAssertEqual(ikuji.postings.map { indexer.documents[$0.doc].slug }, ["ikuji"])
        // Every token's entry is found, and the three kinds are all there.
        let kinds = try tokens.map { token -> String in
            let entry = try XCTUnwrap(reader.entry(token), token)
            return (entry.postings.isEmpty ? "" : "documents") + (entry.groupHits.isEmpty ? "" : "+groups")
        }
        XCTAssertEqual(Set(kinds), ["documents", "+groups", "documents+groups"])
        let talk = try XCTUnwrap(reader.entry("聞き"), "only in documents")
        XCTAssertTrue(talk.groupHits.isEmpty)
        XCTAssertEqual(talk.df, Set(talk.postings.map(\.doc)).count)
        XCTAssertTrue(talk.postings.contains { indexer.documents[$0.doc].slug == "ikuji" })
    }

    func testIndexBytesAreTheSameWhateverTheThreadCount() throws {
        try window("lgbt", name: "LGBTQ電話相談", reading: "えるじーびーてぃーきゅーでんわそうだん", summary: "性の多様性の相談")
        let one = SearchIndexer(site: try linked(threads: 1), threads: 1).build(targetShardBytes: 128)
        let four = SearchIndexer(site: try linked(threads: 4), threads: 4).build(targetShardBytes: 128)
        XCTAssertEqual(one.manifest, four.manifest)
        XCTAssertEqual(one.files.map(\.path), four.files.map(\.path))
        XCTAssertEqual(one.files.map(\.bytes), four.files.map(\.bytes))
    }

    func testRegionCodesOfTheManifestRoundTripInFewerBytes() {
        let codes = ["national", "01", "13", "27", "011000", "011071", "131016", "131083", "272108", "272116", "011142"]
        let compact = SearchIndexer.compactRegionCodes(codes)
        XCTAssertEqual(compact, "national 01 13 27 011000 1071 131016 1083 272108 2116 011142")
        XCTAssertEqual(SearchIndexer.expandRegionCodes(compact), codes)
        XCTAssertEqual(SearchIndexer.expandRegionCodes(""), [])
        let json = "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        XCTAssertLessThan(compact.utf8.count + 2, json.utf8.count * 3 / 4)
    }

    func testGroupSetsRoundTripAsRunsGapsOrBitmaps() {
        for docs in [[], [0], [3, 4, 5, 6, 20, 21], Array(stride(from: 0, to: 400, by: 3)), Array(0..<1000),
                     [5, 900, 4000, 9000], Array(stride(from: 7, to: 30000, by: 997))] {
            var bytes: [UInt8] = []
            VarInt.append(1, to: &bytes)
            SearchIndexer.encodeSet(docs, into: &bytes)
            XCTAssertEqual(SearchReader.decodeGroups(bytes), [docs])
        }
        var dense: [UInt8] = []
        SearchIndexer.encodeSet(Array(stride(from: 0, to: 800, by: 2)), into: &dense)
        XCTAssertLessThan(dense.count, 110, "a dense scattered set is a bitmap")
        var runs: [UInt8] = []
        SearchIndexer.encodeSet(Array(100..<900), into: &runs)
        XCTAssertLessThan(runs.count, 6, "a contiguous set is one run")
        var sparse: [UInt8] = []
        let scattered = Array(stride(from: 7, to: 30000, by: 997))
        SearchIndexer.encodeSet(scattered, into: &sparse)
        XCTAssertEqual(sparse[0] & 3, 2, "a few scattered documents are gaps")
        XCTAssertLessThanOrEqual(sparse.count, 1 + 2 * scattered.count, "two bytes a document, not three")
    }

    func testGroupsFollowTheAvailableToAResidentRule() throws {
        let indexer = SearchIndexer(site: try linked(), threads: 2)
        let regions = indexer.groups.filter { $0.kind == .region }
        XCTAssertEqual(regions.map(\.key), ["national", "13", "27", "131083"], "only served regions, in table order")
        let koto = try XCTUnwrap(regions.first { $0.key == "131083" })
        XCTAssertEqual(koto.docs.map { indexer.documents[$0].slug }, ["koto-line", "koto"], "the window and the case study of 江東区")
    }

    /// The pages name the manifest; the kids' page lists the windows for children, crisis first.
    func testSearchAndFinderPagesNameTheIndexAndTheKidsPageListsTheirWindows() throws {
        try site.write("content/taxonomies/life-stages.yml", """
        - slug: oya
          label: 子育て中の方
          reading: こそだてちゅうのかた
        - slug: dare-demo
          label: どなたでも
          reading: どなたでも
        - slug: kodomo
          label: 子ども・18歳以下
          reading: こども
        """)
        try window("kids-chat", name: "こどもチャット", reading: "こどもちゃっと", summary: "子どものチャット相談")
        try site.write("content/windows/kids-chat.md", try String(contentsOf: site.root.appendingPathComponent("content/windows/kids-chat.md"), encoding: .utf8)
            .replacingOccurrences(of: "life_stages: [dare-demo]", with: "life_stages: [kodomo]"))
        try window("kids-line", name: "こどもSOSでんわ", reading: "こどもえすおーえすでんわ", summary: "子どもの電話", crisis: true)
        try site.write("content/windows/kids-line.md", try String(contentsOf: site.root.appendingPathComponent("content/windows/kids-line.md"), encoding: .utf8)
            .replacingOccurrences(of: "life_stages: [dare-demo]", with: "life_stages: [kodomo]"))
        try site.build()
        let search = try site.page("search/index.html")
        let manifest = try XCTUnwrap(search.range(of: #"data-search-index="/search/manifest\.[0-9a-f]+\.json""#, options: .regularExpression))
        let path = String(search[manifest].dropFirst("data-search-index=\"/".count).dropLast())
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.output.appendingPathComponent(path).path))
        XCTAssertTrue(search.contains("/assets/search."), "the search page loads search.js")
        XCTAssertTrue(try site.page("find/index.html").contains(path))
        let kids = try site.page("find/kids/index.html")
        let crisis = try XCTUnwrap(kids.range(of: "/windows/kids-line/"))
        let chat = try XCTUnwrap(kids.range(of: "/windows/kids-chat/"))
        XCTAssertLessThan(crisis.lowerBound, chat.lowerBound)
        XCTAssertFalse(kids.contains("/windows/tokyo-line/"))
        XCTAssertTrue(try site.page("index.html").contains("href=\"/find/kids/\""))
        XCTAssertTrue(try site.page("find/index.html").contains("href=\"/find/kids/\""))
    }

    func testNoKidsPageWithoutTheStage() throws {
        try site.build()
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("find/kids/index.html").path))
    }
}

enum SearchIndexerTestVectors {
    static func fnv(_ s: String) -> UInt32 {
        var h: UInt32 = 0x811c9dc5
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 0x01000193 }
        return h
    }
}
