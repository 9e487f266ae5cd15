/// Human-readable Japanese text for structured fields (hours, dates, periods).
enum Formatting {
    static func time(_ minutes: Int) -> String {
        var out: [UInt8] = []
        appendTime(minutes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// 9:00, 17:15 (hours not padded, minutes padded).
    static func appendTime(_ minutes: Int, to out: inout [UInt8]) {
        appendDecimal(minutes / 60, to: &out)
        out.append(UInt8(ascii: ":"))
        let m = minutes % 60
        if m < 10 { out.append(UInt8(ascii: "0")) }
        appendDecimal(m, to: &out)
    }

    /// `n` in decimal digits, as `String(n)` writes it. (A String made for each number went
    /// through its description: 170 instructions for the 140,000 times of 10,000 windows.)
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var v = n.magnitude
        var divisor: UInt = 1
        while divisor <= v / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: v / divisor) &+ UInt8(ascii: "0"))
            v %= divisor
            divisor /= 10
        }
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

    /// Compact JSON the browser reads to tell whether a line is open now (Japan time). Made as
    /// UTF-8 bytes (interpolated and joined Strings were 1 % of a build's instructions).
    static func scheduleJSON(_ s: Schedule?, period: Period?) -> String? {
        guard s != nil || period?.from != nil || period?.until != nil else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(96)
        func number(_ n: Int) { appendDecimal(n, to: &out) }
        out.append(contentsOf: "{\"always\":".utf8)
        out.append(contentsOf: (s?.always ?? false ? "true" : "false").utf8)
        if let s, !s.weekly.isEmpty {
            out.append(contentsOf: ",\"weekly\":[".utf8)
            for (i, r) in s.weekly.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "{\"d\":[".utf8)
                for (k, day) in r.days.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    number(day.index)
                }
                out.append(contentsOf: "],\"o\":".utf8)
                number(r.open)
                out.append(contentsOf: ",\"c\":".utf8)
                number(r.close)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if let from = period?.from { out.append(contentsOf: ",\"from\":\"".utf8); out.append(contentsOf: from.description.utf8); out.append(UInt8(ascii: "\"")) }
        if let until = period?.until { out.append(contentsOf: ",\"until\":\"".utf8); out.append(contentsOf: until.description.utf8); out.append(UInt8(ascii: "\"")) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
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
