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

    /// Resolution of an untagged plain scalar; `u` holds the UTF-8 of `s`. Every test reads
    /// the bytes in place (an `Array(s.utf8)` per scalar and String comparisons against each
    /// spelling cost more than the rest of the resolution: times and dates start with a digit).
    static func resolvePlain(_ s: String, utf8 u: UnsafeBufferPointer<UInt8>) -> YAMLNode.Value {
        // Every null, bool, int and float of the schema starts with one of these bytes (or is
        // empty); any other scalar — most text, all Japanese — is a string without more tests.
        if let first = u.first {
            switch first {
            case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
                 UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                break
            default:
                return .string(s)
            }
        }
        if let v = null(u) { return v }
        if let b = bool(u) { return .bool(b) }
        if let v = int(u, text: s) { return v }
        if let d = float(u) { return .float(d) }
        return .string(s)
    }

    /// `true` when the bytes are exactly `word`.
    @inline(__always) private static func isWord(_ u: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard u.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<u.count where u[i] != w[i] { return false }
        return true
    }

    static func null(_ u: UnsafeBufferPointer<UInt8>) -> YAMLNode.Value? {
        if u.isEmpty || isWord(u, "~") || isWord(u, "null") || isWord(u, "Null") || isWord(u, "NULL") { return .null }
        return nil
    }

    static func bool(_ u: UnsafeBufferPointer<UInt8>) -> Bool? {
        if isWord(u, "true") || isWord(u, "True") || isWord(u, "TRUE") { return true }
        if isWord(u, "false") || isWord(u, "False") || isWord(u, "FALSE") { return false }
        return nil
    }

    @inline(__always) private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) private static func isOctal(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x37 }
    @inline(__always) private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
    @inline(__always) private static func digitValue(_ c: UInt8) -> Int {
        if isDigit(c) { return Int(c - 0x30) }
        return c >= 0x61 ? Int(c - 0x61 + 10) : Int(c - 0x41 + 10)
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; `u` holds the UTF-8 of `text`. A value that
    /// does not fit in `Int` becomes `.float` (the nearest Double): it is still a number, as it
    /// would be in JSON.
    static func int(_ u: UnsafeBufferPointer<UInt8>, text: String) -> YAMLNode.Value? {
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == 0x30, u[1] == 0x6F /* o */ || u[1] == 0x78 /* x */ {
            let digits = UnsafeBufferPointer(rebasing: u[2...])
            if u[1] == 0x6F {
                guard digits.allSatisfy(isOctal) else { return nil }
                return radixValue(digits, radix: 8)
            }
            guard digits.allSatisfy(isHex) else { return nil }
            return radixValue(digits, radix: 16)
        }
        var start = 0
        if u[0] == 0x2B || u[0] == 0x2D { start = 1 }
        guard start < u.count else { return nil }
        // Summed below zero, so that Int.min fits; leading zeros (`0777`) are decimal.
        var value = 0
        var overflow = false
        for c in UnsafeBufferPointer(rebasing: u[start...]) {
            guard isDigit(c) else { return nil }
            if overflow { continue }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(Int(c - 0x30))
            value = next
            overflow = o1 || o2
        }
        if !overflow, u[0] == 0x2D { return .int(value) }
        if !overflow, value != Int.min { return .int(-value) }
        return .float(Double(text) ?? .infinity)
    }

    private static func radixValue(_ digits: UnsafeBufferPointer<UInt8>, radix: Int) -> YAMLNode.Value {
        var value = 0
        var overflow = false
        for c in digits {
            let (times, o1) = value.multipliedReportingOverflow(by: radix)
            let (next, o2) = times.addingReportingOverflow(digitValue(c))
            value = next
            if o1 || o2 { overflow = true; break }
        }
        if !overflow { return .int(value) }
        var d = 0.0
        for c in digits { d = d * Double(radix) + Double(digitValue(c)) }
        return .float(d)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?(\.inf|\.Inf|\.INF)`,
    /// `\.nan|\.NaN|\.NAN`.
    static func float(_ u: UnsafeBufferPointer<UInt8>) -> Double? {
        if isWord(u, ".inf") || isWord(u, ".Inf") || isWord(u, ".INF")
            || isWord(u, "+.inf") || isWord(u, "+.Inf") || isWord(u, "+.INF") { return .infinity }
        if isWord(u, "-.inf") || isWord(u, "-.Inf") || isWord(u, "-.INF") { return -.infinity }
        if isWord(u, ".nan") || isWord(u, ".NaN") || isWord(u, ".NAN") { return .nan }
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
    private static func parseDouble(_ u: UnsafeBufferPointer<UInt8>) -> Double? {
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
