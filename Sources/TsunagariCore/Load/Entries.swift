import TsunagariMarkdown

/// A calendar date as editors write it (YYYY-MM-DD), with no time zone to go wrong.
public struct SimpleDate: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(_ text: String) {
        // The usual form, ten ASCII bytes, read as bytes (splitting and counting Characters
        // took 8,000 instructions a date); anything else the general way below.
        if let date = SimpleDate.fromTenBytes(text) {
            guard (1...12).contains(date.month), (1...SimpleDate.daysIn(month: date.month, year: date.year)).contains(date.day) else { return nil }
            self = date
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...SimpleDate.daysIn(month: m, year: y)).contains(d) else { return nil }
        year = y; month = m; day = d
    }

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// "YYYY-MM-DD" in ASCII digits, not yet checked as a date; nil for any other text.
    private static func fromTenBytes(_ text: String) -> SimpleDate? {
        var text = text
        return text.withUTF8 { b -> SimpleDate? in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var n = 0
                for i in range {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                    n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
                }
                return n
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return SimpleDate(year: year, month: month, day: day)
        }
    }

    /// What to tell an editor about a text that is not a date: the month's length when only
    /// the day is out of range (2025-04-31), else the format.
    static func problemHint(_ text: String) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        if parts.count == 3, let y = parts[0], let m = parts[1], (1...12).contains(m), let d = parts[2], d > 28 {
            let pad = m < 10 ? "0" : ""
            return "\(y)-\(pad)\(m) has \(daysIn(month: m, year: y)) days"
        }
        return "write it as YYYY-MM-DD, e.g. 2024-11-06"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        // The usual dates as ten digits and dashes written at once (a small string: no
        // allocation); any other the long way.
        if (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) {
            return String(unsafeUninitializedCapacity: 10) { b in
                func put(_ n: Int, digits: Int, at start: Int) {
                    var n = n
                    for i in (start..<start + digits).reversed() {
                        b[i] = UInt8(ascii: "0") + UInt8(n % 10)
                        n /= 10
                    }
                }
                put(year, digits: 4, at: 0)
                b[4] = UInt8(ascii: "-")
                put(month, digits: 2, at: 5)
                b[7] = UInt8(ascii: "-")
                put(day, digits: 2, at: 8)
                return 10
            }
        }
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// 2024年11月6日
    public var japanese: String { "\(year)年\(month)月\(day)日" }

    /// Months from `self` to `other` (whole months, other later is positive).
    public func months(until other: SimpleDate) -> Int {
        var months = (other.year - year) * 12 + (other.month - month)
        if other.day < day { months -= 1 }
        return months
    }

    public static func < (a: SimpleDate, b: SimpleDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// Days of the week as the content writes them, plus 祝 for public holidays.
public enum Weekday: String, Sendable, Codable, CaseIterable, Hashable {
    case mon = "月", tue = "火", wed = "水", thu = "木", fri = "金", sat = "土", sun = "日", holiday = "祝"

    /// `init(rawValue:)`, comparing UTF-8 bytes first (String equality of non-ASCII text goes
    /// through Unicode normalization; each schedule names several days): a day's name is one
    /// kanji, three bytes, compared as one number with each day's (the generic comparison of
    /// the two UTF-8 views, with `allCases` made anew for each name, was most of a schedule's
    /// reading).
    static func named(_ text: String) -> Weekday? {
        if let key = threeByteKey(text) {
            for (dayKey, day) in keyed where dayKey == key { return day }
        }
        return Weekday(rawValue: text)
    }

    private static let keyed: [(UInt32, Weekday)] = allCases.map { (threeByteKey($0.rawValue)!, $0) }

    private static func threeByteKey(_ text: String) -> UInt32? {
        let utf8 = text.utf8
        guard utf8.count == 3 else { return nil }
        return utf8.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// `allCases`, made once (`allCases` makes a new array each time it is asked).
    static let ordered = allCases

    /// The day's position in `allCases` (月 0 … 日 6, 祝 7).
    var index: Int {
        switch self {
        case .mon: return 0
        case .tue: return 1
        case .wed: return 2
        case .thu: return 3
        case .fri: return 4
        case .sat: return 5
        case .sun: return 6
        case .holiday: return 7
        }
    }
}

/// Opening hours: 24 hours, or weekly ranges, with free-text notes.
public struct Schedule: Sendable, Codable, Hashable {
    public struct Range: Sendable, Codable, Hashable {
        public var days: [Weekday]
        /// Minutes after midnight; `close` may be ≤ `open` for a range past midnight.
        public var open: Int
        public var close: Int
    }
    public var always: Bool
    public var weekly: [Range]
    public var holidays: String?
    public var note: String?
}

public struct Period: Sendable, Codable, Hashable {
    public var from: SimpleDate?
    public var until: SimpleDate?
}

public enum ChannelType: String, Sendable, Codable, CaseIterable, Hashable {
    case phone = "電話", sns = "SNS", chat = "チャット", mail = "メール", visit = "対面", web = "Web"
}

public struct Channel: Sendable, Codable, Hashable {
    public var type: ChannelType
    public var label: String?
    public var number: Located<String>?
    public var url: String?
    public var handle: String?
    public var hours: Schedule?
    public var note: String?
}

/// Where an entry came from, for diagnostics and for the page's "edit" context.
public struct EntryOrigin: Sendable, Codable, Hashable {
    public var path: String
    public var slug: String
}

extension EntryOrigin {
    /// The origin of the entry file at `path` (`content/windows/NAME.md`), whose slug is NAME.
    /// Found in the UTF-8 ('/' and ".md" are ASCII): split into Characters, the path was 1 % of
    /// a cold build's instructions.
    init(entryPath path: String) {
        let bytes = path.utf8
        let start = bytes.lastIndex(of: UInt8(ascii: "/")).map(bytes.index(after:)) ?? bytes.startIndex
        let end = path.hasSuffix(".md") ? bytes.index(bytes.endIndex, offsetBy: -3) : bytes.endIndex
        self.init(path: path, slug: String(path[start..<max(start, end)]))
    }
}

/// 相談窓口: the heart of the site. A class, not a struct: a window is read by every stage and
/// never changed after loading, and copying a struct of twenty fields (a retain for each) was
/// 3 % of a cold build's samples.
public final class SupportWindow: Sendable, Codable {
    public let origin: EntryOrigin
    public let name: String
    public let reading: String
    public let operatorName: String?
    public let member: Located<String>?
    public let summary: String
    public let categories: [Located<String>]
    public let lifeStages: [Located<String>]
    public let regions: [Located<String>]
    public let crisis: Bool
    public let channels: [Channel]
    public let hours: Schedule?
    public let period: Period?
    public let cost: String?
    public let languages: [String]
    public let anonymous: Bool?
    public let eligibility: String?
    public let source: String?
    public let verified: Located<SimpleDate>?
    public let sample: Bool
    public let body: RenderedMarkdown

    public init(origin: EntryOrigin,
                name: String,
                reading: String,
                operatorName: String?,
                member: Located<String>?,
                summary: String,
                categories: [Located<String>],
                lifeStages: [Located<String>],
                regions: [Located<String>],
                crisis: Bool,
                channels: [Channel],
                hours: Schedule?,
                period: Period?,
                cost: String?,
                languages: [String],
                anonymous: Bool?,
                eligibility: String?,
                source: String?,
                verified: Located<SimpleDate>?,
                sample: Bool,
                body: RenderedMarkdown) {
        self.origin = origin
        self.name = name
        self.reading = reading
        self.operatorName = operatorName
        self.member = member
        self.summary = summary
        self.categories = categories
        self.lifeStages = lifeStages
        self.regions = regions
        self.crisis = crisis
        self.channels = channels
        self.hours = hours
        self.period = period
        self.cost = cost
        self.languages = languages
        self.anonymous = anonymous
        self.eligibility = eligibility
        self.source = source
        self.verified = verified
        self.sample = sample
        self.body = body
    }
}

/// 官民連携プラットフォームの会員団体.
public struct MemberGroup: Sendable, Codable {
    public var origin: EntryOrigin
    public var name: String
    public var reading: String
    public var membership: String?
    public var kind: String?
    public var regions: [Located<String>]
    public var categories: [Located<String>]
    public var roles: [String]
    public var url: String?
    public var summary: String
    public var source: String?
    public var sample: Bool
    public var body: RenderedMarkdown
}

/// 地方版官民連携プラットフォームの事例.
public struct CaseStudy: Sendable, Codable {
    public struct Report: Sendable, Codable, Hashable {
        public var title: String?
        public var page: String?
    }
    public var origin: EntryOrigin
    public var title: String
    public var region: Located<String>?
    public var size: String?
    public var points: [Located<String>]
    public var summary: String
    public var report: Report?
    public var column: Bool
    public var area: String?
    public var source: String?
    public var sample: Bool
    public var body: RenderedMarkdown
}

/// A speaker in a symposium programme.
public struct Speaker: Sendable, Codable, Hashable {
    public var name: String
    public var title: String?
    public var organization: String?
    public var member: Located<String>?
}

/// シンポジウム報告.
public struct Symposium: Sendable, Codable {
    public struct Item: Sendable, Codable, Hashable {
        public var title: String?
        public var speakers: [Speaker]
        public var summary: String?
    }
    public struct Part: Sendable, Codable, Hashable {
        public var title: String
        public var items: [Item]
    }
    public struct Theme: Sendable, Codable, Hashable {
        public var title: String
        public var summary: String?
    }
    public struct Panel: Sendable, Codable, Hashable {
        public var title: String?
        public var speakers: [Speaker]
        public var themes: [Theme]
    }
    public var origin: EntryOrigin
    public var title: String
    public var date: SimpleDate
    public var format: String?
    public var registrations: Int?
    public var views: Int?
    public var summary: String
    public var source: String?
    public var parts: [Part]
    public var panel: Panel?
    public var sample: Bool
    public var body: RenderedMarkdown

    /// Every speaker of the programme and the panel.
    public var allSpeakers: [Speaker] {
        parts.flatMap { $0.items.flatMap(\.speakers) } + (panel?.speakers ?? [])
    }
}

/// A free-form page (about, the law, glossary).
public struct Page: Sendable, Codable {
    public var origin: EntryOrigin
    public var title: String
    public var summary: String?
    public var order: Int
    public var members: [Located<String>]
    public var source: String?
    public var body: RenderedMarkdown
}

/// A term of a taxonomy (a worry, a life stage, one of the five points).
public struct Term: Sendable, Hashable {
    public var slug: String
    public var label: String
    public var reading: String
    public var order: Int
    public var description: String?
    public var synonyms: [String]
    public var location: SourceLocation
}

/// Everything read from the content folder, before references are resolved.
public struct LoadedContent: Sendable {
    public var windows: [SupportWindow] = []
    public var members: [MemberGroup] = []
    public var cases: [CaseStudy] = []
    public var symposia: [Symposium] = []
    public var pages: [Page] = []
    public var categories: [Term] = []
    public var lifeStages: [Term] = []
    public var points: [Term] = []
    public var municipalities: [Municipality] = []
    /// Entries whose fields had errors. They are kept, so that their references are still
    /// checked in the same run, but a value rejected there is absent: checks for missing
    /// values skip them rather than report one typo twice.
    public var pathsWithErrors: Set<String> = []
    public init() {}
}
