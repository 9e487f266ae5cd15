/// The machine-readable form of diagnostics, for CI.
public enum DiagnosticJSON {
    public static func encode(_ diagnostics: [Diagnostic]) -> String {
        var items: [String] = []
        for d in diagnostics {
            var fields = [
                "\"path\":\(JSONString.quote(d.path))",
                "\"line\":\(d.line)",
                "\"column\":\(d.column)",
                "\"severity\":\(JSONString.quote(d.severity.rawValue))",
                "\"message\":\(JSONString.quote(d.message))",
            ]
            if let hint = d.hint { fields.append("\"hint\":\(JSONString.quote(hint))") }
            items.append("{" + fields.joined(separator: ",") + "}")
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        return "{\"errors\":\(errors),\"warnings\":\(diagnostics.count - errors),\"diagnostics\":[" + items.joined(separator: ",") + "]}"
    }
}

/// JSON string literals, escaped so that the result is also safe inside an HTML <script>
/// or attribute ('<', '>', '&' and the line separators as \u escapes).
public enum JSONString {
    public static func quote(_ s: String) -> String {
        // Most text needs no escape: one scan of its bytes, one concatenation.
        if !s.utf8.contains(where: needsScalarCheck) { return "\"" + s + "\"" }
        var out: [UInt8] = []
        append(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` quoted and escaped as UTF-8 (the writers of large JSON files use this).
    /// Works on the bytes: runs that need no escape are copied whole (Japanese text's
    /// full-width punctuation shares lead bytes with U+2028, U+2029 and U+FEFF, so most
    /// strings have a byte to look at).
    public static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendEscaped($0, to: &out) }
    }

    /// `bytes` is well-formed UTF-8 (a String's).
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var runStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            // A scalar of three or four bytes other than E2 and EF's is passed whole (most of
            // Japanese text: one test for three bytes, where each byte was tested alone).
            if b >= 0xE0 && b != 0xE2 && b != 0xEF {
                i += b >= 0xF0 ? 4 : 3
                continue
            }
            guard needsScalarCheck(b) else {
                i += 1
                continue
            }
            var escape: String?
            var width = 1
            switch b {
            case 0x22: escape = #"\""#
            case 0x5C: escape = #"\\"#
            case 0x0A: escape = #"\n"#
            case 0x0D: escape = #"\r"#
            case 0x09: escape = #"\t"#
            case 0x3C: escape = #"\u003c"#
            case 0x3E: escape = #"\u003e"#
            case 0x26: escape = #"\u0026"#
            case 0x27: escape = #"\u0027"#
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                escape = bytes[i + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#
                width = 3
            // Some JSON readers (Foundation's on Linux among them) drop a raw U+FEFF as a BOM.
            case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF:
                escape = #"\ufeff"#
                width = 3
            default:
                if b < 0x20 {
                    let hex = String(b, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
            guard let escape else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            out.append(contentsOf: escape.utf8)
            i += width
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[min(runStart, bytes.count)..<bytes.count]))
        out.append(0x22)
    }

    /// Bytes that start a scalar `quote` may escape: controls, the quote characters, '<' '>' '&'
    /// '\'' '\\', and the lead bytes of U+2028, U+2029 (E2) and U+FEFF (EF).
    @inline(__always)
    static func needsScalarCheck(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x22 || b == 0x5C || b == 0x3C || b == 0x3E || b == 0x26 || b == 0x27 || b == 0xE2 || b == 0xEF
    }
}
