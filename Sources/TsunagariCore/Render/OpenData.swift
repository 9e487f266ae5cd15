import Foundation
/// Open-data exports of every window: JSON aligned with the Open Referral Human Services
/// Data Specification (HSDS 3: service, organization, phones, schedules, service_areas) and
/// a CSV that spreadsheet software opens directly (UTF-8 with BOM, CRLF).
/// A class: its methods' closures capture it, and a struct's copy retained every array of the site.
final class OpenData {
    let site: LinkedSite
    let urls: SiteURLs

    init(site: LinkedSite, urls: SiteURLs) {
        self.site = site
        self.urls = urls
    }

    static let paths = ["data/windows.json", "data/windows.csv"]

    /// Writes both exports to `sink` a piece of about a megabyte at a time: held whole, the
    /// JSON of 100,000 windows was 120 MB of the build's peak memory.
    func write(to sink: OutputSink) throws {
        try sink.write(path: OpenData.paths[0]) { emit in try json(emit) }
        try sink.write(path: OpenData.paths[1]) { emit in try csv(emit) }
    }

    static let pieceBytes = 1 << 20

    static let hsdsDays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    /// Each reference's term: the first whose slug or label it is (labels work in content too).
    func termLabels(_ refs: [Located<String>], _ terms: TermNames) -> [Term] { refs.compactMap { terms.named[$0.value] } }

    /// The HSDS schedules of `s`, each appended as a JSON object (comma-separated).
    func appendSchedules(_ s: Schedule?, to j: inout JSONBytes) {
        guard let s else { return }
        if s.always {
            j.element()
            j.raw("{\"freq\":\"WEEKLY\",\"byday\":\"MO,TU,WE,TH,FR,SA,SU\",\"opens_at\":\"00:00\",\"closes_at\":\"24:00\",\"description\":\"24時間\"}")
        }
        // Written as bytes: day codes, times and day names are ASCII letters, digits and ':' or
        // Japanese day names and 〜・, none of which JSON or HTML needs escaped (made as Strings
        // and escaped, each range cost about 12,000 instructions).
        for r in s.weekly {
            j.element()
            j.raw("{\"freq\":\"WEEKLY\",\"byday\":\"")
            var first = true
            for d in r.days where d.index < 7 {
                if !first { j.out.append(UInt8(ascii: ",")) }
                first = false
                j.raw(OpenData.hsdsDays[d.index])
            }
            j.raw("\",\"opens_at\":\"")
            Formatting.appendTime(r.open, to: &j.out)
            j.raw("\",\"closes_at\":\"")
            Formatting.appendTime(r.close, to: &j.out)
            j.raw("\",\"description\":\"")
            Formatting.appendRange(r, to: &j.out)
            j.raw("\"}")
        }
    }

