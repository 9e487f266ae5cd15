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
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "'": out += "\\u0027"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            // Some JSON readers (Foundation's on Linux among them) drop a raw U+FEFF as a BOM.
            case "\u{FEFF}": out += "\\ufeff"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Bytes that start a scalar `quote` may escape: controls, the quote characters, '<' '>' '&'
    /// '\'' '\\', and the lead bytes of U+2028, U+2029 (E2) and U+FEFF (EF).
    @inline(__always)
    static func needsScalarCheck(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x22 || b == 0x5C || b == 0x3C || b == 0x3E || b == 0x26 || b == 0x27 || b == 0xE2 || b == 0xEF
    }
}
