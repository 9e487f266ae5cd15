import Foundation

/// How search text is folded and cut into tokens. The browser runs the same rules
/// (themes/default/assets/search.js, `normalize` and `queryTokens`); Tests/search-tokens.json
/// is the table of cases both sides are tested against.
///
/// Normalization, in this order:
/// 1. NFKC (full-width Latin and digits to ASCII, half-width katakana to full width, ①→1);
/// 2. lower case;
/// 3. katakana → hiragana (ァ–ヶ, ヽヾ);
/// 4. long-vowel and dash variants (ー ｰ - ‐ ‑ ‒ – — ― − ～ 〜) become ー after a kana
///    (repeats collapse to one) and a space anywhere else;
/// 5. runs of white space become one space, trimmed.
///
/// Tokens: a run of kana and kanji gives its character bigrams (one character alone gives
/// itself); a run of other letters, marks and digits gives one word. Everything else
/// (punctuation, symbols, ・, spaces) separates.
public enum SearchText {
    public static func normalize(_ text: String) -> String {
        string(normalizedScalars(text))
    }

    /// The normalized text as scalars.
    static func normalizedScalars(_ text: String) -> [Unicode.Scalar] {
        withNormalizedScalars(text) { values in values.map { Unicode.Scalar($0)! } }
    }

