/// HTML escaping at the byte (UTF-8) level.
///
/// Escapes exactly `&` `<` `>` `"` `'` as `&amp;` `&lt;` `&gt;` `&quot;` `&#39;` — the same set and
/// spelling as swift-mustache. (One deliberate difference: swift-mustache compares whole
/// Characters, so a quote or `<` followed by a combining mark, e.g. `"` + U+0301, forms one
/// grapheme it leaves unescaped; this escapes every such byte, which is the safe choice.)
public enum HTMLEscape {
    /// The escaped form of `s`.
    public static func escape(_ s: String) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(s.utf8.count + 16)
        append(s, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Appends the escaped UTF-8 bytes of `s` to `buffer`.
    public static func append(_ s: String, to buffer: inout [UInt8]) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendBytes($0, to: &buffer) }
        if done == nil {
            var copy = s
            copy.withUTF8 { appendBytes($0, to: &buffer) }
        }
    }

    /// Appends the escaped form of the UTF-8 bytes `bytes` to `buffer`.
    public static func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return }
        let plain = plainPrefixLength(bytes)
        if plain == n {
            buffer.append(contentsOf: bytes)
            return
        }
        if plain > 0 { buffer.append(contentsOf: UnsafeBufferPointer(start: base, count: plain)) }
        let rest = UnsafeBufferPointer(start: base + plain, count: n - plain)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rest.count * maxExpansion) { scratch in
            let written = escape(rest, to: scratch.baseAddress!)
            buffer.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: written))
        }
    }

    /// The longest entity, `&quot;`, is 6 bytes: `escape` needs 6 bytes of room per input byte.
    static let maxExpansion = 6

    /// Bits 34 `"`, 38 `&`, 39 `'`, 60 `<`, 62 `>`.
    static let specialMask: UInt64 = (1 << 34) | (1 << 38) | (1 << 39) | (1 << 60) | (1 << 62)

    @inline(__always)
    static func isSpecial(_ b: UInt8) -> Bool {
        b <= 62 && (specialMask >> UInt64(b)) & 1 != 0
    }

    /// Whether any of the 8 bytes of `word` is one of the five special bytes (exact: the
    /// "has a zero byte" test on `word` XOR each byte repeated).
    @inline(__always)
    static func hasSpecial(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // All five are below 0x40: a word with no byte below 0x40 (the UTF-8 of Japanese text,
        // letters) is told in four instructions, not the twenty of the five tests.
        if (word &- ones &* 0x40) & ~word & highs == 0 { return false }
        @inline(__always) func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        return (zeroByte(word ^ (ones &* 0x22)) | zeroByte(word ^ (ones &* 0x26)) | zeroByte(word ^ (ones &* 0x27))
                | zeroByte(word ^ (ones &* 0x3C)) | zeroByte(word ^ (ones &* 0x3E))) != 0
    }

    /// How many bytes at the start of `bytes` need no escaping.
    @inline(__always)
    static func plainPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return 0 }
        var i = 0
        while i + 8 <= n && !hasSpecial(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i += 8 }
        while i < n && !isSpecial(base[i]) { i += 1 }
        return i
    }

    /// Writes the escaped form of `source` at `destination`, which has room for
    /// `source.count * maxExpansion` bytes; returns the number of bytes written.
    static func escape(_ source: UnsafeBufferPointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        let n = source.count
        guard let s = source.baseAddress else { return 0 }
        var d = destination
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(s + i).loadUnaligned(as: UInt64.self)
            if !hasSpecial(word) {
                UnsafeMutableRawPointer(d).storeBytes(of: word, as: UInt64.self)
                d += 8
            } else {
                for j in 0..<8 { d += write(s[i + j], at: d) }
            }
            i += 8
        }
        while i < n {
            d += write(s[i], at: d)
            i += 1
        }
        return d - destination
    }

    /// Writes byte `b`, or its entity if it is special, at `p`; returns the length written.
    @inline(__always)
    static func write(_ b: UInt8, at p: UnsafeMutablePointer<UInt8>) -> Int {
        guard isSpecial(b) else {
            p.pointee = b
            return 1
        }
        switch b {
        case 38:  // &amp;
            p[0] = 38; p[1] = 97; p[2] = 109; p[3] = 112; p[4] = 59
            return 5
        case 60:  // &lt;
            p[0] = 38; p[1] = 108; p[2] = 116; p[3] = 59
            return 4
        case 62:  // &gt;
            p[0] = 38; p[1] = 103; p[2] = 116; p[3] = 59
            return 4
        case 34:  // &quot;
            p[0] = 38; p[1] = 113; p[2] = 117; p[3] = 111; p[4] = 116; p[5] = 59
            return 6
        default:  // &#39;
            p[0] = 38; p[1] = 35; p[2] = 51; p[3] = 57; p[4] = 59
            return 5
        }
    }
}
