import Foundation
/// Open-data exports of every window: JSON aligned with the Open Referral Human Services
/// Data Specification (HSDS 3: service, organization, phones, schedules, service_areas) and
/// a CSV that spreadsheet software opens directly (UTF-8 with BOM, CRLF).
struct OpenData {
    let site: LinkedSite
    let urls: SiteURLs

    static let paths = ["data/windows.json", "data/windows.csv"]

    /// Writes both exports to `sink` a piece of about a megabyte at a time: held whole, the
    /// JSON of 100,000 windows was 120 MB of the build's peak memory.
    func write(to sink: OutputSink) throws {
        try sink.write(path: OpenData.paths[0]) { emit in try json(emit) }
        try sink.write(path: OpenData.paths[1]) { emit in try csv(emit) }
    }

    static let pieceBytes = 1 << 20

    static let hsdsDays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    func termLabels(_ refs: [Located<String>], _ terms: [Term]) -> [Term] {
        refs.compactMap { ref in terms.first { $0.slug == ref.value || $0.label == ref.value } }
    }

    func schedules(_ s: Schedule?) -> [String] {
        guard let s else { return [] }
        var list: [String] = []
        if s.always {
            list.append("{\"freq\":\"WEEKLY\",\"byday\":\"MO,TU,WE,TH,FR,SA,SU\",\"opens_at\":\"00:00\",\"closes_at\":\"24:00\",\"description\":\"24時間\"}")
        }
        for r in s.weekly {
            let days = r.days.compactMap { d in Weekday.allCases.firstIndex(of: d).flatMap { $0 < 7 ? OpenData.hsdsDays[$0] : nil } }
            list.append("{\"freq\":\"WEEKLY\",\"byday\":\(JSONString.quote(days.joined(separator: ","))),\"opens_at\":\(JSONString.quote(Formatting.time(r.open))),\"closes_at\":\(JSONString.quote(Formatting.time(r.close))),\"description\":\(JSONString.quote(Formatting.schedule(Schedule(always: false, weekly: [r], holidays: nil, note: nil)) ?? ""))}")
        }
        return list
    }

