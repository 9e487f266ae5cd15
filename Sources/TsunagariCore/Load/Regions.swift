/// A municipality declared in `content/taxonomies/municipalities.yml`
/// by its 6-digit 全国地方公共団体コード.
public struct Municipality: Sendable, Hashable {
    public var code: String
    public var label: String
    public var reading: String
    public var prefecture: String
    public var location: SourceLocation
}

/// A place a window can serve: the whole country, a prefecture or a municipality.
public struct Region: Sendable, Hashable {
    public enum Level: Int, Sendable, Hashable { case national = 0, prefecture = 1, municipality = 2 }
    public var code: String
    public var label: String
    public var reading: String
    public var level: Level
    /// The prefecture code for municipalities (and for prefectures, their own code).
    public var prefecture: String?
    /// 地方 (for prefectures and municipalities).
    public var area: String?

    public static let nationalCode = "national"
}

/// The 47 prefectures (JIS X 0401) and their 地方: these ship with the tool.
public enum Prefectures {
    public static let all: [(code: String, label: String, reading: String, area: String)] = [
        ("01", "北海道", "ほっかいどう", "北海道地方"),
        ("02", "青森県", "あおもりけん", "東北地方"), ("03", "岩手県", "いわてけん", "東北地方"),
        ("04", "宮城県", "みやぎけん", "東北地方"), ("05", "秋田県", "あきたけん", "東北地方"),
        ("06", "山形県", "やまがたけん", "東北地方"), ("07", "福島県", "ふくしまけん", "東北地方"),
        ("08", "茨城県", "いばらきけん", "関東地方"), ("09", "栃木県", "とちぎけん", "関東地方"),
        ("10", "群馬県", "ぐんまけん", "関東地方"), ("11", "埼玉県", "さいたまけん", "関東地方"),
        ("12", "千葉県", "ちばけん", "関東地方"), ("13", "東京都", "とうきょうと", "関東地方"),
        ("14", "神奈川県", "かながわけん", "関東地方"),
        ("15", "新潟県", "にいがたけん", "中部地方"), ("16", "富山県", "とやまけん", "中部地方"),
        ("17", "石川県", "いしかわけん", "中部地方"), ("18", "福井県", "ふくいけん", "中部地方"),
        ("19", "山梨県", "やまなしけん", "中部地方"), ("20", "長野県", "ながのけん", "中部地方"),
        ("21", "岐阜県", "ぎふけん", "中部地方"), ("22", "静岡県", "しずおかけん", "中部地方"),
        ("23", "愛知県", "あいちけん", "中部地方"),
        ("24", "三重県", "みえけん", "近畿地方"), ("25", "滋賀県", "しがけん", "近畿地方"),
        ("26", "京都府", "きょうとふ", "近畿地方"), ("27", "大阪府", "おおさかふ", "近畿地方"),
        ("28", "兵庫県", "ひょうごけん", "近畿地方"), ("29", "奈良県", "ならけん", "近畿地方"),
        ("30", "和歌山県", "わかやまけん", "近畿地方"),
        ("31", "鳥取県", "とっとりけん", "中国地方"), ("32", "島根県", "しまねけん", "中国地方"),
        ("33", "岡山県", "おかやまけん", "中国地方"), ("34", "広島県", "ひろしまけん", "中国地方"),
        ("35", "山口県", "やまぐちけん", "中国地方"),
        ("36", "徳島県", "とくしまけん", "四国地方"), ("37", "香川県", "かがわけん", "四国地方"),
        ("38", "愛媛県", "えひめけん", "四国地方"), ("39", "高知県", "こうちけん", "四国地方"),
        ("40", "福岡県", "ふくおかけん", "九州・沖縄地方"), ("41", "佐賀県", "さがけん", "九州・沖縄地方"),
        ("42", "長崎県", "ながさきけん", "九州・沖縄地方"), ("43", "熊本県", "くまもとけん", "九州・沖縄地方"),
        ("44", "大分県", "おおいたけん", "九州・沖縄地方"), ("45", "宮崎県", "みやざきけん", "九州・沖縄地方"),
        ("46", "鹿児島県", "かごしまけん", "九州・沖縄地方"), ("47", "沖縄県", "おきなわけん", "九州・沖縄地方"),
    ]
}

/// Every region the site knows, and the rule that a window serving a region is
/// available to a resident of that region and of every place inside it.
public struct RegionTable: Sendable {
    public private(set) var byCode: [String: Region] = [:]
    /// Codes in display order: national, prefectures by code, municipalities by code.
    public private(set) var ordered: [String] = []
    private var byLabel: [String: String] = [:]

    public init(municipalities: [Municipality]) {
        add(Region(code: Region.nationalCode, label: "全国", reading: "ぜんこく", level: .national, prefecture: nil, area: nil))
        for p in Prefectures.all {
            add(Region(code: p.code, label: p.label, reading: p.reading, level: .prefecture, prefecture: p.code, area: p.area))
        }
        for m in municipalities.sorted(by: { $0.code < $1.code }) {
            let area = byCode[m.prefecture]?.area
            add(Region(code: m.code, label: m.label, reading: m.reading, level: .municipality, prefecture: m.prefecture, area: area))
        }
    }

    private mutating func add(_ region: Region) {
        guard byCode[region.code] == nil else { return }
        byCode[region.code] = region
        ordered.append(region.code)
        byLabel[region.label] = region.code
    }

    /// A code or a label (`13`, `東京都`, `national`, `全国`) to a region code.
    public func resolve(_ text: String) -> String? {
        if byCode[text] != nil { return text }
        if let code = byLabel[text] { return code }
        // Prefecture codes written as one digit (`1` for 北海道).
        if text.count == 1, let n = Int(text) { let padded = "0\(n)"; return byCode[padded] != nil ? padded : nil }
        return nil
    }

    public var names: [String] { ordered + ordered.compactMap { byCode[$0]?.label } }

    /// The codes a resident of `code` can use: the place itself and every place containing it.
    public func containing(_ code: String) -> [String] {
        guard let region = byCode[code] else { return [] }
        switch region.level {
        case .national: return [Region.nationalCode]
        case .prefecture: return [Region.nationalCode, code]
        case .municipality: return [Region.nationalCode, region.prefecture!, code]
        }
    }

    /// True when a window serving `served` is available to a resident of `resident`.
    public func isAvailable(served: String, toResidentOf resident: String) -> Bool {
        containing(resident).contains(served)
    }
}
