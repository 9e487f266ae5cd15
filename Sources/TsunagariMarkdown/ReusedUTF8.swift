import CCmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes Strings of what libcmark wrote from a source String without validating its
/// Japanese text a second time.
///
/// Every String initializer validates its bytes, and the standard library checks pure ASCII
/// eight bytes at a time but anything else byte by byte. libcmark's HTML and the plain text
/// copy the source's non-ASCII text unchanged, so each run of non-ASCII bytes is looked up in
/// the source (already a String, so valid) and appended as a slice of it, which copies without
/// validating; only the ASCII between the runs goes through validation.
/// (Validating each body's HTML and plain text again was 1.5 % of a build of 1,000 windows.)
enum ReusedUTF8 {
    /// How far past the end of the last run found a run is looked for, besides twice the ASCII
    /// before it (link targets and markup left out of the output): a run further on, or one
    /// libcmark made (an entity, U+FFFD), is validated instead, so a miss costs a bounded search.
    static let slack = 1024

    /// The same String as `String(decoding: bytes, as: UTF8.self)`, invalid bytes included.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, reusing source: String) -> String {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return "" }
        let made = source.utf8.withContiguousStorageIfAvailable { src -> String in
            var out = ""
            out.reserveCapacity(bytes.count)
            var cursor = 0
            var i = 0
            let count = bytes.count
            while i < count {
                let j = runEnd(base, from: i, count: count, nonASCII: false)
                if j == count {
                    out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self))
                    break
                }
                let k = runEnd(base, from: j + 1, count: count, nonASCII: true)
                let run = UnsafeBufferPointer(rebasing: bytes[j..<k])
                if let at = find(run, in: src, from: cursor, within: 2 * (j - i) + slack) {
                    // The ASCII before the run too, when the source has it there (a newline
                    // of the plain text, say): one append instead of two.
                    let gap = j - i
                    let from = at >= cursor + gap && memcmp(src.baseAddress! + at - gap, base + i, gap) == 0 ? at - gap : at
                    if from == at && gap > 0 {
                        out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self))
                    }
                    let utf8 = source.utf8
                    let slice: Substring = source[utf8.index(utf8.startIndex, offsetBy: from)..<utf8.index(utf8.startIndex, offsetBy: at + run.count)]
                    out.append(contentsOf: slice)
                    cursor = at + run.count
                } else {
                    if j > i { out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self)) }
                    out.append(String(decoding: run, as: UTF8.self))
                }
                i = k
            }
            return out
        }
        return made ?? String(decoding: bytes, as: UTF8.self)
    }

    /// The end of the run of ASCII (or of non-ASCII) bytes from `i`, eight bytes at a time:
    /// a byte-wise loop over the Japanese text cost nearly what validating it does.
    static func runEnd(_ base: UnsafePointer<UInt8>, from i: Int, count: Int, nonASCII: Bool) -> Int {
        let high: UInt64 = 0x8080_8080_8080_8080
        let want: UInt64 = nonASCII ? high : 0
        var i = i
        while i + 8 <= count && UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & high == want { i += 8 }
        while i < count && (base[i] >= 0x80) == nonASCII { i += 1 }
        return i
    }

    /// Where `run` appears whole in `src` at or after `from`, starting within `within` bytes:
    /// only where it starts and ends on a character boundary (a slice of the source is then
    /// exactly these bytes). memmem looks for its first bytes and memcmp checks the rest: memmem
    /// prepares the whole needle first, which for a long paragraph costs what validating does.
    static func find(_ run: UnsafeBufferPointer<UInt8>, in src: UnsafeBufferPointer<UInt8>, from: Int, within: Int) -> Int? {
        guard let needle = run.baseAddress, let hay = src.baseAddress, run[0] & 0xC0 != 0x80 else { return nil }
        let count = run.count
        let last = min(src.count - count, from + within)   // the last start looked at
        // Most often the run starts at the source's first non-ASCII byte after the last one
        // found (only markup between): checked before searching. Looked for within the window
        // only: a scan to the end for each run libcmark made (entities) was quadratic.
        guard from <= last else { return nil }
        let next = runEnd(hay, from: from, count: last + 1, nonASCII: false)
        if next <= last && memcmp(hay + next, needle, count) == 0 && (next + count == src.count || hay[next + count] & 0xC0 != 0x80) {
            return next
        }
        let prefix = min(count, 16)
        var start = from
        while start <= last {
            guard let hit = tsunagari_memmem(hay + start, last - start + prefix, needle, prefix) else { return nil }
            let at = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - hay
            if memcmp(hay + at, needle, count) == 0 && (at + count == src.count || hay[at + count] & 0xC0 != 0x80) {
                return at
            }
            start = at + 1
        }
        return nil
    }
}
