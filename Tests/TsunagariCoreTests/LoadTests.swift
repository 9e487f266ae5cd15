import XCTest
@testable import TsunagariCore

final class SourceFileTests: XCTestCase {
    func testBOMAndCRLFAreNormalised() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("---\r\nname: a\r\n---\r\nbody\r\n".utf8)
        let file = try SourceFile.decode(path: "x.md", bytes: bytes).get()
        XCTAssertEqual(file.text, "---\nname: a\n---\nbody\n")
    }

    func testInvalidUTF8IsLocated() {
        let bytes = Array("---\nname: あ".utf8) + [0xC3, 0x28] + Array("\n---\n".utf8)
        guard case .failure(let d) = SourceFile.decode(path: "x.md", bytes: bytes) else { return XCTFail() }
        XCTAssertEqual(d.description, "x.md:2:8: error: invalid UTF-8 byte 0xC3 (save the file as UTF-8)")
    }

    func testOverlongAndSurrogateEncodingsAreInvalid() {
        XCTAssertEqual(SourceFile.firstInvalidUTF8([0xC0, 0x80][...]), 0)
        XCTAssertEqual(SourceFile.firstInvalidUTF8([0x41, 0xED, 0xA0, 0x80][...]), 1)
        XCTAssertEqual(SourceFile.firstInvalidUTF8([0xE3, 0x81][...]), 0)
        XCTAssertNil(SourceFile.firstInvalidUTF8(Array("日本語😀".utf8)[...]))
    }

    func testOversizedFileIsRejected() {
        let bytes = [UInt8](repeating: 0x61, count: SourceFile.maxBytes + 1)
        guard case .failure(let d) = SourceFile.decode(path: "big.md", bytes: bytes) else { return XCTFail() }
        XCTAssertTrue(d.message.contains("over the limit"))
    }

    func testFrontMatterSplitKeepsLineNumbers() throws {
        let doc = try FrontMatterDocument.split(SourceFile(path: "x.md", text: "---\na: 1\nb: 2\n---\n本文\n")).get()
        XCTAssertEqual(doc.frontMatter, "a: 1\nb: 2")
        XCTAssertEqual(doc.frontMatterLineOffset, 1)
        XCTAssertEqual(doc.body, "本文\n")
        XCTAssertEqual(doc.bodyFirstLine, 5)
    }

    func testFrontMatterErrors() {
        guard case .failure(let missing) = FrontMatterDocument.split(SourceFile(path: "x.md", text: "本文")) else { return XCTFail() }
        XCTAssertEqual(missing.message, "missing front matter")
        guard case .failure(let open) = FrontMatterDocument.split(SourceFile(path: "x.md", text: "---\na: 1\n")) else { return XCTFail() }
        XCTAssertEqual(open.message, "front matter is not closed")
    }

    /// The split on bytes against the split on Strings it replaced, on random texts made of
    /// lines that open, close, almost close (`--`, `---x`, `-- -`, a dash with a combining
    /// mark, a CR) or are content, with and without a final line break.
    func testFrontMatterSplitMatchesTheStringReference() {
        let pieces = ["---", "--- ", "---  - -", "...", "....", "--", "-- -", "---x", "--- x", "---\u{301}", "---\r",
                      "----", "-.-", "--.", "---- ", ".. .", "--- .", "a: 1", "本文", "", " ---", "- a", "name: ひとり"]
        var random = EscaperPropertyTests.Random(seed: 11)
        for _ in 0..<3000 {
            let count = random.below(8)
            var text = (0..<count).map { _ in pieces[random.below(pieces.count)] }.joined(separator: "\n")
            if random.below(2) == 0 { text += "\n" }
            if random.below(3) > 0 { text = "---\n" + text }
            let file = SourceFile(path: "x.md", text: text)
            switch (FrontMatterDocument.split(file), Self.referenceSplit(file)) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual([a.frontMatter, a.body], [b.frontMatter, b.body], text.debugDescription)
                XCTAssertEqual(a.bodyFirstLine, b.bodyFirstLine, text.debugDescription)
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual(a.message, b.message, text.debugDescription)
            case (let a, let b):
                XCTFail("\(text.debugDescription): \(a) against \(b)")
            }
        }
    }

    /// The split as it was written on Strings, kept as the reference.
    static func referenceSplit(_ file: SourceFile) -> Result<FrontMatterDocument, Diagnostic> {
        let text = file.text
        guard text.hasPrefix("---\n") || text == "---" || text.hasPrefix("--- \n") else {
            return .failure(SourceLocation.file(file.path).error("missing front matter"))
        }
        let utf8 = text.utf8
        let end = text.endIndex
        func lineEnd(from i: String.Index) -> String.Index { utf8[i...].firstIndex(of: 0x0A) ?? end }
        func next(after lineEnd: String.Index) -> String.Index { lineEnd < end ? utf8.index(after: lineEnd) : end }
        var lineNumber = 1
        var bodyStart: String.Index? = nil
        let frontStart = next(after: lineEnd(from: text.startIndex))
        var frontEnd = frontStart
        var index = frontStart
        while index < end {
            lineNumber += 1
            let lineEnd = lineEnd(from: index)
            let line = text[index..<lineEnd]
            if line == "---" || line == "..." || line.hasPrefix("--- ") && line.allSatisfy({ $0 == "-" || $0 == " " }) {
                bodyStart = next(after: lineEnd)
                frontEnd = index
                break
            }
            index = next(after: lineEnd)
        }
        guard let bodyStart else { return .failure(SourceLocation.file(file.path).error("front matter is not closed")) }
        let frontMatter = frontEnd > frontStart ? String(text[frontStart..<utf8.index(before: frontEnd)]) : ""
        return .success(FrontMatterDocument(frontMatter: frontMatter, frontMatterLineOffset: 1,
                                            body: String(text[bodyStart...]), bodyFirstLine: lineNumber + 1))
    }

    func testNULAndCarriageReturnsAreFoundAnywhere() throws {
        for at in [0, 1, 7, 15, 16, 17, 40] {
            var bytes = [UInt8](repeating: 0x61, count: 48)
            bytes[at] = 0
            guard case .failure(let d) = SourceFile.decode(path: "x.md", bytes: bytes) else { return XCTFail("NUL at \(at)") }
            XCTAssertEqual(d.description, "x.md:1:\(at + 1): error: NUL character in text file (remove it; the file may be binary)")
            bytes[at] = 0x0D
            XCTAssertEqual(Array(try SourceFile.decode(path: "x.md", bytes: bytes).get().text.utf8)[at], 0x0A, "CR at \(at)")
            // After a byte-order mark the bytes are a slice that does not start at 0.
            bytes[at] = 0
            guard case .failure(let afterBOM) = SourceFile.decode(path: "x.md", bytes: [0xEF, 0xBB, 0xBF] + bytes) else { return XCTFail("BOM, NUL at \(at)") }
            XCTAssertEqual(afterBOM.description, d.description)
        }
    }

    /// Folder listings sort by UTF-8 bytes: the memcmp comparison agrees with comparing the
    /// UTF-8 views on names that share prefixes, differ in length, are empty or not ASCII
    /// (where Character order would differ: "é" written as e + U+0301 sorts after "f").
    func testListingOrderIsUTF8ByteOrder() {
        let names = ["", "a", "ab", "abc", "b", "a-1", "a1", "A", "窓口", "窓", "まど", "e\u{301}", "é", "f", "w000010", "w00001",
                     "a-very-long-slug-past-fifteen-bytes", "a-very-long-slug-past-fifteen-bytez"]
        for a in names {
            for b in names {
                XCTAssertEqual(FolderListing.precedes(Array(a.utf8), Array(b.utf8)), a.utf8.lexicographicallyPrecedes(b.utf8), "\(a.debugDescription) < \(b.debugDescription)")
            }
        }
        XCTAssertTrue(FolderListing.precedes(Array("e\u{301}".utf8), Array("f".utf8)))
        XCTAssertFalse(FolderListing.precedes(Array("é".utf8), Array("f".utf8)))
    }

    /// A folder is listed in the order of its names' bytes: names shorter and longer than the
    /// eight bytes compared first, sharing those eight bytes or not, non-ASCII.
    func testFolderIsListedInByteOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("listing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var names = ["a", "ab", "abcdefg", "abcdefgh", "abcdefgh1", "abcdefgh-", "abcdefgi", "abcdefg-", "窓口", "窓口相談", "窓", "z", "A"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let length = Int.random(in: 1...14, using: &rng)
            names.append(String((0..<length).map { _ in "ab-1窓".randomElement(using: &rng)! }))
        }
        names = Array(Set(names))
        for name in names { XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())) }
        let listed = try XCTUnwrap(FolderListing.read(folder.path)).map(\.name)
        XCTAssertEqual(listed, names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    /// Entry files are told by their names' bytes: hidden names skipped, other extensions
    /// ignored with a warning, folders and names that are not slugs errors.
    func testEntryFilesAreToldByTheirNamesBytes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("entries-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("content/windows")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["a.md", "b-2.md", ".hidden.md", ".md", "notes.txt", "md", "x.md.bak", "Bad_Name.md", "窓口.md", "c.MD"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data()))
        }
        let (files, problems) = SiteFolder(root: root).entryFiles(in: "content/windows")
        XCTAssertEqual(files, ["content/windows/a.md", "content/windows/b-2.md"])
        XCTAssertEqual(problems.map(\.description).sorted(), [
            "content/windows/Bad_Name.md:1:1: error: file name 'Bad_Name' is not a valid slug: it becomes the URL (use lower-case ASCII letters, digits and '-'; for example 'bad-name')",
            "content/windows/c.MD:1:1: warning: ignored: only .md files are entries",
            "content/windows/md:1:1: warning: ignored: only .md files are entries",
            "content/windows/notes.txt:1:1: warning: ignored: only .md files are entries",
            "content/windows/sub:1:1: error: unexpected folder in content/windows/ (entries are files directly in content/windows/)",
            "content/windows/x.md.bak:1:1: warning: ignored: only .md files are entries",
            "content/windows/窓口.md:1:1: error: file name '窓口' is not a valid slug: it becomes the URL (use lower-case ASCII letters, digits and '-')",
        ])
    }

    /// SiteFolders given the same listings list each content folder once: a file made after
    /// the first listing is not in the second (and is, for a folder not sharing them).
    func testSiteFoldersShareTheirListings() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("content/windows")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("a.md").path, contents: Data()))
        let listings = SiteFolder.Listings()
        let first = SiteFolder(root: root, listings: listings).entryFiles(in: "content/windows").0
        XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("b.md").path, contents: Data()))
        XCTAssertEqual(first, ["content/windows/a.md"])
        XCTAssertEqual(SiteFolder(root: root, listings: listings).entryFiles(in: "content/windows").0, first)
        XCTAssertEqual(SiteFolder(root: root).entryFiles(in: "content/windows").0, ["content/windows/a.md", "content/windows/b.md"])
        // Asked from several threads at once, every caller gets the one listing.
        let fresh = SiteFolder.Listings()
        let results = parallelMap(Array(0..<8), threads: 4) { _ in SiteFolder(root: root, listings: fresh).entryFiles(in: "content/windows").0 }
        XCTAssertEqual(Set(results.map { $0.joined(separator: ",") }), ["content/windows/a.md,content/windows/b.md"])
    }

    /// A slug, tested by its bytes, is what the rule by Characters and scalars says.
    func testSlugRuleByBytesAgreesWithTheRuleByCharacters() {
        func byCharacters(_ slug: String) -> Bool {
            !slug.isEmpty && slug.count <= 100 && slug.first != "-" &&
                slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
        let alphabet: [String] = ["a", "z", "0", "9", "-", "A", "_", " ", "é", "e\u{301}", "ｶ", "窓", "\u{301}", "\r\n", "."]
        var rng = SystemRandomNumberGenerator()
        var cases = ["", "-", "a-", "-a", String(repeating: "a", count: 100), String(repeating: "a", count: 101), "a\u{301}"]
        for _ in 0..<3000 {
            cases.append((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        for slug in cases { XCTAssertEqual(Slug.isValid(slug), byCharacters(slug), "\(Array(slug.unicodeScalars))") }
    }

    /// An entry's slug is its file's name without `.md`, whatever the folders before it are
    /// called (the Japanese folder name's bytes must not be cut into).
    func testEntrySlugIsTheFileNameWithoutItsExtension() {
        let cases = [("content/windows/tokyo-inochi.md", "tokyo-inochi"), ("x.md", "x"), ("content/窓口/a-1.md", "a-1"),
                     ("content/windows/.md", ""), ("content/windows/readme", "readme")]
        for (path, slug) in cases {
            XCTAssertEqual(EntryOrigin(entryPath: path), EntryOrigin(path: path, slug: slug), path)
        }
        let text = "---\nname: 窓口\nreading: まどぐち\nsummary: 相談\ncategories: [kodoku]\nlife_stages: [dare-demo]\nregions: [\"131083\"]\nchannels:\n  - type: Web\n    url: https://example.test/\nsample: true\n---\n"
        guard case .success(let file) = SourceFile.decode(path: "content/窓口/soudan-01.md", bytes: Array(text.utf8)),
              case .window(let window)? = ContentLoader.parseEntry(kind: .windows, file: file).decoded else { return XCTFail("not read as a window") }
        XCTAssertEqual(window.origin, EntryOrigin(path: "content/窓口/soudan-01.md", slug: "soudan-01"))
    }
}

final class FieldTests: XCTestCase {
    func parse(_ kind: ContentLoader.Kind, _ text: String) -> ContentLoader.EntryResult {
        ContentLoader.parseEntry(kind: kind, file: SourceFile(path: "content/\(kind.rawValue)/x.md", text: text))
    }

    func testPhoneNumberWithoutQuotesIsATypeErrorWithAHint() {
        let result = parse(.windows, "---\nname: a\nreading: あ\nsummary: s\ncategories: [a]\nlife_stages: [b]\nregions: [national]\nchannels:\n  - type: 電話\n    number: 189\n---\n")
        XCTAssertEqual(result.diagnostics.map(\.description),
                       ["content/windows/x.md:10:13: error: field 'number' must be text, not the number 189 (write it in quotes: number: \"189\")"])
    }

    func testYAML12KeepsNoAsText() {
        let result = parse(.pages, "---\ntitle: no\n---\n")
        guard case .page(let page)? = result.entry else { return XCTFail("\(result.diagnostics)") }
        XCTAssertEqual(page.title, "no")
    }

    func testNestedUnknownFieldIsLocated() {
        let result = parse(.windows, "---\nname: a\nreading: あ\nsummary: s\ncategories: [a]\nlife_stages: [b]\nregions: [national]\nchannels:\n  - type: 電話\n    numbr: \"189\"\n---\n")
        XCTAssertEqual(result.diagnostics.map(\.description),
                       ["content/windows/x.md:10:5: error: unknown field 'numbr' (did you mean 'number'?)"])
    }

    /// A mapping longer than `FieldReader.scanLimit` is looked up through its table: the same
    /// fields read, the same unknown ones reported, where they are written.
    func testLongMappingsReadAsShortOnes() {
        for extra in [0, FieldReader.scanLimit + 5] {
            let padding = (0..<extra).map { "x\($0): 1\n" }.joined()
            let result = parse(.windows, "---\nname: a\nreading: あ\nsummary: s\ncategories: [a]\nlife_stages: [b]\nregions: [national]\n" + padding + "chanels: []\ncost: 無料\n---\n")
            let unknown = result.diagnostics.filter { $0.message.hasPrefix("unknown field") }
            XCTAssertEqual(unknown.count, extra + 1, "\(extra)")
            XCTAssertEqual(unknown.last?.description, "content/windows/x.md:\(8 + extra):1: error: unknown field 'chanels' (did you mean 'channels'?)")
            guard case .window(let w)? = result.decoded else { return XCTFail("\(result.diagnostics)") }
            XCTAssertEqual(w.cost, "無料")
            XCTAssertEqual(w.summary, "s")
        }
    }

    /// Fields are found by name among keys of the same length (reading, summary, regions and
    /// sources have seven bytes each; 相談 has six, as 'phones' does), and a value with blanks
    /// at either end is trimmed, one without is kept as written.
    func testFieldsOfTheSameLengthAreToldApart() {
        let result = parse(.windows, "---\nsources: x\nregions: [national]\nsummary: \" s \"\nreading: あ\nname: \"\\tn a\\n\"\ncategories: [a]\nlife_stages: [b]\n相談: 1\ncost: 無料\n---\n")
        guard case .window(let w)? = result.decoded else { return XCTFail("\(result.diagnostics)") }
        XCTAssertEqual(w.summary, "s")
        XCTAssertEqual(w.reading, "あ")
        XCTAssertEqual(w.name, "n a")
        XCTAssertEqual(w.cost, "無料")
        XCTAssertEqual(result.diagnostics.filter { $0.message.hasPrefix("unknown field") }.map(\.message).sorted(),
                       ["unknown field 'sources'", "unknown field '相談'"])
    }

    /// Trimming with the ends' bytes looked at first is what the search from both ends (kept
    /// here as the reference) gives.
    func testTrimmingBlanksAgreesWithTheSearchFromBothEnds() {
        func reference(_ s: String) -> String {
            let utf8 = s.utf8
            func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A }
            guard let first = utf8.firstIndex(where: { !blank($0) }) else { return "" }
            let last = utf8.lastIndex(where: { !blank($0) })!
            if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return s }
            return String(s[first...last])
        }
        let alphabet: [String] = [" ", "\t", "\n", "a", "窓", "\u{3000}", "e\u{301}", "\r"]
        var rng = SystemRandomNumberGenerator()
        var cases = ["", " ", "a", " a", "a ", "\ta\n", "窓", "a\r\n", String(repeating: "長い", count: 20)]
        for _ in 0..<3000 { cases.append((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()) }
        for s in cases { XCTAssertEqual(FieldReader.trimmingBlanks(s), reference(s), "\(Array(s.unicodeScalars))") }
        XCTAssertEqual(FieldReader.trimmingBlanks(" 窓 口\t"), "窓 口")
    }

    func testPeriodEndingBeforeItStarts() {
        let result = parse(.windows, "---\nname: a\nreading: あ\nsummary: s\ncategories: [a]\nlife_stages: [b]\nregions: [national]\nchannels: [{type: 電話}]\nperiod: {from: 2024-03-01, until: 2024-02-01}\n---\n")
        XCTAssertEqual(result.diagnostics.map(\.message), ["the period ends (2024-02-01) before it starts (2024-03-01)"])
    }
}

final class RuleTests: XCTestCase {
    func testPhoneNumbers() {
        XCTAssertEqual(PhoneNumber.telURI("0120-279-338"), "tel:0120279338")
        XCTAssertEqual(PhoneNumber.telURI("0120-0-78310"), "tel:0120078310")
        XCTAssertEqual(PhoneNumber.telURI("189"), "tel:189")
        XCTAssertEqual(PhoneNumber.telURI("#9999"), "tel:%239999")
        XCTAssertEqual(PhoneNumber.telURI("050-3655-0279"), "tel:05036550279")
        XCTAssertNil(PhoneNumber.telURI("12345"))
        XCTAssertNil(PhoneNumber.telURI("0120-279-338 (ガイダンス8番)"))
        XCTAssertNil(PhoneNumber.telURI("javascript:1"))
        XCTAssertEqual(PhoneNumber.telURI("(03) 1234-5678"), "tel:0312345678")
        XCTAssertNil(PhoneNumber.telURI("０３-１２３４-５６７８"), "full-width digits are not dialled as written")
        XCTAssertNil(PhoneNumber.telURI("03-1234-5678\u{301}"))
        XCTAssertNil(PhoneNumber.telURI("#99#9"))
        XCTAssertNil(PhoneNumber.telURI("0120#279338"))
        XCTAssertEqual(PhoneNumber.digits("＃0120-27９"), "012027")
    }

    func testURLRules() {
        XCTAssertNil(URLRules.problem(with: "https://www.mhlw.go.jp/x"))
        XCTAssertNil(URLRules.problem(with: "mailto:a@example.org"))
        XCTAssertNotNil(URLRules.problem(with: "javascript:alert(1)"))
        XCTAssertNotNil(URLRules.problem(with: "data:text/html,x"))
        XCTAssertNotNil(URLRules.problem(with: "https://exa mple.org"))
        XCTAssertNotNil(URLRules.problem(with: "//example.org"))
        XCTAssertNotNil(URLRules.problem(with: "https:"))
        // Schemes without case; nothing else passes for a letter.
        XCTAssertNil(URLRules.problem(with: "HTTPS://Example.org/x"))
        XCTAssertNil(URLRules.problem(with: "Tel:0120-279-338"))
        XCTAssertNotNil(URLRules.problem(with: "JavaScript:alert(1)"))
        XCTAssertNotNil(URLRules.problem(with: "HTTP:/example.org"))
        XCTAssertNotNil(URLRules.problem(with: "{el:0120"))
        XCTAssertNotNil(URLRules.problem(with: "tel0:0120"))
    }

    func testDidYouMean() {
        XCTAssertEqual(DidYouMean.suggestion(for: "kosodatee", among: ["kosodate", "kodoku"]), "kosodate")
        XCTAssertEqual(DidYouMean.suggestion(for: "summery", among: ["name", "summary"]), "summary")
        XCTAssertNil(DidYouMean.suggestion(for: "zzzzzz", among: ["kosodate"]))
    }

    func testRegionRule() {
        let table = RegionTable(municipalities: [Municipality(code: "131083", label: "江東区", reading: "こうとうく", prefecture: "13", location: .file("m"))])
        XCTAssertEqual(table.containing("131083"), ["national", "13", "131083"])
        XCTAssertEqual(table.containing("13"), ["national", "13"])
        XCTAssertTrue(table.isAvailable(served: "13", toResidentOf: "131083"))
        XCTAssertFalse(table.isAvailable(served: "131083", toResidentOf: "13"))
        XCTAssertFalse(table.isAvailable(served: "27", toResidentOf: "131083"))
        XCTAssertEqual(table.resolve("東京都"), "13")
        XCTAssertEqual(table.resolve("全国"), "national")
        XCTAssertEqual(table.resolve("1"), "01")
        XCTAssertEqual(Prefectures.all.count, 47)
    }

    /// Numbers written as digits are what `String(n)` writes.
    func testDecimalDigitsAreWhatStringWrites() {
        var rng = SystemRandomNumberGenerator()
        var numbers = [0, 1, 9, 10, 99, 100, 1439, 1440, -1, -10, Int.max, Int.min, Int.max - 1]
        for _ in 0..<2000 { numbers.append(Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0...63, using: &rng)) }
        for n in numbers {
            var out: [UInt8] = [0x41]
            Formatting.appendDecimal(n, to: &out)
            XCTAssertEqual(out, [0x41] + Array(String(n).utf8), "\(n)")
        }
        var out: [UInt8] = []
        Formatting.appendTime(9 * 60 + 5, to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "9:05")
    }

    func testScheduleText() {
        let s = Schedule(always: false, weekly: [.init(days: [.mon, .tue, .wed, .thu, .fri], open: 510, close: 1035)], holidays: "祝日を除く", note: nil)
        XCTAssertEqual(Formatting.schedule(s), "月〜金 8:30〜17:15（祝日を除く）")
        XCTAssertEqual(Formatting.days([.mon, .wed]), "月・水")
        XCTAssertEqual(Formatting.days(Array(Weekday.allCases.prefix(7))), "毎日")
        XCTAssertEqual(Formatting.scheduleJSON(s, period: Period(from: SimpleDate("2024-02-01"), until: nil)),
                       "{\"always\":false,\"weekly\":[{\"d\":[0,1,2,3,4],\"o\":510,\"c\":1035}],\"from\":\"2024-02-01\"}")
    }

    /// The hours as text, made as bytes, are what the plain String way made (kept here as the
    /// reference) for random schedules: runs of days, holidays, notes, 24 hours, midnight.
    func testScheduleTextAgreesWithTheStringWay() {
        func time(_ minutes: Int) -> String {
            let m = minutes % 60
            return "\(minutes / 60):\(m < 10 ? "0" : "")\(m)"
        }
        func days(_ days: [Weekday]) -> String {
            let order = Weekday.allCases
            let indices = days.compactMap { order.firstIndex(of: $0) }.sorted()
            var groups: [String] = []
            var i = 0
            while i < indices.count {
                var j = i
                while j + 1 < indices.count, indices[j + 1] == indices[j] + 1, indices[j + 1] < 7 { j += 1 }
                if j - i >= 2 {
                    groups.append("\(order[indices[i]].rawValue)〜\(order[indices[j]].rawValue)")
                } else {
                    for k in i...j { groups.append(order[indices[k]].rawValue) }
                }
                i = j + 1
            }
            if indices.count == 7 || (indices.count == 8) { return "毎日" + (indices.contains(7) ? "（祝日含む）" : "") }
            return groups.joined(separator: "・")
        }
        func schedule(_ s: Schedule) -> String? {
            var parts: [String] = []
            if s.always { parts.append("24時間") }
            for r in s.weekly { parts.append("\(days(r.days)) \(time(r.open))〜\(time(r.close))") }
            var text = parts.joined(separator: "、")
            if let holidays = s.holidays { text += text.isEmpty ? holidays : "（\(holidays)）" }
            if let note = s.note { text += text.isEmpty ? note : "。\(note)" }
            return text.isEmpty ? nil : text
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let weekly = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                Schedule.Range(days: (0..<Int.random(in: 0...8, using: &rng)).map { _ in Weekday.allCases.randomElement(using: &rng)! },
                               open: Int.random(in: 0...1439, using: &rng), close: Int.random(in: 0...1439, using: &rng))
            }
            let s = Schedule(always: Bool.random(using: &rng), weekly: weekly,
                             holidays: [nil, "", "祝日を除く"].randomElement(using: &rng)!, note: [nil, "", "年末年始は休み"].randomElement(using: &rng)!)
            XCTAssertEqual(Formatting.schedule(s), schedule(s), "\(s)")
            for r in weekly { XCTAssertEqual(Formatting.days(r.days), days(r.days)); XCTAssertEqual(Formatting.time(r.open), time(r.open)) }
        }
        XCTAssertNil(Formatting.schedule(nil))
        for (i, day) in Weekday.allCases.enumerated() { XCTAssertEqual(day.index, i, day.rawValue) }
        XCTAssertEqual(Weekday.ordered, Weekday.allCases)
    }

    /// Dates, times and day names: the usual forms are read as bytes, the rest the general way,
    /// with the same results.
    func testDatesTimesAndDaysReadAsBytesAgreeWithTheGeneralWay() {
        XCTAssertEqual(SimpleDate("2024-02-29"), SimpleDate(year: 2024, month: 2, day: 29))
        for text in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-05", "２０２４-01-01", "2024/01/01", "2024-01-0a", ""] {
            XCTAssertNil(SimpleDate(text), text)
        }
        XCTAssertEqual(SimpleDate("+024-01-01"), SimpleDate(year: 24, month: 1, day: 1), "not ten digits and dashes: the general way, as before")
        let times: [(String, Int?)] = [("8:30", 510), ("08:30", 510), ("00:00", 0), ("24:00", 1440), ("24:01", nil), ("12:60", nil),
                                       ("7:5", nil), ("１７：００", nil), ("17.00", nil), ("8:3a", nil), ("+8:30", 510), ("", nil)]
        for (text, minutes) in times { XCTAssertEqual(EntryDecoding.minutes(text), minutes, text) }
        XCTAssertEqual(Weekday.allCases.map { Weekday.named($0.rawValue) }, Weekday.allCases)
        XCTAssertNil(Weekday.named("月曜"))
        XCTAssertEqual(Weekday.named("\u{F90A}"), Weekday(rawValue: "\u{F90A}"), "a compatibility ideograph compares as String equality does")
    }

    /// Window names are compared as Strings compare (canonical equivalence) but hashed from
    /// bytes: a name written with a combining voicing mark is the same name as the one with
    /// the precomposed kana, and the fast path (bytes as they are) agrees with NFC.
    func testDuplicateNameKeysFollowCanonicalEquivalence() {
        let composed = "東京がっこう窓口", decomposed = "東京か\u{3099}っこう窓口"
        XCTAssertNotEqual(Array(composed.utf8), Array(decomposed.utf8))
        XCTAssertEqual(NameKey(composed), NameKey(decomposed))
        XCTAssertEqual(NameKey(composed).hashValue, NameKey(decomposed).hashValue)
        XCTAssertNotEqual(NameKey(composed), NameKey("東京こうこう窓口"))
        XCTAssertEqual(NameKey("Cafe\u{301}"), NameKey("Café"))
        XCTAssertTrue(NameKey.isNFCAlready(composed))
        XCTAssertFalse(NameKey.isNFCAlready(decomposed))
        XCTAssertFalse(NameKey.isNFCAlready("\u{FA19}"), "a compatibility ideograph: NFC changes it")
        // Random names: the key's equality is String equality.
        let alphabet: [String] = ["か", "\u{3099}", "が", "e", "\u{301}", "é", "子", "ｶ", "ﾞ", "\u{FA19}", "神", "A", "ー"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let a = (0..<Int.random(in: 0...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            let b = (0..<Int.random(in: 0...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            XCTAssertEqual(NameKey(a) == NameKey(b), a == b, "\(Array(a.unicodeScalars)) \(Array(b.unicodeScalars))")
            if a == b { XCTAssertEqual(NameKey(a).hashValue, NameKey(b).hashValue) }
        }
    }

    func testDates() {
        XCTAssertNil(SimpleDate("2023-02-29"))
        XCTAssertNotNil(SimpleDate("2024-02-29"))
        XCTAssertEqual(SimpleDate("2024-11-06")!.months(until: SimpleDate("2025-11-05")!), 11)
        XCTAssertEqual(Build.civilDate(daysSinceEpoch: 0), SimpleDate(year: 1970, month: 1, day: 1))
        // Dates are written zero-padded; the fast path for four-digit years agrees with the
        // padding it skips, and the dates outside it still come out the long way.
        func padded(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        for (y, m, d) in [(2024, 11, 6), (0, 0, 0), (9999, 99, 99), (7, 3, 9), (10000, 1, 1), (-1, 1, 1), (2024, 100, 1), (2024, 1, -5)] {
            XCTAssertEqual(SimpleDate(year: y, month: m, day: d).description, "\(padded(y, 4))-\(padded(m, 2))-\(padded(d, 2))")
        }
        XCTAssertEqual(SimpleDate(year: 2024, month: 1, day: 5).description, "2024-01-05")
        XCTAssertEqual(Build.civilDate(daysSinceEpoch: 20033), SimpleDate(year: 2024, month: 11, day: 6))
    }

    func testJSONStringIsSafeInHTML() {
        XCTAssertEqual(JSONString.quote("</script>&'\"\u{2028}"), "\"\\u003c/script\\u003e\\u0026\\u0027\\\"\\u2028\"")
    }

    /// The byte-level escaper against a scalar-by-scalar reference (the earlier writer) on
    /// random mixes of the characters that matter, full-width punctuation among them (whose
    /// lead bytes are those of U+2028, U+2029 and U+FEFF); each result parses back.
    func testJSONStringEscapesAsTheScalarReferenceDoes() throws {
        func reference(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += #"\""#
                case "\\": out += #"\\"#
                case "\n": out += #"\n"#
                case "\r": out += #"\r"#
                case "\t": out += #"\t"#
                case "<": out += #"\u003c"#
                case ">": out += #"\u003e"#
                case "&": out += #"\u0026"#
                case "'": out += #"\u0027"#
                case "\u{2028}": out += #"\u2028"#
                case "\u{2029}": out += #"\u2029"#
                case "\u{FEFF}": out += #"\ufeff"#
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        XCTAssertEqual(JSONString.quote("（全角）…\u{2028}x\u{2029}\u{FEFF}\u{1}\u{1F}\t"),
                       #""（全角）…\u2028x\u2029\ufeff\u0001\u001f\t""#)
        let pieces = ["a", "日本語", "（", "）", "…", "・", "ｱ", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{2027}", "\u{FEFE}",
                      "\u{1}", "\u{1F}", "\"", "\\", "<", ">", "&", "'", "\n", "\r", "\t", "🎉", "â", " "]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let s = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            var bytes: [UInt8] = []
            JSONString.append(s, to: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), reference(s), s.debugDescription)
            XCTAssertEqual(JSONString.quote(s), reference(s), s.debugDescription)
            let parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
            XCTAssertEqual(parsed, s, s.debugDescription)
        }
    }

    /// The open data's JSON writer: commas only between members, at every depth; nil fields
    /// left out; strings escaped as `JSONString.quote` does.
    func testJSONBytesPlacesCommasAndEscapes() throws {
        var j = JSONBytes()
        j.object { j in
            j.field("a", "x<y")
            j.field("skipped", nil)
            j.key("list")
            j.array { j in
                for n in 0..<3 { j.element(); j.object { j in j.field("n", String(n)); j.field("none", nil) } }
            }
            j.key("empty"); j.array { _ in }
            j.key("flag"); j.raw("true")
        }
        let text = String(decoding: j.out, as: UTF8.self)
        XCTAssertEqual(text, #"{"a":"x\u003cy","list":[{"n":"0"},{"n":"1"},{"n":"2"}],"empty":[],"flag":true}"#)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(j.out)))
        for s in ["", "plain", "日本語", "a\"b\\c\n\u{1}\u{2028}\u{FEFF}'&"] {
            var out: [UInt8] = []
            JSONString.append(s, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), JSONString.quote(s))
        }
    }
}
