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
        for r in s.weekly {
            let days = r.days.compactMap { d in d.index < 7 ? OpenData.hsdsDays[d.index] : nil }
            j.element()
            j.object { j in
                j.field("freq", "WEEKLY")
                j.field("byday", days.joined(separator: ","))
                j.field("opens_at", Formatting.time(r.open))
                j.field("closes_at", Formatting.time(r.close))
                j.field("description", Formatting.schedule(Schedule(always: false, weekly: [r], holidays: nil, note: nil)) ?? "")
            }
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

    private static func appendCSVField<Bytes: Collection<UInt8>>(bytes: Bytes, to out: inout [UInt8]) {
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

    /// UTF-8 with a byte-order mark, CRLF line ends.
    func csv(_ emit: ([UInt8]) throws -> Void) throws {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(OpenData.pieceBytes + 64 * 1024)
        out += (OpenData.csvColumns.joined(separator: ",") + "\r\n").utf8
        let categories = TermNames(site.categories), lifeStages = TermNames(site.lifeStages)
        for (i, w) in site.windows.enumerated() {
            let values: [String] = [
                w.origin.slug, w.name, w.reading, w.operatorName ?? "", w.summary,
                termLabels(w.categories, categories).map(\.label).joined(separator: "|"),
                termLabels(w.lifeStages, lifeStages).map(\.label).joined(separator: "|"),
                site.windowRegions[i].compactMap { site.regions.byCode[$0]?.label }.joined(separator: "|"),
                w.crisis ? "true" : "false",
                w.channels.compactMap { $0.number?.value }.joined(separator: "|"),
                w.channels.map { c in [c.type.rawValue, c.number?.value ?? c.url ?? c.handle ?? ""].filter { !$0.isEmpty }.joined(separator: " ") }.joined(separator: "|"),
                Formatting.schedule(w.hours) ?? "",
                w.cost ?? "", w.anonymous.map { $0 ? "true" : "false" } ?? "",
                w.languages.joined(separator: "|"), w.eligibility ?? "",
                Formatting.period(w.period) ?? "",
                w.source ?? "", w.verified?.value.description ?? "", w.sample ? "true" : "false",
                urls.absolute(SiteURLs.window(w.origin.slug)),
            ]
            for (n, value) in values.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                OpenData.appendCSVField(value, to: &out)
            }
            out += "\r\n".utf8
            if out.count >= OpenData.pieceBytes { try emit(out); out.removeAll(keepingCapacity: true) }
        }
        try emit(out)
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
