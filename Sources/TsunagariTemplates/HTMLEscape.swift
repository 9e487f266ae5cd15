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
    @inlinable
    public static func append(_ s: String, to buffer: inout [UInt8]) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendBytes($0, to: &buffer) }
        if done == nil {
            var copy = s
            copy.withUTF8 { appendBytes($0, to: &buffer) }
        }
    }

    /// Bits 34 `"`, 38 `&`, 39 `'`, 60 `<`, 62 `>`.
    @usableFromInline
    static let specialMask: UInt64 = (1 << 34) | (1 << 38) | (1 << 39) | (1 << 60) | (1 << 62)

    /// Appends the escaped form of the UTF-8 bytes `bytes` to `buffer`.
    @inlinable
    public static func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return }
        var runStart = 0
        var i = 0
        while i < n {
            let b = base[i]
            if b <= 62 && (specialMask >> UInt64(b)) & 1 != 0 {
                if i > runStart {
                    buffer.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
                }
                switch b {
                case 38: buffer.append(contentsOf: [38, 97, 109, 112, 59] as [UInt8])  // &amp;
                case 60: buffer.append(contentsOf: [38, 108, 116, 59] as [UInt8])  // &lt;
                case 62: buffer.append(contentsOf: [38, 103, 116, 59] as [UInt8])  // &gt;
                case 34: buffer.append(contentsOf: [38, 113, 117, 111, 116, 59] as [UInt8])  // &quot;
                default: buffer.append(contentsOf: [38, 35, 51, 57, 59] as [UInt8])  // &#39;
                }
                runStart = i + 1
            }
            i += 1
        }
        if n > runStart {
            buffer.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart))
        }
    }
}