    func json(_ emit: ([UInt8]) throws -> Void) throws {
        var j = JSONBytes()
        j.out.reserveCapacity(OpenData.pieceBytes + 64 * 1024)
        let categories = TermNames(site.categories), lifeStages = TermNames(site.lifeStages)
        j.raw("{\"schema\":\"Open Referral HSDS 3.0 (aligned subset)\",\"count\":\(site.windows.count),\"services\":[\n")
        for (i, w) in site.windows.enumerated() {
            if i > 0 { j.raw(",\n") }
            j.object { j in
                j.field("id", w.origin.slug)
                j.field("name", w.name)
                j.field("alternate_name", w.reading)
                j.field("description", w.summary)
                j.field("url", urls.absolute(SiteURLs.window(w.origin.slug)))
                j.field("status", "active")
                if let op = w.operatorName { j.key("organization"); j.object { j in j.field("name", op) } }
                j.field("fees_description", w.cost)
                j.field("eligibility_description", w.eligibility)
                j.field("assured_date", w.verified?.value.description)
                j.field("source", w.source)
                j.key("crisis"); j.raw(w.crisis ? "true" : "false")
                j.key("sample"); j.raw(w.sample ? "true" : "false")
                if let a = w.anonymous { j.key("anonymous"); j.raw(a ? "true" : "false") }
                j.key("phones")
                j.array { j in
                    for c in w.channels {
                        guard let n = c.number?.value else { continue }
                        j.element()
                        j.object { j in j.field("number", n); j.field("description", c.label ?? c.type.rawValue) }
                    }
                }
                j.key("contacts")
                j.array { j in
                    for c in w.channels {
                        j.element()
                        j.object { j in
                            j.field("type", c.type.rawValue)
                            j.field("number", c.number?.value)
                            j.field("url", c.url)
                            j.field("handle", c.handle)
                            j.field("hours", Formatting.schedule(c.hours))
                            j.field("note", c.note)
                        }
                    }
                }
                j.key("schedules")
                j.array { j in appendSchedules(w.hours, to: &j) }
                if let p = w.period {
                    j.key("period")
                    j.object { j in
                        j.key("from"); if let from = p.from { j.string(from.description) } else { j.raw("null") }
                        j.key("until"); if let until = p.until { j.string(until.description) } else { j.raw("null") }
                    }
                }
                j.key("service_areas")
                j.array { j in
                    for code in site.windowRegions[i] {
                        guard let r = site.regions.byCode[code] else { continue }
                        j.element()
                        j.object { j in j.field("name", r.label); j.field("code", r.code) }
                    }
                }
                j.key("languages")
                j.array { j in
                    for code in w.languages { j.element(); j.object { j in j.field("code", code) } }
                }
                j.key("taxonomy_terms")
                j.array { j in
                    for (taxonomy, terms) in [("categories", termLabels(w.categories, categories)), ("life_stages", termLabels(w.lifeStages, lifeStages))] {
                        for t in terms {
                            j.element()
                            j.object { j in j.field("taxonomy", taxonomy); j.field("code", t.slug); j.field("name", t.label) }
                        }
                    }
                }
            }
            if j.out.count >= OpenData.pieceBytes { try emit(j.out); j.out.removeAll(keepingCapacity: true) }
        }
        j.raw("\n]}\n")
        try emit(j.out)
    }

    static let csvColumns = ["id", "name", "reading", "operator", "summary", "categories", "life_stages", "regions", "crisis",
                             "phones", "channels", "hours", "cost", "anonymous", "languages", "eligibility", "period",
                             "source", "verified", "sample", "url"]

    /// RFC 4180: fields with a quote, comma or line break are quoted, quotes doubled.
    static func csvField(_ s: String) -> String {
        var out: [UInt8] = []
        appendCSVField(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `csvField(s)` appended to `out`. On UTF-8 bytes, not Characters: "\r\n" is one
    /// Character, and so is '"' or ',' followed by a combining mark (compared as Characters
    /// they slipped through unquoted); every byte this looks for is ASCII, and no byte of a
    /// multi-byte character is.
    static func appendCSVField(_ s: String, to out: inout [UInt8]) {
        // Scanned as a buffer of bytes: through the String's UTF-8 view, the search for a
        // character to quote was most of the CSV's instructions.
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ appendCSVField(bytes: $0, to: &out) }) { return done }
        appendCSVField(bytes: Array(s.utf8), to: &out)
    }

    static func appendCSVField<Bytes: Collection<UInt8>>(bytes: Bytes, to out: inout [UInt8]) {
        // A leading = + - @ (or tab, CR) would be read as a formula by spreadsheet software.
        let formula: Bool
        switch bytes.first {
        case UInt8(ascii: "=")?, UInt8(ascii: "+")?, UInt8(ascii: "-")?, UInt8(ascii: "@")?, 0x09?, 0x0D?:
            formula = !bytes.allSatisfy { (0x30...0x39).contains($0) || $0 == 0x2D }
        default:
            formula = false
        }
        let quoted = bytes.contains { $0 == 0x22 || $0 == 0x2C || $0 == 0x0A || $0 == 0x0D }
        if quoted { out.append(0x22) }
        if formula { out.append(0x27) }
        if quoted {
            for byte in bytes {
                out.append(byte)
                if byte == 0x22 { out.append(0x22) }
            }
            out.append(0x22)
        } else {
            out += bytes
        }
    }

