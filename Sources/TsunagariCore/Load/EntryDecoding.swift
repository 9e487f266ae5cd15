import Foundation
import TsunagariMarkdown
import TsunagariYAML

/// Turns a file's front matter into a typed entry. Each decoder asks for every field of its
/// kind; whatever it did not ask for is reported as an unknown field.
enum EntryDecoding {
    static func window(_ r: FieldReader, origin: EntryOrigin, body: RenderedMarkdown) -> SupportWindow? {
        let name = r.string("name", required: true)
        let reading = r.string("reading", required: true)
        let summary = r.string("summary", required: true)
        let channels = r.mappings("channels", required: true, what: "a channel").compactMap { channel($0, parent: r) }
        let window = SupportWindow(
            origin: origin,
            name: name ?? "",
            reading: reading ?? "",
            operatorName: r.string("operator"),
            member: r.located("member"),
            summary: summary ?? "",
            categories: r.stringList("categories", required: true),
            lifeStages: r.stringList("life_stages", required: true),
            regions: r.stringList("regions", required: true),
            crisis: r.bool("crisis") ?? false,
            channels: channels,
            hours: r.mapping("hours", what: "hours").flatMap { schedule($0, parent: r) },
            period: r.mapping("period", what: "a period").map { period($0, parent: r) },
            cost: r.choice("cost", among: ["無料", "有料"]),
            languages: r.stringList("languages").map(\.value),
            anonymous: r.bool("anonymous"),
            eligibility: r.string("eligibility"),
            source: r.url("source"),
            verified: r.date("verified"),
            sample: r.bool("sample") ?? false,
            body: body)
        r.finish()
        return name == nil || reading == nil || summary == nil ? nil : window
    }

    static func channel(_ c: FieldReader, parent: FieldReader) -> Channel? {
        defer { c.finish(); parent.merge(c) }
        let typeName = c.choice("type", among: ChannelType.allCases.map(\.rawValue), required: true)
        let number = c.located("number")
        let url = c.url("url")
        let channel = Channel(
            type: typeName.flatMap(ChannelType.init(rawValue:)) ?? .web,
            label: c.string("label"),
            number: number,
            url: url,
            handle: c.string("handle"),
            hours: c.mapping("hours", what: "hours").flatMap { schedule($0, parent: c) },
            note: c.string("note"))
        if typeName == ChannelType.phone.rawValue, number == nil {
            // A phone line whose number the sources do not give: allowed, the page says to check the official site.
        }
        return typeName == nil ? nil : channel
    }

    static func schedule(_ s: FieldReader, parent: FieldReader) -> Schedule? {
        defer { s.finish(); parent.merge(s) }
        let ranges = s.mappings("weekly", what: "a weekly range").compactMap { range -> Schedule.Range? in
            defer { range.finish(); s.merge(range) }
            let days = range.stringList("days", required: true).compactMap { day -> Weekday? in
                if let weekday = Weekday.named(day.value) { return weekday }
                range.report(day.location.error("unknown day '\(day.value)'",
                    hint: DidYouMean.hint(for: day.value, among: Weekday.allCases.map(\.rawValue)) ?? "use 月 火 水 木 金 土 日 祝"))
                return nil
            }
            let open = time(range, "open")
            let close = time(range, "close")
            guard let open, let close, !days.isEmpty else { return nil }
            return Schedule.Range(days: days, open: open, close: close)
        }
        return Schedule(always: s.bool("always") ?? false, weekly: ranges,
                        holidays: s.string("holidays"), note: s.string("note"))
    }

    /// "08:30" → 510 minutes; "24:00" allowed as the end of the day.
    static func time(_ r: FieldReader, _ name: String) -> Int? {
        guard let text = r.located(name, required: true) else { return nil }
        if let minutes = minutes(text.value) { return minutes }
        // The usual slips are a Japanese IME's full-width "１７：００" and "17.00": name the fix.
        let fixed = String(String.UnicodeScalarView(text.value.unicodeScalars.map { c -> Unicode.Scalar in
            if (0xFF10...0xFF19).contains(c.value) { return Unicode.Scalar(c.value - 0xFF10 + 0x30)! }
            return c == "：" || c == "." || c == ";" ? ":" : c
        }))
        let hint = minutes(fixed) != nil ? "did you mean \"\(fixed)\"?" : "write it as \"HH:MM\" in quotes, e.g. \"08:30\""
        r.report(text.location.error("'\(text.value)' is not a time", hint: hint))
        return nil
    }

