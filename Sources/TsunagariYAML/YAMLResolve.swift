// YAML 1.2 core schema resolution (https://yaml.org/spec/1.2.2/#1023-core-schema).

enum CoreSchema {
    static let strTag = "tag:yaml.org,2002:str"
    static let intTag = "tag:yaml.org,2002:int"
    static let floatTag = "tag:yaml.org,2002:float"
    static let boolTag = "tag:yaml.org,2002:bool"
    static let nullTag = "tag:yaml.org,2002:null"
    static let seqTag = "tag:yaml.org,2002:seq"
    static let mapTag = "tag:yaml.org,2002:map"

    /// `tag:yaml.org,2002:int` -> `!!int`, for messages.
    static func shortTag(_ tag: String) -> String {
        let prefix = "tag:yaml.org,2002:"
        if tag.hasPrefix(prefix) { return "!!" + tag.dropFirst(prefix.count) }
        return tag
    }

    /// Resolution of an untagged plain scalar.
    static func resolvePlain(_ s: String) -> YAMLNode.Value {
        // Every null, bool, int and float of the schema starts with one of these bytes (or is
        // empty); any other scalar — most text, all Japanese — is a string without more tests.
        if let first = s.utf8.first {
            switch first {
            case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
                 UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                break
            default:
                return .string(s)
            }
        }
        if let v = null(s) { return v }
        if let b = bool(s) { return .bool(b) }
        if let v = int(s) { return v }
        if let d = float(s) { return .float(d) }
        return .string(s)
    }

    static func null(_ s: String) -> YAMLNode.Value? {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        default: return nil
        }
    }

    static func bool(_ s: String) -> Bool? {
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    @inline(__always) private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) private static func isOctal(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x37 }
    @inline(__always) private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`. A value that does not fit in `Int` becomes
    /// `.float` (the nearest Double): it is still a number, as it would be in JSON.
    static func int(_ s: String) -> YAMLNode.Value? {
        let u = Array(s.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == 0x30, u[1] == 0x6F /* o */ {
            let digits = u[2...]
            guard digits.allSatisfy(isOctal) else { return nil }
            return radixValue(digits, radix: 8)
        }
        if u.count > 2, u[0] == 0x30, u[1] == 0x78 /* x */ {
            let digits = u[2...]
            guard digits.allSatisfy(isHex) else { return nil }
            return radixValue(digits, radix: 16)
        }
        var start = 0
        if u[0] == 0x2B || u[0] == 0x2D { start = 1 }
        guard start < u.count, u[start...].allSatisfy(isDigit) else { return nil }
        if let i = Int(s) { return .int(i) }   // Int("+12") and Int("0777") both work
        return .float(Double(s) ?? .infinity)
    }

    private static func radixValue(_ digits: ArraySlice<UInt8>, radix: Int) -> YAMLNode.Value {
        let text = String(decoding: digits, as: UTF8.self)
        if let i = Int(text, radix: radix) { return .int(i) }
        var d = 0.0
        for c in digits {
            let v: Int
            if isDigit(c) { v = Int(c - 0x30) } else if c >= 0x61 { v = Int(c - 0x61 + 10) } else { v = Int(c - 0x41 + 10) }
            d = d * Double(radix) + Double(v)
        }
        return .float(d)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?(\.inf|\.Inf|\.INF)`,
    /// `\.nan|\.NaN|\.NAN`.
    static func float(_ s: String) -> Double? {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let u = Array(s.utf8)
        var i = 0
        if i < u.count, u[i] == 0x2B || u[i] == 0x2D { i += 1 }
        var intDigits = 0
        while i < u.count, isDigit(u[i]) { i += 1; intDigits += 1 }
        var fracDigits = 0
        if i < u.count, u[i] == 0x2E {
            i += 1
            while i < u.count, isDigit(u[i]) { i += 1; fracDigits += 1 }
            // `\.[0-9]+` needs digits when there is no integer part; `[0-9]+\.` is fine.
            if intDigits == 0 && fracDigits == 0 { return nil }
        } else if intDigits == 0 {
            return nil
        }
        if i < u.count, u[i] == 0x65 || u[i] == 0x45 {
            i += 1
            if i < u.count, u[i] == 0x2B || u[i] == 0x2D { i += 1 }
            var expDigits = 0
            while i < u.count, isDigit(u[i]) { i += 1; expDigits += 1 }
            if expDigits == 0 { return nil }
        }
        guard i == u.count else { return nil }
        return parseDouble(u)
    }

    /// Swift's `Double(String)` is strict about some forms (`1.`, `.5`, `+1`), so normalise
    /// the already-validated text first: `1.` -> `1.0`, `.5` -> `0.5`, `-.5e3` -> `-0.5e3`.
    private static func parseDouble(_ u: [UInt8]) -> Double? {
        var out: [UInt8] = []
        out.reserveCapacity(u.count + 2)
        var i = 0
        if u[0] == 0x2D { out.append(0x2D); i = 1 } else if u[0] == 0x2B { i = 1 }
        if i < u.count, u[i] == 0x2E { out.append(0x30) }
        while i < u.count {
            let c = u[i]
            out.append(c)
            if c == 0x2E, !(i + 1 < u.count && isDigit(u[i + 1])) { out.append(0x30) }
            i += 1
        }
        return Double(String(decoding: out, as: UTF8.self))
    }
}