    /// UTF-8 with a byte-order mark, CRLF line ends. Each field is gathered as bytes in one
    /// buffer and quoted from there: a row of Strings, its lists joined, was 0.29 billion
    /// instructions at 10,000 windows.
    func csv(_ emit: ([UInt8]) throws -> Void) throws {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(OpenData.pieceBytes + 64 * 1024)
        out += (OpenData.csvColumns.joined(separator: ",") + "\r\n").utf8
        let categories = TermNames(site.categories), lifeStages = TermNames(site.lifeStages)
        var row = CSVRow()
        for (i, w) in site.windows.enumerated() {
            row.field(w.origin.slug); row.field(w.name); row.field(w.reading); row.field(w.operatorName ?? ""); row.field(w.summary)
            row.list(termLabels(w.categories, categories).map(\.label))
            row.list(termLabels(w.lifeStages, lifeStages).map(\.label))
            row.list(site.windowRegions[i].compactMap { site.regions.byCode[$0]?.label })
            row.field(w.crisis ? "true" : "false")
            row.list(w.channels.compactMap { $0.number?.value })
            row.begin()
            for (k, c) in w.channels.enumerated() {
                if k > 0 { row.bytes.append(UInt8(ascii: "|")) }
                // The channel's type and its number, URL or handle, with a space between (either may be empty).
                let type = c.type.rawValue, value = c.number?.value ?? c.url ?? c.handle ?? ""
                row.bytes += type.utf8
                if !type.isEmpty && !value.isEmpty { row.bytes.append(UInt8(ascii: " ")) }
                row.bytes += value.utf8
            }
            row.end()
            row.field(Formatting.schedule(w.hours) ?? "")
            row.field(w.cost ?? ""); row.field(w.anonymous.map { $0 ? "true" : "false" } ?? "")
            row.list(w.languages); row.field(w.eligibility ?? "")
            row.field(Formatting.period(w.period) ?? "")
            row.field(w.source ?? ""); row.field(w.verified?.value.description ?? ""); row.field(w.sample ? "true" : "false")
            row.field(urls.absolute(SiteURLs.window(w.origin.slug)))
            row.finish(into: &out)
            if out.count >= OpenData.pieceBytes { try emit(out); out.removeAll(keepingCapacity: true) }
        }
        try emit(out)
    }

    /// One CSV row being written: fields separated by commas, each quoted as `appendCSVField`
    /// does once its bytes are gathered.
    struct CSVRow {
        var line: [UInt8] = []
        /// The field being gathered (between `begin` and `end`).
        var bytes: [UInt8] = []
        /// Fields written in this row (an empty first field leaves `line` empty).
        private var fields = 0

        private mutating func separate() {
            if fields > 0 { line.append(UInt8(ascii: ",")) }
            fields += 1
        }

        mutating func begin() {
            separate()
            bytes.removeAll(keepingCapacity: true)
        }

        mutating func end() { OpenData.appendCSVField(bytes: bytes, to: &line) }

        mutating func field(_ text: String) {
            separate()
            OpenData.appendCSVField(text, to: &line)
        }

        /// The texts joined with "|", quoted as one field.
        mutating func list(_ texts: [String]) {
            begin()
            for (k, text) in texts.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: "|")) }
                bytes += text.utf8
            }
            end()
        }

        /// Appends the row and its CRLF to `out` and starts the next row.
        mutating func finish(into out: inout [UInt8]) {
            out += line
            out += "\r\n".utf8
            line.removeAll(keepingCapacity: true)
            fields = 0
        }
    }
}

/// JSON written straight into bytes: commas between the members of an object or array are
/// placed by `key` and `element`; strings are escaped by `JSONString.append`.
struct JSONBytes {
    var out: [UInt8] = []
    /// Whether the object or array being written has no member yet, innermost last.
    private var empty: [Bool] = []

    mutating func raw(_ text: String) { out += text.utf8 }
    mutating func string(_ s: String) { JSONString.append(s, to: &out) }

    /// Starts a member of the current array.
    mutating func element() {
        if empty[empty.count - 1] { empty[empty.count - 1] = false } else { out.append(UInt8(ascii: ",")) }
    }

    /// Starts the member `name` of the current object. Names are this file's literals, plain
    /// ASCII that needs no escaping, so they are copied as they are.
    mutating func key(_ name: StaticString) {
        element()
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out += $0 }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// `"name":"value"`, or nothing for nil.
    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func object(_ members: (inout JSONBytes) -> Void) { enclose(UInt8(ascii: "{"), UInt8(ascii: "}"), members) }
    mutating func array(_ elements: (inout JSONBytes) -> Void) { enclose(UInt8(ascii: "["), UInt8(ascii: "]"), elements) }

    private mutating func enclose(_ open: UInt8, _ close: UInt8, _ body: (inout JSONBytes) -> Void) {
        out.append(open)
        empty.append(true)
        body(&self)
        empty.removeLast()
        out.append(close)
    }
}