    func json(_ emit: ([UInt8]) throws -> Void) throws {
        var out: [UInt8] = []
        out.reserveCapacity(OpenData.pieceBytes + 64 * 1024)
        out += "{\"schema\":\"Open Referral HSDS 3.0 (aligned subset)\",\"count\":\(site.windows.count),\"services\":[\n".utf8
        for (i, w) in site.windows.enumerated() {
            var fields: [String] = []
            func add(_ key: String, _ value: String?) { if let value { fields.append("\(JSONString.quote(key)):\(JSONString.quote(value))") } }
            func raw(_ key: String, _ value: String) { fields.append("\(JSONString.quote(key)):\(value)") }
            add("id", w.origin.slug)
            add("name", w.name)
            add("alternate_name", w.reading)
            add("description", w.summary)
            add("url", urls.absolute(SiteURLs.window(w.origin.slug)))
            add("status", "active")
            if let op = w.operatorName { raw("organization", "{\"name\":\(JSONString.quote(op))}") }
            add("fees_description", w.cost)
            add("eligibility_description", w.eligibility)
            add("assured_date", w.verified?.value.description)
            add("source", w.source)
            raw("crisis", w.crisis ? "true" : "false")
            raw("sample", w.sample ? "true" : "false")
            if let a = w.anonymous { raw("anonymous", a ? "true" : "false") }
            let phones = w.channels.compactMap { c -> String? in
                guard let n = c.number?.value else { return nil }
                return "{\"number\":\(JSONString.quote(n)),\"description\":\(JSONString.quote(c.label ?? c.type.rawValue))}"
            }
            raw("phones", "[" + phones.joined(separator: ",") + "]")
            let contacts = w.channels.map { c -> String in
                var f = ["\"type\":\(JSONString.quote(c.type.rawValue))"]
                if let v = c.number?.value { f.append("\"number\":\(JSONString.quote(v))") }
                if let v = c.url { f.append("\"url\":\(JSONString.quote(v))") }
                if let v = c.handle { f.append("\"handle\":\(JSONString.quote(v))") }
                if let v = Formatting.schedule(c.hours) { f.append("\"hours\":\(JSONString.quote(v))") }
                if let v = c.note { f.append("\"note\":\(JSONString.quote(v))") }
                return "{" + f.joined(separator: ",") + "}"
            }
            raw("contacts", "[" + contacts.joined(separator: ",") + "]")
            raw("schedules", "[" + schedules(w.hours).joined(separator: ",") + "]")
            if let p = w.period { raw("period", "{\"from\":\(p.from.map { JSONString.quote($0.description) } ?? "null"),\"until\":\(p.until.map { JSONString.quote($0.description) } ?? "null")}") }
            let areas = site.windowRegions[i].compactMap { code in site.regions.byCode[code] }.map { r in
                "{\"name\":\(JSONString.quote(r.label)),\"code\":\(JSONString.quote(r.code))}"
            }
            raw("service_areas", "[" + areas.joined(separator: ",") + "]")
            raw("languages", "[" + w.languages.map { "{\"code\":\(JSONString.quote($0))}" }.joined(separator: ",") + "]")
            let terms = termLabels(w.categories, site.categories).map { "{\"taxonomy\":\"categories\",\"code\":\(JSONString.quote($0.slug)),\"name\":\(JSONString.quote($0.label))}" }
                + termLabels(w.lifeStages, site.lifeStages).map { "{\"taxonomy\":\"life_stages\",\"code\":\(JSONString.quote($0.slug)),\"name\":\(JSONString.quote($0.label))}" }
            raw("taxonomy_terms", "[" + terms.joined(separator: ",") + "]")
            if i > 0 { out += ",\n".utf8 }
            out.append(UInt8(ascii: "{"))
            for (n, field) in fields.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                out += field.utf8
            }
            out.append(UInt8(ascii: "}"))
            if out.count >= OpenData.pieceBytes { try emit(out); out.removeAll(keepingCapacity: true) }
        }
        out += "\n]}\n".utf8
        try emit(out)
    }

    static let csvColumns = ["id", "name", "reading", "operator", "summary", "categories", "life_stages", "regions", "crisis",
                             "phones", "channels", "hours", "cost", "anonymous", "languages", "eligibility", "period",
                             "source", "verified", "sample", "url"]

    /// RFC 4180: fields with a quote, comma or line break are quoted, quotes doubled.
    static func csvField(_ s: String) -> String {
        // A leading = + - @ (or tab, CR) would be read as a formula by spreadsheet software.
        // Checked on the first scalar: "=" followed by a combining mark is one Character.
        var s = s
        if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
           !s.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "-" }) { s = "'" + s }
        // On scalars, not Characters: "\r\n" is one Character, and so is '"' or ',' followed by
        // a combining mark; compared as Characters they slipped through unquoted.
        guard s.unicodeScalars.contains(where: { $0 == "\"" || $0 == "," || $0 == "\n" || $0 == "\r" }) else { return s }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in s.unicodeScalars {
            quoted.append(scalar)
            if scalar == "\"" { quoted.append("\"") }
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// UTF-8 with a byte-order mark, CRLF line ends.
    func csv(_ emit: ([UInt8]) throws -> Void) throws {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(OpenData.pieceBytes + 64 * 1024)
        out += (OpenData.csvColumns.joined(separator: ",") + "\r\n").utf8
        for (i, w) in site.windows.enumerated() {
            let values: [String] = [
                w.origin.slug, w.name, w.reading, w.operatorName ?? "", w.summary,
                termLabels(w.categories, site.categories).map(\.label).joined(separator: "|"),
                termLabels(w.lifeStages, site.lifeStages).map(\.label).joined(separator: "|"),
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
                out += OpenData.csvField(value).utf8
            }
            out += "\r\n".utf8
            if out.count >= OpenData.pieceBytes { try emit(out); out.removeAll(keepingCapacity: true) }
        }
        try emit(out)
    }
}
