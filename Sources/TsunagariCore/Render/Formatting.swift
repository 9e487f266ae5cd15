/// Human-readable Japanese text for structured fields (hours, dates, periods).
enum Formatting {
    static func time(_ minutes: Int) -> String {
        var out: [UInt8] = []
        appendTime(minutes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// 9:00, 17:15 (hours not padded, minutes padded).
    static func appendTime(_ minutes: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(minutes / 60).utf8)
        out.append(UInt8(ascii: ":"))
        let m = minutes % 60
        if m < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: String(m).utf8)
    }

    /// 月〜金 for runs of three or more consecutive weekdays, else 月・水.
    static func days(_ days: [Weekday]) -> String {
        var out: [UInt8] = []
        appendDays(days, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendDays(_ days: [Weekday], to out: inout [UInt8]) {
        let order = Weekday.ordered
        let indices = days.map(\.index).sorted()
        if indices.count == 7 || indices.count == 8 {
            out.append(contentsOf: "毎日".utf8)
            if indices.contains(7) { out.append(contentsOf: "（祝日含む）".utf8) }
            return
        }
        var i = 0
        while i < indices.count {
            var j = i
            while j + 1 < indices.count, indices[j + 1] == indices[j] + 1, indices[j + 1] < 7 { j += 1 }
            if i > 0 { out.append(contentsOf: "・".utf8) }
            if j - i >= 2 {
                out.append(contentsOf: order[indices[i]].rawValue.utf8)
                out.append(contentsOf: "〜".utf8)
                out.append(contentsOf: order[indices[j]].rawValue.utf8)
            } else {
                for k in i...j {
                    if k > i { out.append(contentsOf: "・".utf8) }
                    out.append(contentsOf: order[indices[k]].rawValue.utf8)
                }
            }
            i = j + 1
        }
    }

    /// 月〜金 9:00〜17:00、土 10:00〜12:00（祝日を除く）。note. Made as UTF-8 bytes: built from
    /// interpolated Strings joined, the hours of 10,000 windows (on their cards, pages and
    /// open data) were 1.7 % of a build's instructions.
    /// One weekly range: 月〜金 9:00〜17:00.
    static func appendRange(_ r: Schedule.Range, to out: inout [UInt8]) {
        appendDays(r.days, to: &out)
        out.append(UInt8(ascii: " "))
        appendTime(r.open, to: &out)
        out.append(contentsOf: "〜".utf8)
        appendTime(r.close, to: &out)
    }

    static func schedule(_ s: Schedule?) -> String? {
        guard let s else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(64)
        if s.always { out.append(contentsOf: "24時間".utf8) }
        for r in s.weekly {
            if !out.isEmpty { out.append(contentsOf: "、".utf8) }
            appendRange(r, to: &out)
        }
        if let holidays = s.holidays {
            if out.isEmpty {
                out.append(contentsOf: holidays.utf8)
            } else {
                out.append(contentsOf: "（".utf8); out.append(contentsOf: holidays.utf8); out.append(contentsOf: "）".utf8)
            }
        }
        if let note = s.note {
            if !out.isEmpty { out.append(contentsOf: "。".utf8) }
            out.append(contentsOf: note.utf8)
        }
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    /// Compact JSON the browser reads to tell whether a line is open now (Japan time).
    static func scheduleJSON(_ s: Schedule?, period: Period?) -> String? {
        guard s != nil || period?.from != nil || period?.until != nil else { return nil }
        var json = "{\"always\":\(s?.always ?? false)"
        if let s, !s.weekly.isEmpty {
            let ranges = s.weekly.map { r in
                "{\"d\":[\(r.days.map { String($0.index) }.joined(separator: ","))],\"o\":\(r.open),\"c\":\(r.close)}"
            }
            json += ",\"weekly\":[\(ranges.joined(separator: ","))]"
        }
        if let from = period?.from { json += ",\"from\":\"\(from)\"" }
        if let until = period?.until { json += ",\"until\":\"\(until)\"" }
        return json + "}"
    }

    static func period(_ p: Period?) -> String? {
        guard let p, p.from != nil || p.until != nil else { return nil }
        return "\(p.from?.japanese ?? "")〜\(p.until?.japanese ?? "")"
    }

    static func number(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}
