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
    public static func append(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        guard s.utf8.contains(where: needsScalarCheck) else {
            out.append(contentsOf: s.utf8)
            out.append(0x22)
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += #"\""#.utf8
            case "\\": out += #"\\"#.utf8
            case "\n": out += #"\n"#.utf8
            case "\r": out += #"\r"#.utf8
            case "\t": out += #"\t"#.utf8
            case "<": out += #"\u003c"#.utf8
            case ">": out += #"\u003e"#.utf8
            case "&": out += #"\u0026"#.utf8
            case "'": out += #"\u0027"#.utf8
            case "\u{2028}": out += #"\u2028"#.utf8
            case "\u{2029}": out += #"\u2029"#.utf8
            // Some JSON readers (Foundation's on Linux among them) drop a raw U+FEFF as a BOM.
            case "\u{FEFF}": out += #"\ufeff"#.utf8
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
                } else {
                    out += String(scalar).utf8
                }
            }
        }
        out.append(0x22)
    }

    /// Bytes that start a scalar `quote` may escape: controls, the quote characters, '<' '>' '&'
    /// '\'' '\\', and the lead bytes of U+2028, U+2029 (E2) and U+FEFF (EF).
    @inline(__always)
    static func needsScalarCheck(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x22 || b == 0x5C || b == 0x3C || b == 0x3E || b == 0x26 || b == 0x27 || b == 0xE2 || b == 0xEF
    }
}