    static func minutes(_ text: String) -> Int? {
        // "8:30" and "08:30" read as bytes; anything else the general way below.
        var text = text
        let fast = text.withUTF8 { bytes -> Int?? in
            let n = bytes.count
            guard (n == 4 || n == 5) && bytes[n - 3] == UInt8(ascii: ":") else { return .none }
            func digit(_ i: Int) -> Int? { (0x30...0x39).contains(bytes[i]) ? Int(bytes[i] - 0x30) : nil }
            guard let m1 = digit(n - 2), let m2 = digit(n - 1), let h2 = digit(n - 4), let h1 = n == 5 ? digit(0) : 0 else { return .none }
            let (h, m) = (h1 * 10 + h2, m1 * 10 + m2)
            return .some(h <= 24 && m <= 59 && h * 60 + m <= 24 * 60 ? h * 60 + m : nil)
        }
        if let fast { return fast }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), parts[1].count == 2,
              (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 24 * 60 else { return nil }
        return h * 60 + m
    }

    static func period(_ p: FieldReader, parent: FieldReader) -> Period {
        defer { p.finish(); parent.merge(p) }
        let from = p.date("from")
        let until = p.date("until")
        if let from, let until, until.value < from.value {
            p.report(until.location.error("the period ends (\(until.value)) before it starts (\(from.value))"))
        }
        return Period(from: from?.value, until: until?.value)
    }

    static func member(_ r: FieldReader, origin: EntryOrigin, body: RenderedMarkdown) -> MemberGroup? {
        let name = r.string("name", required: true)
        let reading = r.string("reading", required: true)
        let summary = r.string("summary", required: true)
        let member = MemberGroup(
            origin: origin, name: name ?? "", reading: reading ?? "",
            membership: r.choice("membership", among: ["会員", "協力会員", "賛助会員"]),
            kind: r.string("kind"),
            regions: r.stringList("regions"),
            categories: r.stringList("categories"),
            roles: r.stringList("roles").map(\.value),
            url: r.url("url"),
            summary: summary ?? "",
            source: r.string("source", required: true),
            sample: r.bool("sample") ?? false,
            body: body)
        r.finish()
        return name == nil || reading == nil || summary == nil ? nil : member
    }

    static func caseStudy(_ r: FieldReader, origin: EntryOrigin, body: RenderedMarkdown) -> CaseStudy? {
        let title = r.string("title", required: true)
        let summary = r.string("summary", required: true)
        let column = r.bool("column") ?? false
        let region = r.located("region", required: !column)
        let report = r.mapping("report", what: "a report").map { rep -> CaseStudy.Report in
            defer { rep.finish(); r.merge(rep) }
            let page: String?
            if let node = rep.field("page"), case .int(let n) = node.value { page = String(n) } else { page = rep.string("page") }
            return CaseStudy.Report(title: rep.string("title"), page: page)
        }
        let study = CaseStudy(
            origin: origin, title: title ?? "", region: region,
            size: r.choice("size", among: ["大都市", "中都市", "小都市"]),
            points: r.stringList("points", required: true),
            summary: summary ?? "", report: report, column: column,
            area: r.string("area"),
            source: r.string("source", required: true),
            sample: r.bool("sample") ?? false,
            body: body)
        r.finish()
        return title == nil || summary == nil ? nil : study
    }

    static func speaker(_ s: FieldReader, parent: FieldReader) -> Speaker? {
        defer { s.finish(); parent.merge(s) }
        let name = s.string("name", required: true)
        let speaker = Speaker(name: name ?? "", title: s.string("title"),
                              organization: s.string("organization"), member: s.located("member"))
        return name == nil ? nil : speaker
    }

