// Byte offsets -> line/column, and UTF-8 validation with a located error.

#if canImport(Glibc)
import Glibc
#endif

enum TextPosition {
    /// The 0-based line and column (in Unicode scalars) of byte `offset` of well-formed UTF-8
    /// text (bytes before `offset` are valid UTF-8). Line breaks are LF, CR LF and lone CR, as
    /// libyaml counts them. A leading BOM is not counted, matching libyaml's marks.
    static func lineColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 0
        var column = 0
        var i = 0
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < end {
            let c = bytes[i]
            if c == 0x0A {
                line += 1; column = 0
            } else if c == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                    // CR LF is one break; the LF (if before `end`) completes it.
                    if i + 1 < end { i += 1 }
                    line += 1; column = 0
                } else {
                    line += 1; column = 0
                }
            } else if c & 0xC0 != 0x80 {
                column += 1   // count lead bytes (and ASCII) only: one per scalar
            }
            i += 1
        }
        return (line, column)
    }

    /// `lineColumn(of: bytes.count, in: bytes)`, found with `memchr`: the lines are counted
    /// at its speed and only the last one's characters one by one (every front matter's end
    /// is asked for, and counting all its characters was 59 million instructions for 10,000).
    static func end(of bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0, memchr(base, 0x0D, count) == nil else {
            return lineColumn(of: count, in: bytes)   // (a CR: breaks counted as libyaml does)
        }
        var line = 0
        var lastLine = count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
        while lastLine < count, let found = memchr(base + lastLine, 0x0A, count - lastLine) {
            line += 1
            lastLine = UnsafeRawPointer(found) - UnsafeRawPointer(base) + 1
        }
        var column = 0
        for i in lastLine..<count where base[i] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }

    /// The byte offset of 0-based `line` and `column` (Unicode scalars), counted as
    /// `lineColumn(of:in:)` counts; `nil` when the position is past the end of the text.
    static func byteOffset(line: Int, column: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var l = 0
        while l < line {
            guard i < bytes.count else { return nil }
            let c = bytes[i]
            i += 1
            if c == 0x0A {
                l += 1
            } else if c == 0x0D {
                if i < bytes.count, bytes[i] == 0x0A { i += 1 }
                l += 1
            }
        }
        var col = 0
        while col < column {
            guard i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D else { return nil }
            i += 1
            while i < bytes.count, bytes[i] & 0xC0 == 0x80 { i += 1 }
            col += 1
        }
        return i < bytes.count ? i : nil
    }

    /// The offset of the first byte that is not part of well-formed UTF-8, or `nil`.
    /// Rejects overlong forms, surrogates, values above U+10FFFF and truncated sequences.
    static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            for k in 1...need {
                guard i + k < n else { return i }
                let t = b[i + k]
                if k == 1 {
                    if t < lo || t > hi { return i }
                } else if t & 0xC0 != 0x80 {
                    return i
                }
            }
            i += need + 1
        }
        return nil
    }
}
