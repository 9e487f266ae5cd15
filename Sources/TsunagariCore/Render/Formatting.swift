/// Human-readable Japanese text for structured fields (hours, dates, periods).
enum Formatting {
    static func time(_ minutes: Int) -> String {
        let m = minutes % 60
        return "\(minutes / 60):\(m < 10 ? "0" : "")\(m)"
    }

    /// 月〜金 for runs of three or more consecutive weekdays, else 月・水.
    static func days(_ days: [Weekday]) -> String {
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

    static func schedule(_ s: Schedule?) -> String? {
        guard let s else { return nil }
        var parts: [String] = []
        if s.always { parts.append("24時間") }
        for r in s.weekly { parts.append("\(days(r.days)) \(time(r.open))〜\(time(r.close))") }
        var text = parts.joined(separator: "、")
        if let holidays = s.holidays { text += text.isEmpty ? holidays : "（\(holidays)）" }
        if let note = s.note { text += text.isEmpty ? note : "。\(note)" }
        return text.isEmpty ? nil : text
    }

    /// Compact JSON the browser reads to tell whether a line is open now (Japan time).
    static func scheduleJSON(_ s: Schedule?, period: Period?) -> String? {
        guard s != nil || period?.from != nil || period?.until != nil else { return nil }
        var json = "{\"always\":\(s?.always ?? false)"
        if let s, !s.weekly.isEmpty {
            let order = Weekday.allCases
            let ranges = s.weekly.map { r in
                "{\"d\":[\(r.days.compactMap { order.firstIndex(of: $0) }.map(String.init).joined(separator: ","))],\"o\":\(r.open),\"c\":\(r.close)}"
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
