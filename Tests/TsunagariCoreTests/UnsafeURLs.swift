import Foundation

// Shared by FuzzRegressionTests and the `entry` fuzz target (scripts/fuzz.sh compiles this file
// with each target), so that both apply the same check to rendered Markdown.

/// href/src values of `html` whose scheme (entity references decoded) is not http(s), mailto
/// or tel. A value without a scheme (a relative reference) is fine.
func unsafeURLs(in html: String) -> [String] {
    var found: [String] = []
    let bytes = Array(html.utf8)
    var i = 0
    while i + 6 < bytes.count {
        var start = -1
        if bytes[i...].starts(with: Array("href=\"".utf8)) { start = i + 6 }
        else if bytes[i...].starts(with: Array("src=\"".utf8)) { start = i + 5 }
        if start < 0 { i += 1; continue }
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += 1 }
        var value = String(decoding: bytes[start..<end], as: UTF8.self)
        for (entity, text) in [("&amp;", "&"), ("&#58;", ":"), ("&colon;", ":"), ("&#x3a;", ":"), ("&#x3A;", ":")] {
            value = value.replacingOccurrences(of: entity, with: text)
        }
        let trimmed = value.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        if let colon = trimmed.firstIndex(of: ":"), !trimmed[..<colon].contains(where: { "/?#".contains($0) }),
           !["http", "https", "mailto", "tel"].contains(trimmed[..<colon].lowercased()) {
            found.append(value)
        }
        i = end
    }
    return found
}