    static func symposium(_ r: FieldReader, origin: EntryOrigin, body: RenderedMarkdown) -> Symposium? {
        let title = r.string("title", required: true)
        let date = r.date("date", required: true)
        let summary = r.string("summary", required: true)
        let parts = r.mappings("parts", what: "a part").compactMap { p -> Symposium.Part? in
            defer { p.finish(); r.merge(p) }
            let partTitle = p.string("title", required: true)
            let items = p.mappings("items", what: "a programme item").map { i -> Symposium.Item in
                defer { i.finish(); p.merge(i) }
                return Symposium.Item(
                    title: i.string("title"),
                    speakers: i.mappings("speakers", what: "a speaker").compactMap { speaker($0, parent: i) },
                    summary: i.string("summary"))
            }
            return partTitle.map { Symposium.Part(title: $0, items: items) }
        }
        let panel = r.mapping("panel", what: "a panel").map { p -> Symposium.Panel in
            defer { p.finish(); r.merge(p) }
            return Symposium.Panel(
                title: p.string("title"),
                speakers: p.mappings("speakers", what: "a speaker").compactMap { speaker($0, parent: p) },
                themes: p.mappings("themes", what: "a theme").compactMap { t -> Symposium.Theme? in
                    defer { t.finish(); p.merge(t) }
                    return t.string("title", required: true).map { Symposium.Theme(title: $0, summary: t.string("summary")) }
                })
        }
        let symposium = Symposium(
            origin: origin, title: title ?? "", date: date?.value ?? SimpleDate(year: 1970, month: 1, day: 1),
            format: r.string("format"), registrations: r.int("registrations"), views: r.int("views"),
            summary: summary ?? "", source: r.string("source", required: true),
            parts: parts, panel: panel, sample: r.bool("sample") ?? false, body: body)
        r.finish()
        return title == nil || date == nil || summary == nil ? nil : symposium
    }

    static func page(_ r: FieldReader, origin: EntryOrigin, body: RenderedMarkdown) -> Page? {
        let title = r.string("title", required: true)
        let page = Page(origin: origin, title: title ?? "", summary: r.string("summary"),
                        order: r.int("order") ?? 1000, members: r.stringList("members"),
                        source: r.string("source"), body: body)
        r.finish()
        return title == nil ? nil : page
    }

    static func term(_ r: FieldReader) -> Term? {
        let slug = r.located("slug", required: true)
        let label = r.string("label", required: true)
        let term = Term(slug: slug?.value ?? "", label: label ?? "",
                        reading: r.string("reading", required: true) ?? "",
                        order: r.int("order") ?? 1000,
                        description: r.string("description"),
                        synonyms: r.stringList("synonyms").map(\.value),
                        location: r.mappingLocation)
        if let slug, !Slug.isValid(slug.value) {
            r.report(slug.location.error("slug '\(slug.value)' may only use a-z, 0-9 and '-'", hint: Slug.suggestionHint(slug.value)))
        }
        r.finish()
        return slug == nil || label == nil ? nil : term
    }

    static func municipality(_ r: FieldReader) -> Municipality? {
        let code = r.located("code", required: true)
        let label = r.string("label", required: true)
        let prefecture = r.located("prefecture", required: true)
        if let code, code.value.unicodeScalars.count != 6 || !code.value.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
            r.report(code.location.error("municipality code '\(code.value)' must be 6 digits (全国地方公共団体コード)", hint: "write it in quotes, e.g. \"131083\""))
        }
        if let prefecture, !Prefectures.all.contains(where: { $0.code == prefecture.value }) {
            r.report(prefecture.location.error("unknown prefecture code '\(prefecture.value)'", hint: "use a two-digit code 01–47 in quotes"))
        }
        if let code, let prefecture, code.value.prefix(2) != prefecture.value {
            r.report(code.location.error("municipality code '\(code.value)' does not start with its prefecture code '\(prefecture.value)'"))
        }
        let municipality = Municipality(code: code?.value ?? "", label: label ?? "",
                                        reading: r.string("reading", required: true) ?? "",
                                        prefecture: prefecture?.value ?? "", location: r.mappingLocation)
        r.finish()
        return code == nil || label == nil || prefecture == nil ? nil : municipality
    }
}

extension Character {
    var isASCIIDigitChar: Bool { ("0"..."9").contains(self) }
}

/// Slugs name files and URLs: lower-case ASCII letters, digits and '-'.
public enum Slug {
    public static func isValid(_ slug: String) -> Bool {
        // (By bytes: a valid slug is ASCII, so its bytes are its characters. Counting
        // Characters, for every file name and reference, cost more than the rest.)
        let bytes = slug.utf8
        return !bytes.isEmpty && bytes.count <= 100 && bytes.first != UInt8(ascii: "-") &&
            bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    static func suggestionHint(_ slug: String) -> String {
        let cleaned = String(slug.lowercased().replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-").unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }.map(Character.init))
        return cleaned.isEmpty ? "use lower-case ASCII letters, digits and '-'" : "for example '\(cleaned)'"
    }
}