    /// The normalized text's scalar values, in a buffer that lives while `body` runs (the
    /// indexer cuts tokens from them without making a String or an Array in between: building
    /// strings scalar by scalar was most of the indexing time once, and appending each scalar
    /// to an Array was a third of what was left).
    static func withNormalizedScalars<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt32>) throws -> R) rethrows -> R {
        var text = text
        return try text.withUTF8 { bytes in
            // NFKC can make more scalars than the text has bytes (ﷺ makes 18): the buffer grows then.
            var writer = NormalizedWriter(capacity: bytes.count + 8)
            defer { writer.base.deallocate() }
            forEachFolded(utf8: bytes, into: &writer)
            return try body(UnsafeBufferPointer(start: writer.base, count: writer.count))
        }
    }

    /// Steps 3–5 of the normalization, a folded scalar at a time, into a buffer that grows.
    /// (A struct passed inout, not a closure over local variables: the closure kept its
    /// variables in memory, and the loop stored each of them again for every character.)
    struct NormalizedWriter: FoldedScalarSink {
        var base: UnsafeMutablePointer<UInt32>
        var capacity: Int
        var count = 0
        var previous: UInt32 = 0       // the last scalar written (0: none, or white space since)
        var pendingSpace = false

        init(capacity: Int) {
            self.capacity = capacity
            base = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        }

        @inline(__always)
        mutating func write(_ value: UInt32) {
            if count == capacity { grow() }
            base[count] = value
            count &+= 1
        }

        @inline(never)
        mutating func grow() {
            let grown = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }

        @inline(__always)
        mutating func take(_ folded: UInt32) {
            // Kanji and hiragana, most of the text, are kept as they are.
            if isCommonKanjiOrHiragana(folded) {
                if pendingSpace { write(0x20); pendingSpace = false }
                write(folded)
                previous = folded
                return
            }
            var v = folded
            if (0x30A1...0x30F6).contains(v) || v == 0x30FD || v == 0x30FE { v -= 0x60 }
            if isDash(v) {
                if previous != 0 && (isKana(previous) || previous == 0x30FC) {
                    if previous != 0x30FC { write(0x30FC); previous = 0x30FC }
                    return
                }
                v = 0x20
            }
            if isWhitespace(v) {
                if count > 0 { pendingSpace = true }
                previous = 0
                return
            }
            if pendingSpace { write(0x20); pendingSpace = false }
            write(v)
            previous = v
        }
    }

    /// Kanji of the CJK Unified Ideographs block and hiragana: most of the text, tested first.
    @inline(__always)
    static func isCommonKanjiOrHiragana(_ value: UInt32) -> Bool {
        value &- 0x4E00 < 0x5200 || value &- 0x3041 < 0x56
    }

    /// Unicode's White_Space property, as a list: asking `properties.isWhitespace` of every
    /// Japanese character was 3 % of a build (SearchTextTests checks the list against it).
    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { isWhitespace(s.value) }

    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// A String of scalars, through their UTF-8 bytes.
    static func string<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count * 3)
        for s in scalars { UTF8.encode(s) { bytes.append($0) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// NFKC, then lower case. Most text is ASCII, kana and common kanji, which NFKC leaves
    /// alone, so only the runs of other characters go through Foundation's normalization (the
    /// slowest step of indexing), each with the character before it, which a following mark
    /// may compose with. The characters of the stable set never compose with what precedes them.
    static func fold(_ text: String) -> [Unicode.Scalar] {
        struct Scalars: FoldedScalarSink {
            var out: [Unicode.Scalar] = []
            mutating func take(_ folded: UInt32) { out.append(Unicode.Scalar(folded)!) }
        }
        var scalars = Scalars()
        var text = text
        text.withUTF8 { bytes in
            scalars.out.reserveCapacity(bytes.count)
            forEachFolded(utf8: bytes, into: &scalars)
        }
        return scalars.out
    }

    /// `fold`, a scalar value at a time, from the UTF-8 of a String (valid, so decoded here
    /// without checks; through `unicodeScalars` the decoding was a fifth of the tokenizing).
    /// A stable character is held until the next one shows that no mark composes with it.
    @inline(__always)
    static func forEachFolded<Sink: FoldedScalarSink>(utf8 bytes: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        guard let p = bytes.baseAddress else { return }
        var pending = String.UnicodeScalarView()   // a run to normalize with Foundation
        var hasPending = false
        var held: UInt32 = 0                       // 0: none
        @inline(__always) func lower(_ v: UInt32) -> UInt32 { v &- 0x41 < 26 ? v | 0x20 : v }
        let n = bytes.count
        var i = 0
        while i < n {
            let b0 = UInt32(p[i])
            let v: UInt32
            if b0 < 0x80 {
                v = b0; i &+= 1
            } else if b0 < 0xE0 {
                v = (b0 & 0x1F) << 6 | UInt32(p[i &+ 1] & 0x3F); i &+= 2
            } else if b0 < 0xF0 {
                v = (b0 & 0x0F) << 12 | UInt32(p[i &+ 1] & 0x3F) << 6 | UInt32(p[i &+ 2] & 0x3F); i &+= 3
            } else {
                v = (b0 & 0x07) << 18 | UInt32(p[i &+ 1] & 0x3F) << 12 | UInt32(p[i &+ 2] & 0x3F) << 6 | UInt32(p[i &+ 3] & 0x3F); i &+= 4
            }
            // (NUL never reaches here as a stable character: it is not in the stable set.)
            if isNFKCStable(v) {
                if hasPending {
                    flushNormalizing(&pending, into: &sink)
                    hasPending = false
                } else if held != 0 {
                    sink.take(lower(held))
                }
                held = v
            } else {
                if !hasPending && held != 0 { pending.append(Unicode.Scalar(held)!) }
                hasPending = true
                held = 0
                pending.append(Unicode.Scalar(v)!)
            }
        }
        if hasPending {
            flushNormalizing(&pending, into: &sink)
        } else if held != 0 {
            sink.take(lower(held))
        }
    }

    /// NFKC and lower case of a run of characters outside the stable set (with the stable
    /// character before it), through Foundation: rare, and kept out of the loop above.
    @inline(never)
    static func flushNormalizing<Sink: FoldedScalarSink>(_ pending: inout String.UnicodeScalarView, into sink: inout Sink) {
        for s in String(pending).precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars {
            sink.take(s.value)
        }
        pending = String.UnicodeScalarView()
    }

    /// Characters that NFKC maps to themselves and that have no case and compose with
    /// nothing in this set: printable ASCII, 、。「」『』, kana without the separate voicing
    /// marks, ー and the CJK Unified Ideographs block.
    @inline(__always)
    static func isNFKCStable(_ value: UInt32) -> Bool {
        // (Kanji and hiragana first, on their own: they are most of the text, and the compiler
        // tests all the ranges of a switch at once.)
        if isCommonKanjiOrHiragana(value) { return true }
        switch value {
        case 0x20...0x7E, 0x09, 0x0A, 0x0D, 0x3001...0x3002, 0x300C...0x300F, 0x30A1...0x30FA, 0x30FC:
            return true
        default:
            return false
        }
    }

    /// Hiragana (after folding): the characters after which a dash is a long-vowel mark.
    @inline(__always)
    static func isKana(_ value: UInt32) -> Bool {
        (0x3041...0x3096).contains(value) || (0x309D...0x309E).contains(value) || (0x30F7...0x30FA).contains(value)
    }

    @inline(__always)
    static func isDash(_ value: UInt32) -> Bool {
        switch value {
        case 0x2D, 0x7E, 0x2010...0x2015, 0x2212, 0x2053, 0x301C, 0x3030, 0x30FC, 0xFE58, 0xFE63: return true
        default: return false
        }
    }

    /// Kana, kanji and the marks that live among them: cut into bigrams.
    static func isJapanese(_ s: Unicode.Scalar) -> Bool { isJapanese(s.value) }

    @inline(__always)
    static func isJapanese(_ value: UInt32) -> Bool {
        if isCommonKanjiOrHiragana(value) { return true }
        switch value {
        case 0x4E00...0x9FFF, 0x3041...0x3096, 0x3005, 0x3006, 0x3007, 0x3099...0x309F, 0x30A0...0x30FA, 0x30FC...0x30FF,
             0x31F0...0x31FF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x3FFFF:
            return true
        default:
            return false
        }
    }

    /// Letters, marks and digits of other scripts: kept whole as words.
    static func isWord(_ s: Unicode.Scalar) -> Bool { isWord(s.value) }

    @inline(__always)
    static func isWord(_ value: UInt32) -> Bool {
        if value < 0x80 { return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
        return isOtherWord(value)
    }

    /// Letters, marks and digits outside ASCII (by Unicode's general category).
    static func isOtherWord(_ value: UInt32) -> Bool {
        // Japanese punctuation (、。〈〉《》「」『』【】・), common in prose, answered without
        // asking Unicode's tables (which took a tenth of the tokenizing).
        if value == 0x3001 || value == 0x3002 || (0x3008...0x3011).contains(value) || value == 0x30FB { return false }
        return isWordByGeneralCategory(value)
    }

    /// The definition itself: a letter, mark or digit by Unicode's general category.
    static func isWordByGeneralCategory(_ value: UInt32) -> Bool {
        guard let s = Unicode.Scalar(value) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// A run of normalized text: Japanese (bigrams) or a word.
    public struct Run: Equatable, Sendable {
        public var text: String
        public var japanese: Bool
    }

    /// The runs of already normalized text.
    public static func runs(normalized text: String) -> [Run] {
        var runs: [Run] = []
        var current = String.UnicodeScalarView()
        var currentJapanese = false
        func flush() {
            if !current.isEmpty { runs.append(Run(text: String(current), japanese: currentJapanese)) }
            current = String.UnicodeScalarView()
        }
        for s in text.unicodeScalars {
            if isJapanese(s) {
                if !currentJapanese { flush(); currentJapanese = true }
                current.append(s)
            } else if isWord(s) {
                if currentJapanese { flush(); currentJapanese = false }
                current.append(s)
            } else {
                flush()
            }
        }
        flush()
        return runs
    }

    /// The tokens a query asks for, in order, without repeats: bigrams of Japanese runs (a
    /// one-character run stands for itself), words of other runs.
    public static func queryTokens(_ text: String) -> [String] {
        var seen = Set<String>()
        var tokens: [String] = []
        for run in runs(normalized: normalize(text)) {
            for t in bigrams(run) where seen.insert(t).inserted { tokens.append(t) }
        }
        return tokens
    }

    static func bigrams(_ run: Run) -> [String] {
        guard run.japanese else { return [run.text] }
        let scalars = Array(run.text.unicodeScalars)
        if scalars.count == 1 { return [run.text] }
        var out: [String] = []
        out.reserveCapacity(scalars.count - 1)
        for i in 0..<(scalars.count - 1) {
            var pair = String.UnicodeScalarView()
            pair.append(scalars[i]); pair.append(scalars[i + 1])
            out.append(String(pair))
        }
        return out
    }

    /// The tokens of a field of a document, with repeats (for term frequencies). With
    /// `unigrams`, every character of a Japanese run is a token too, so that a one-character
    /// query finds it. (The same cut as `runs` and `bigrams`, on scalars.)
    public static func indexTokens(_ text: String, unigrams: Bool) -> [String] {
        struct Texts: IndexTokenSink {
            var tokens: [String] = []
            mutating func japanese(_ token: UInt64) { tokens.append(JapaneseToken.text(token)) }
            mutating func word(_ word: String) { tokens.append(word) }
        }
        var sink = Texts()
        forEachIndexToken(text, unigrams: unigrams, into: &sink)
        return sink.tokens
    }

    /// The same tokens in the same order, a Japanese one as its number (see JapaneseToken) and
    /// a word as its text: the indexer counts and merges numbers, not short Strings. (A sink
    /// passed inout, not closures: closures over the counters paid a dynamic exclusivity
    /// check on every token.)
    static func forEachIndexToken<Sink: IndexTokenSink>(_ text: String, unigrams: Bool, into sink: inout Sink) {
        withNormalizedScalars(text) { scalars in
            var i = 0
            while i < scalars.count {
                let s = scalars[i]
                if isJapanese(s) {
                    var j = i + 1
                    while j < scalars.count && isJapanese(scalars[j]) { j += 1 }
                    if j - i == 1 {
                        sink.japanese(JapaneseToken.pack(s))
                    } else {
                        for k in i..<(j - 1) { sink.japanese(JapaneseToken.pack(scalars[k], scalars[k + 1])) }
                        if unigrams { for k in i..<j { sink.japanese(JapaneseToken.pack(scalars[k])) } }
                    }
                    i = j
                } else if isWord(s) {
                    var j = i + 1
                    while j < scalars.count && !isJapanese(scalars[j]) && isWord(scalars[j]) { j += 1 }
                    sink.word(string(scalars[i..<j].lazy.map { Unicode.Scalar($0)! }))
                    i = j
                } else {
                    i += 1
                }
            }
        }
    }
}

/// Receives a text's folded scalars (`SearchText.forEachFolded`).
protocol FoldedScalarSink {
    mutating func take(_ folded: UInt32)
}

/// Receives a text's index tokens (`SearchText.forEachIndexToken`).
protocol IndexTokenSink {
    mutating func japanese(_ token: UInt64)
    mutating func word(_ word: String)
}

/// A Japanese token (one character, or a bigram) as a number: the first scalar above the
/// second, 21 bits each (0 for none). Tokenizing 10,000 windows makes millions of tokens;
/// hashing short non-ASCII Strings (through NFC) to count them was a large part of indexing.
enum JapaneseToken {
    @inline(__always)
    static func pack(_ first: Unicode.Scalar, _ second: Unicode.Scalar? = nil) -> UInt64 {
        UInt64(first.value) << 21 | UInt64(second?.value ?? 0)
    }

    @inline(__always)
    static func pack(_ first: UInt32, _ second: UInt32 = 0) -> UInt64 { UInt64(first) << 21 | UInt64(second) }

    static func text(_ token: UInt64) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(Unicode.Scalar(UInt32(token >> 21))!)
        if let second = Unicode.Scalar(UInt32(token & 0x1F_FFFF)), second.value != 0 { scalars.append(second) }
        return String(scalars)
    }
}
