import Foundation
import TsunagariTemplates

/// Stage 5 (beside rendering): the client-side search index, as static files.
///
/// Scoring is BM25 with per-field weights, computed here once per (token, document) and
/// stored as a 5-bit impact level, so that the browser only adds numbers:
///     impact = idf(t) · Σ_field weight · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))
/// The categories field is not stored per document: a token found in the words of a group
/// (a category's label, reading and synonyms, a region's name, …) stores a hit on the group,
/// and the browser adds the hit's impact to every document of the group. The hit's impact is
/// idf(t) · weight · the BM25 term score of t in the group's best word for it (each word a
/// field, normalized by the average word length).
public struct SearchIndexer: Sendable {
    public struct Weights: Sendable {
        public var name = 10.0
        public var terms = 5.0
        public var summary = 2.0
        public var body = 1.0
        public init() {}
    }

    static let k1 = 1.2
    static let b = 0.75
    /// Impact levels: weight = 2^(level/4), level 0…31.
    static let levels = 32
    /// Size a shard should stay under; the shard count is the power of two that gets there.
    public static let targetShardBytes = 6 * 1024
    static let maxShards = 1024
    /// Documents per chunk of result-list data: small, because the first results of a query
    /// are spread over the documents, and each one fetches its whole chunk.
    static let chunkSize = 4
    /// The life stage meaning "anyone": the finder counts its windows as fitting every stage.
    public static let everyoneStage = "dare-demo"
    /// The life stage of children and young people (18歳以下): the finder's entry for them.
    public static let childStage = "kodomo"

    public let site: LinkedSite
    public let weights: Weights
    public let documents: [SearchDocument]
    public let groups: [SearchGroup]
    let threads: Int

    public init(site: LinkedSite, weights: Weights = Weights(), threads: Int = BuildThreads.count) {
        self.site = site
        self.weights = weights
        self.threads = threads
        let docs = StageTimer.measure("  documents") { SearchDocument.documents(of: site) }
        self.documents = docs
        self.groups = SearchDocument.groups(of: docs, site: site)
    }

    // MARK: - Postings

    /// One token's entry: its document frequency, its group hits and its postings, all
    /// with impact levels, documents ascending.
    public struct Entry: Sendable, Equatable {
        public var df: Int
        public var groupHits: [(group: Int, level: Int)]
        public var postings: [(doc: Int, level: Int)]

        public static func == (a: Entry, b: Entry) -> Bool {
            a.df == b.df && a.groupHits.elementsEqual(b.groupHits, by: { $0 == $1 }) && a.postings.elementsEqual(b.postings, by: { $0 == $1 })
        }
    }

    /// A token's term frequencies in one document's name, summary and body fields.
    struct Frequencies: Sendable {
        var name: Int32 = 0, summary: Int32 = 0, body: Int32 = 0

        mutating func count(field: Int) {
            switch field {
            case 0: name += 1
            case 1: summary += 1
            default: body += 1
            }
        }
    }

    /// Term frequencies of one document (Japanese tokens as numbers, words as text), and its
    /// field lengths.
    struct DocTerms: Sendable {
        var japanese: [(token: UInt64, frequencies: Frequencies)]
        var words: [(token: String, frequencies: Frequencies)]
        var lengths: (Int32, Int32, Int32)
    }

    static func terms(of doc: SearchDocument) -> DocTerms {
        // A new table is sized for about one distinct token per four bytes of text (a kanji or
        // kana is three, and Japanese prose repeats many of its bigrams); a table given back by an
        // earlier document keeps its size. Either grows when a text has more.
        var counter = TermCounter(expected: (doc.name.utf8.count + doc.about.utf8.count + doc.bodyParts.reduce(0) { $0 + $1.utf8.count }) / 4)
        counter.field = 0
        SearchText.forEachIndexToken(doc.name, unigrams: true, into: &counter)
        counter.field = 1
        SearchText.forEachIndexToken(doc.about, unigrams: true, into: &counter)
        // Parts are tokenized apart: a space between them would split tokens the same way.
        counter.field = 2
        for part in doc.bodyParts { SearchText.forEachIndexToken(part, unigrams: false, into: &counter) }
        let japanese = counter.japaneseTerms()
        counter.giveBackTable()
        return DocTerms(japanese: japanese, words: counter.words.map { ($0.key, $0.value) }, lengths: counter.lengths)
    }

    /// A token while group words are counted: a Japanese one as its number, a word as its text.
    enum TokenKey: Hashable {
        case japanese(UInt64)
        case word(String)

        var text: String {
            switch self {
            case .japanese(let token): return JapaneseToken.text(token)
            case .word(let word): return word
            }
        }

        /// A text's tokens in order, with repeats (as `SearchText.indexTokens`).
        struct Collector: IndexTokenSink {
            var keys: [TokenKey] = []
            mutating func japanese(_ token: UInt64) { keys.append(.japanese(token)) }
            mutating func word(_ word: String) { keys.append(.word(word)) }
        }
    }

    /// Counts one document's tokens by field: Japanese tokens in an open-addressing table of
    /// numbers (no hashing of Strings, no sort), words in a dictionary (they are few).
    struct TermCounter: IndexTokenSink {
        var field = 0
        /// Tokens counted in the name, summary and body (a tuple, not an array: an array paid a
        /// uniqueness check on every token).
        var lengths: (Int32, Int32, Int32) = (0, 0, 0)
        var words: [String: Frequencies] = [:]
        private let table: FrequencyTable

        init(expected: Int) { table = FrequencyTable.take(expected: expected) }

        @inline(__always)
        private mutating func countToken() {
            switch field {
            case 0: lengths.0 += 1
            case 1: lengths.1 += 1
            default: lengths.2 += 1
            }
        }

        mutating func japanese(_ token: UInt64) {
            countToken()
            table.count(token, field: field)
        }

        mutating func word(_ word: String) {
            words[word, default: Frequencies()].count(field: field)
            countToken()
        }

        /// The Japanese tokens in the order first seen, with their counts.
        func japaneseTerms() -> [(token: UInt64, frequencies: Frequencies)] { table.terms() }

        /// Hands the table on to the next document (see `FrequencyTable.take`); nothing more
        /// may be counted.
        func giveBackTable() { FrequencyTable.giveBack(table) }
    }

    /// One document's Japanese tokens and their counts by field, in one open-addressing table
    /// (kept at most half full, Fibonacci hashing) with the counts beside each key, in memory
    /// of its own: the table of arrays it replaced paid bounds and uniqueness checks and an
    /// append on every token, and zeroed its arrays an element at a time (together about a
    /// third of tokenizing).
    final class FrequencyTable {
        /// Keys (0: an empty slot), four counts a slot (name, summary, body, unused), and the
        /// slots in the order their tokens were first counted.
        private var keys: UnsafeMutablePointer<UInt64>
        private var counts: UnsafeMutablePointer<Int32>
        private var order: UnsafeMutablePointer<Int32>
        private var capacity: Int
        private var shift: UInt64
        private(set) var count = 0

        init(expected: Int) {
            var bits: UInt64 = 6
            while 1 << bits < 2 * expected { bits += 1 }
            capacity = 1 << bits
            shift = 64 - bits
            (keys, counts, order) = FrequencyTable.allocate(capacity)
        }

        deinit {
            free(keys); free(counts); free(order)
        }

        /// Tables given back, cleared, for the next documents: a new table for each document
        /// was zeroed whole (calloc: 192 KB for a long page, 2 % of a build's instructions, and
        /// a page fault in the kernel for each fresh page), where clearing what one document
        /// used costs no more than counting it did.
        nonisolated(unsafe) private static var spare: [FrequencyTable] = []
        private static let spareLock = NSLock()

        /// A cleared table: one given back, or a new one for about `expected` tokens.
        static func take(expected: Int) -> FrequencyTable {
            spareLock.withLock { spare.popLast() } ?? FrequencyTable(expected: expected)
        }

        /// Tables above this many slots (a page of about 64 KB of text) are freed when given
        /// back, so that one very long page does not leave megabytes held in a `serve` process.
        static let largestKept = 1 << 15

        /// Clears `table` slot by slot and keeps it for `take` (as many as there are threads).
        static func giveBack(_ table: FrequencyTable) {
            guard table.capacity <= largestKept else { return }
            table.clear()
            spareLock.withLock {
                // Given back twice, one table would be handed to two threads.
                precondition(!spare.contains { $0 === table }, "a token table given back twice")
                spare.append(table)
            }
        }

        /// Empties the slots counted in (their keys and counts), through `order`.
        func clear() {
            for n in 0..<count {
                let i = Int(order[n])
                keys[i] = 0
                (counts + 4 &* i).update(repeating: 0, count: 4)
            }
            count = 0
        }

        /// Zeroed memory (calloc: fresh pages are zero already) for `capacity` slots.
        private static func allocate(_ capacity: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) {
            (calloc(capacity, 8)!.assumingMemoryBound(to: UInt64.self),
             calloc(capacity * 4, 4)!.assumingMemoryBound(to: Int32.self),
             malloc(capacity / 2 * 4 + 4)!.assumingMemoryBound(to: Int32.self))
        }

        @inline(__always)
        private func home(_ token: UInt64) -> Int { Int(truncatingIfNeeded: (token &* 0x9E37_79B9_7F4A_7C15) >> shift) }

        /// Adds one to the count of `token` (never 0) in `field` (0 name, 1 summary, 2 body).
        @inline(__always)
        func count(_ token: UInt64, field: Int) {
            if 2 &* (count &+ 1) > capacity { grow() }
            let mask = capacity &- 1
            var i = home(token)
            while true {
                let key = keys[i]
                if key == token { break }
                if key == 0 {
                    keys[i] = token
                    order[count] = Int32(truncatingIfNeeded: i)
                    count &+= 1
                    break
                }
                i = (i &+ 1) & mask
            }
            counts[i &* 4 &+ field] &+= 1
        }

        private func grow() {
            let (oldKeys, oldCounts, oldOrder, oldCount) = (keys, counts, order, count)
            capacity *= 2
            shift -= 1
            (keys, counts, order) = FrequencyTable.allocate(capacity)
            let mask = capacity - 1
            for n in 0..<oldCount {
                let from = Int(oldOrder[n])
                var i = home(oldKeys[from])
                while keys[i] != 0 { i = (i + 1) & mask }
                keys[i] = oldKeys[from]
                (counts + 4 * i).update(from: oldCounts + 4 * from, count: 4)
                order[n] = Int32(i)
            }
            free(oldKeys); free(oldCounts); free(oldOrder)
        }

        /// The tokens in the order first counted, with their counts.
        func terms() -> [(token: UInt64, frequencies: Frequencies)] {
            var out: [(token: UInt64, frequencies: Frequencies)] = []
            out.reserveCapacity(count)
            for n in 0..<count {
                let i = Int(order[n])
                out.append((keys[i], Frequencies(name: counts[4 * i], summary: counts[4 * i + 1], body: counts[4 * i + 2])))
            }
            return out
        }
    }

    /// Japanese tokens (numbers, never 0) and their positions in the order first added: an
    /// open-addressing table kept at most half full, with Fibonacci hashing (a Dictionary
    /// hashed every one of the index's million token-document pairs with SipHash).
    struct TokenNumbers {
        private var keys: [UInt64]
        private var slots: [Int32]
        private var shift: UInt64
        private(set) var tokens: [UInt64] = []

        init(expected: Int) {
            var bits: UInt64 = 6
            while 1 << bits < 2 * expected { bits += 1 }
            keys = Array(repeating: 0, count: 1 << bits)
            slots = Array(repeating: 0, count: 1 << bits)
            shift = 64 - bits
        }

        @inline(__always)
        private func home(_ token: UInt64) -> Int { Int(truncatingIfNeeded: (token &* 0x9E37_79B9_7F4A_7C15) >> shift) }

        /// The position of `token`, and whether it was added now (at the end).
        mutating func position(of token: UInt64) -> (Int, new: Bool) {
            if 2 * (tokens.count + 1) > keys.count { grow() }
            let mask = keys.count - 1
            var i = home(token)
            while true {
                let key = keys[i]
                if key == token { return (Int(slots[i]), false) }
                if key == 0 { break }
                i = (i + 1) & mask
            }
            keys[i] = token
            slots[i] = Int32(tokens.count)
            tokens.append(token)
            return (tokens.count - 1, true)
        }

        private mutating func grow() {
            let capacity = keys.count * 2
            keys = Array(repeating: 0, count: capacity)
            slots = Array(repeating: 0, count: capacity)
            shift -= 1
            let mask = capacity - 1
            for (n, token) in tokens.enumerated() {
                var i = home(token)
                while keys[i] != 0 { i = (i + 1) & mask }
                keys[i] = token
                slots[i] = Int32(n)
            }
        }
    }

    /// One document's frequencies of a token.
    struct Posting: Sendable {
        var doc: Int32
        var frequencies: Frequencies
    }

    /// Documents per batch of tokenizing: the per-document token lists of one batch are all
    /// that is held besides the postings, which keeps the peak memory of a large site down.
    static let tokenizeBatch = 4096

    /// Every token of the index, sorted, with its encoded entry (see `encode`). Postings hold
    /// raw frequencies until the collection statistics are known; each token is then scored
    /// and encoded on its own, in parallel.
    func encodedEntries() -> [(token: String, bytes: [UInt8])] {
        let n = documents.count
        let lists = PostingLists()
        var wordLists: [String: Int] = [:]
        var japaneseTokens = TokenNumbers(expected: 1 << 14)
        var japanese: [Int] = []   // a Japanese token's list, by its position in japaneseTokens
        var lengths: [(Int32, Int32, Int32)] = []
        lengths.reserveCapacity(n)
        var start = 0
        while start < n {
            let end = min(n, start + SearchIndexer.tokenizeBatch)
            let documents = self.documents
            let batch = parallelMap(Array(start..<end), threads: threads) { SearchIndexer.terms(of: documents[$0]) }
            for (offset, terms) in batch.enumerated() {
                let d = Int32(start + offset)
                lengths.append(terms.lengths)
                for (token, f) in terms.japanese {
                    let (at, new) = japaneseTokens.position(of: token)
                    if new { japanese.append(lists.makeList()) }
                    lists.append(Posting(doc: d, frequencies: f), to: japanese[at])
                }
                for (token, f) in terms.words {
                    let list: Int
                    if let known = wordLists[token] { list = known } else { list = lists.makeList(); wordLists[token] = list }
                    lists.append(Posting(doc: d, frequencies: f), to: list)
                }
            }
            start = end
        }
        // (A Japanese token's text is never a word's: words hold no kana or kanji.)
        var tokenPostings: [(token: String, postings: Int)] = []
        tokenPostings.reserveCapacity(wordLists.count + japanese.count)
        for (token, p) in zip(japaneseTokens.tokens, japanese) { tokenPostings.append((JapaneseToken.text(token), p)) }
        for (token, p) in wordLists { tokenPostings.append((token, p)) }
        japanese = []
        wordLists = [:]
        let empty = lists.makeList()   // (a token found only in the groups' words)
        lists.seal()
        let sums = lengths.reduce((0, 0, 0)) { ($0.0 + Int($1.0), $0.1 + Int($1.1), $0.2 + Int($1.2)) }
        let count = Double(max(1, n))
        let avg = (max(1, Double(sums.0) / count), max(1, Double(sums.1) / count), max(1, Double(sums.2) / count))
        @Sendable func idf(_ df: Int) -> Double { log(1 + (Double(n) - Double(df) + 0.5) / (Double(df) + 0.5)) }
        /// BM25's length normalization of a field, k1·(1 − b + b·len/avglen): the same for
        /// every token of a document's field, so it is made once a document.
        @Sendable func norm(_ len: Int32, _ avg: Double) -> Double {
            SearchIndexer.k1 * (1 - SearchIndexer.b + SearchIndexer.b * Double(len) / avg)
        }
        @Sendable func saturate(_ tf: Int32, norm: Double) -> Double {
            guard tf > 0 else { return 0 }
            let t = Double(tf)
            return t * (SearchIndexer.k1 + 1) / (t + norm)
        }
        @Sendable func saturate(_ tf: Int32, _ len: Int32, _ avg: Double) -> Double { saturate(tf, norm: norm(len, avg)) }

        // Token → groups whose words have it, each with the token's BM25 term score in the
        // best of those words (each word a field of its own length). A token that is most of a
        // short word counts for more than one inside a long word: いじめ finds the category
        // whose synonym is いじめ before the one whose synonym is 職場のいじめ.
        // (Japanese tokens kept as numbers while counting: a String key is hashed through its
        // NFC form, and the regions' names alone make tens of thousands of tokens.)
        let words = groups.enumerated().flatMap { g, group in
            group.words.map { word -> (Int, [TokenKey]) in
                var collected = TokenKey.Collector()
                SearchText.forEachIndexToken(word, unigrams: true, into: &collected)
                return (g, collected.keys)
            }
        }
        let avgWord = max(1, Double(words.reduce(0) { $0 + $1.1.count }) / Double(max(1, words.count)))
        var hitScores: [TokenKey: [Int: Double]] = [:]
        for (g, wordTokens) in words {
            var tf: [TokenKey: Int32] = [:]
            for t in wordTokens { tf[t, default: 0] += 1 }
            for (t, count) in tf {
                let score = saturate(count, Int32(wordTokens.count), avgWord)
                hitScores[t, default: [:]][g] = max(hitScores[t]?[g] ?? 0, score)
            }
        }
        // Every token, sorted, with its postings and group hits at the same position: the
        // passes below index arrays instead of hashing each token's text again (a String key
        // is hashed through its NFC form: six lookups a token were about 3 % of a build).
        tokenPostings.sort { $0.token < $1.token }
        let hits = hitScores.map { (token: $0.key.text, hits: $0.value.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }.sorted { $0.token < $1.token }
        var sortedTokens: [String] = [], sortedPostings: [Int] = [], sortedHits: [[(Int, Double)]] = []
        sortedTokens.reserveCapacity(tokenPostings.count + hits.count)
        var (p, h) = (0, 0)
        while p < tokenPostings.count || h < hits.count {
            if h == hits.count || (p < tokenPostings.count && tokenPostings[p].token < hits[h].token) {
                sortedTokens.append(tokenPostings[p].token); sortedPostings.append(tokenPostings[p].postings); sortedHits.append([]); p += 1
            } else if p == tokenPostings.count || hits[h].token < tokenPostings[p].token {
                sortedTokens.append(hits[h].token); sortedPostings.append(empty); sortedHits.append(hits[h].hits); h += 1
            } else {
                sortedTokens.append(hits[h].token); sortedPostings.append(tokenPostings[p].postings); sortedHits.append(hits[h].hits); p += 1; h += 1
            }
        }
        tokenPostings = []
        let tokens = sortedTokens, postingsOf = sortedPostings, hitsOf = sortedHits, docLengths = lengths
        let w = weights
        let groups = self.groups
        // A token found in a group's words counts every document of the group: the union is
        // counted on bitsets (each group's made once) rather than in a Set per token.
        let bitWords = (n + 63) / 64
        let groupBits: [[UInt64]] = groups.map { group in
            var bits = [UInt64](repeating: 0, count: bitWords)
            for d in group.docs { bits[d >> 6] |= 1 << UInt64(d & 63) }
            return bits
        }
        @Sendable func documentFrequency(_ i: Int) -> Int {
            let docs = postingsOf[i], groupHits = hitsOf[i]
            guard !groupHits.isEmpty else { return lists.postingCount(docs) }
            var bits = [UInt64](repeating: 0, count: bitWords)
            for (g, _) in groupHits { for w in 0..<bitWords { bits[w] |= groupBits[g][w] } }
            lists.forEach(docs) { bits[Int($0.doc) >> 6] |= 1 << UInt64($0.doc & 63) }
            return bits.reduce(0) { $0 + $1.nonzeroBitCount }
        }
        let docNorms = docLengths.map { len in (norm(len.0, avg.0), norm(len.1, avg.1), norm(len.2, avg.2)) }
        @Sendable func score(_ p: Posting, _ weight: Double) -> Double {
            let norms = docNorms[Int(p.doc)]
            return weight * (w.name * saturate(p.frequencies.name, norm: norms.0)
                + w.summary * saturate(p.frequencies.summary, norm: norms.1)
                + w.body * saturate(p.frequencies.body, norm: norms.2))
        }
        // Pass 1: document frequencies and the top score, so that levels compare across tokens.
        let indices = Array(tokens.indices)
        let stats: [(df: Int, top: Double)] = parallelMap(indices, threads: threads) { i in
            let df = documentFrequency(i)
            let weight = idf(df)
            var top = hitsOf[i].reduce(0.0) { max($0, weight * w.terms * $1.1) }
            lists.forEach(postingsOf[i]) { top = max(top, score($0, weight)) }
            return (df, top)
        }
        let levels = ImpactLevels(top: stats.reduce(0.0) { max($0, $1.top) })
        @Sendable func level(_ score: Double) -> Int { levels.level(score) }
        // Pass 2: each token's entry, encoded.
        let encoded: [[UInt8]] = parallelMap(indices, threads: threads) { i in
            let token = tokens[i]
            let weight = idf(stats[i].df)
            var postings: [(doc: Int, level: Int)] = []
            postings.reserveCapacity(lists.postingCount(postingsOf[i]))
            lists.forEach(postingsOf[i]) { postings.append((Int($0.doc), level(score($0, weight)))) }
            let entry = Entry(df: stats[i].df, groupHits: hitsOf[i].map { ($0.0, level(weight * w.terms * $0.1)) }, postings: postings)
            var bytes: [UInt8] = []
            SearchIndexer.encode(token, entry, into: &bytes)
            return bytes
        }
        return Array(zip(tokens, encoded)).map { (token: $0.0, bytes: $0.1) }
    }

    // MARK: - Shards

    /// The key a token is sharded by: the token itself for Japanese, the first character for
    /// words (so that the words a prefix can complete to share one shard).
    public static func shardKey(_ token: String) -> String {
        guard let first = token.unicodeScalars.first else { return token }
        return SearchText.isJapanese(first) ? token : "w" + String(first)
    }

    /// FNV-1a, 32 bits, over the UTF-8 of the shard key: the browser computes the same.
    public static func shard(of token: String, count: Int) -> Int {
        var hash: UInt32 = 0x811c9dc5
        for byte in shardKey(token).utf8 { hash = (hash ^ UInt32(byte)) &* 0x01000193 }
        return Int(hash % UInt32(count))
    }

    /// Binary entry of one token:
    ///     varint len, UTF-8 token, varint df,
    ///     varint hitCount, (varint group, byte level)*,
    ///     varint postingCount, varint((gap − 1) << 5 | level)*   (gap from the previous doc + 1)
    static func encode(_ token: String, _ entry: Entry, into out: inout [UInt8]) {
        let bytes = Array(token.utf8)
        VarInt.append(bytes.count, to: &out)
        out += bytes
        VarInt.append(entry.df, to: &out)
        VarInt.append(entry.groupHits.count, to: &out)
        for h in entry.groupHits {
            VarInt.append(h.group, to: &out)
            out.append(UInt8(h.level))
        }
        VarInt.append(entry.postings.count, to: &out)
        // The 1.8 million postings of 10,000 windows written through a pointer: appended a
        // byte at a time, each byte asked whether the array was shared.
        let postings = [UInt8](unsafeUninitializedCapacity: entry.postings.count * VarInt.maxBytes) { buffer, count in
            var n = 0
            var previous = -1
            for p in entry.postings {
                n = VarInt.write(UInt64((p.doc - previous - 1) << 5 | p.level), to: buffer, at: n)
                previous = p.doc
            }
            count = n
        }
        out += postings
    }

    /// The shards: a shard file is `varint tokenCount` then its entries (tokens sorted).
    static func shards(_ entries: [(token: String, bytes: [UInt8])], targetBytes: Int = targetShardBytes) -> [[UInt8]] {
        let total = entries.reduce(0) { $0 + $1.bytes.count }
        var count = 1
        while count < maxShards && total / count > targetBytes { count *= 2 }
        let shardOf = entries.map { shard(of: $0.token, count: count) }
        var tokenCounts = Array(repeating: 0, count: count)
        for s in shardOf { tokenCounts[s] += 1 }
        var shards: [[UInt8]] = tokenCounts.map { var b: [UInt8] = []; VarInt.append($0, to: &b); return b }
        for (s, entry) in zip(shardOf, entries) { shards[s] += entry.bytes }
        return shards
    }

    // MARK: - Groups

    /// A set of documents, whichever of three forms is shortest:
    /// - runs: `varint (runCount << 2)`, then each run as `varint gap, varint (length − 1)` (gap
    ///   from the end of the previous run);
    /// - gaps: `varint (count << 2 | 2)`, then each document as `varint (d − previous − 1)`
    ///   (a region's windows are few and scattered: a run each cost a byte more);
    /// - bitmap: `varint (byteCount << 1 | 1)`, then bit d of byte d/8, least significant first.
    static func encodeSet(_ docs: [Int], into out: inout [UInt8]) {
        let sorted = Array(Set(docs)).sorted()
        var runs: [(Int, Int)] = []
        for d in sorted {
            if let last = runs.last, last.0 + last.1 == d { runs[runs.count - 1].1 += 1 } else { runs.append((d, 1)) }
        }
        var runBytes: [UInt8] = []
        VarInt.append(runs.count << 2, to: &runBytes)
        var end = 0
        for (start, length) in runs {
            VarInt.append(start - end, to: &runBytes)
            VarInt.append(length - 1, to: &runBytes)
            end = start + length
        }
        let bitmapLength = (sorted.last ?? -1) / 8 + 1
        var bitmapBytes: [UInt8] = []
        VarInt.append(bitmapLength << 1 | 1, to: &bitmapBytes)
        if !sorted.isEmpty {
            var bitmap = [UInt8](repeating: 0, count: bitmapLength)
            for d in sorted { bitmap[d >> 3] |= UInt8(1 << (d & 7)) }
            bitmapBytes += bitmap
        }
        var gapBytes: [UInt8] = []
        VarInt.append(sorted.count << 2 | 2, to: &gapBytes)
        var previous = -1
        for d in sorted {
            VarInt.append(d - previous - 1, to: &gapBytes)
            previous = d
        }
        out += [runBytes, gapBytes, bitmapBytes].min { $0.count < $1.count }!
    }

    /// The region codes of the manifest as one string: codes separated by spaces, and a
    /// municipality in the same prefecture as the municipality before it written with its last
    /// four digits only. A national site declares hundreds of municipalities, and as a JSON
    /// list of strings they were most of the manifest every first query fetches.
    public static func compactRegionCodes(_ codes: [String]) -> String {
        var out: [String] = []
        var previous = ""
        for code in codes {
            if code.count == 6, previous.count == 6, code.prefix(2) == previous.prefix(2) {
                out.append(String(code.suffix(4)))
            } else {
                out.append(code)
            }
            if code.count == 6 { previous = code }
        }
        return out.joined(separator: " ")
    }

    /// The inverse of `compactRegionCodes` (search.js and bench/search.py do the same).
    public static func expandRegionCodes(_ text: String) -> [String] {
        var previous = ""
        return text.split(separator: " ").map { part in
            let code = part.count == 4 ? String(previous.prefix(2)) + part : String(part)
            if code.count == 6 { previous = code }
            return code
        }
    }

    // MARK: - Result-list data

    /// One document as the result list shows it, a JSON array:
    /// `[kind, slug, title, summary, [categories], [stages], [regions], flags, channelMask, number, tel]`
    /// (Appended as bytes: made as Strings joined and concatenated, the arrays of 10,000
    /// windows were 2.7 % of a build's instructions.)
    func appendMetaJSON(_ doc: SearchDocument, regionIndex: [String: Int], to out: inout [UInt8]) {
        func int(_ x: Int) { Formatting.appendDecimal(x, to: &out) }
        func ints(_ xs: [Int]) {
            out.append(UInt8(ascii: "["))
            for (n, x) in xs.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                int(x)
            }
            out.append(UInt8(ascii: "]"))
        }
        // (Characters are counted only when the bytes could be more than 120 of them.)
        var summary = doc.summary
        if summary.utf8.count > 120 && summary.count > 120 { summary = String(summary.prefix(119)) + "…" }
        var mask = 0
        for c in doc.channels { mask |= 1 << (ChannelType.allCases.firstIndex(of: c) ?? 0) }
        out.append(UInt8(ascii: "["))
        int(doc.kind.rawValue)
        for text in [doc.slug, doc.title, summary] {
            out.append(UInt8(ascii: ","))
            JSONString.append(text, to: &out)
        }
        for list in [doc.categories, doc.stages, doc.regions.compactMap { regionIndex[$0] }] {
            out.append(UInt8(ascii: ","))
            ints(list)
        }
        out.append(UInt8(ascii: ","))
        int(doc.flags.rawValue)
        out.append(UInt8(ascii: ","))
        int(mask)
        if let phone = doc.phone {
            for text in [phone.number, phone.tel] {
                out.append(UInt8(ascii: ","))
                JSONString.append(text, to: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
    }

    // MARK: - Files

    /// Where the index lives, below the site's base.
    public static let folder = "search/"
    /// How the manifest's path begins (its name ends with a fingerprint of its bytes).
    public static let manifestPrefix = folder + "manifest."

    /// What the index is made from: every document and group, the weights and the base path.
    /// Equal fingerprints make the same files (the build keeps them instead, see OutputRecord).
    public var inputFingerprint: Fingerprint128 {
        var hasher = StableHasher()
        hasher.combine(SiteURLs(baseURL: site.config.baseURL).basePath)
        for w in [weights.name, weights.terms, weights.summary, weights.body] { hasher.combine(w.bitPattern) }
        hasher.combine(documents.count)
        for d in documents {
            hasher.combine(d.kind.rawValue)
            for text in [d.slug, d.title, d.summary, d.name, d.about] { hasher.combine(text) }
            hasher.combine(d.bodyParts.count)
            for part in d.bodyParts { hasher.combine(part) }
            for list in [d.categories, d.stages] {
                hasher.combine(list.count)
                for x in list { hasher.combine(x) }
            }
            hasher.combine(d.regions.count)
            for r in d.regions { hasher.combine(r) }
            hasher.combine(d.channels.count)
            for c in d.channels { hasher.combine(c.rawValue) }
            for flag in [d.flags.rawValue, d.free ? 1 : 0, d.anonymous ? 1 : 0] { hasher.combine(flag) }
            hasher.combine(d.phone == nil ? 0 : 1)
            if let phone = d.phone {
                hasher.combine(phone.number)
                hasher.combine(phone.tel)
            }
        }
        hasher.combine(groups.count)
        for g in groups {
            hasher.combine(g.kind.rawValue)
            hasher.combine(g.key)
            hasher.combine(g.words.count)
            for w in g.words { hasher.combine(w) }
            hasher.combine(g.docs.count)
            for d in g.docs { hasher.combine(d) }
        }
        return hasher.finalize()
    }

    /// The files of the index and the path of the manifest (relative to the site's base).
    public func build(targetShardBytes: Int = SearchIndexer.targetShardBytes) -> (files: [OutputFile], manifest: String) {
        let entries = StageTimer.measure("  postings") { encodedEntries() }
        let shards = StageTimer.measure("  shards") { SearchIndexer.shards(entries, targetBytes: targetShardBytes) }
        let regionGroups = groups.filter { $0.kind == .region }
        let regionIndex = Dictionary(uniqueKeysWithValues: regionGroups.enumerated().map { ($1.key, $0) })

        var groupFiles: [(String, [UInt8])] = []
        for kind in SearchGroup.Kind.allCases {
            var bytes: [UInt8] = []
            let ofKind = groups.filter { $0.kind == kind }
            VarInt.append(ofKind.count, to: &bytes)
            for g in ofKind { SearchIndexer.encodeSet(g.docs, into: &bytes) }
            groupFiles.append((kind.rawValue, bytes))
        }
        var chunks: [[UInt8]] = []
        var start = 0
        while start < documents.count {
            let end = min(documents.count, start + SearchIndexer.chunkSize)
            var chunk: [UInt8] = [UInt8(ascii: "[")]
            for (n, doc) in documents[start..<end].enumerated() {
                if n > 0 { chunk += [UInt8(ascii: ","), UInt8(ascii: "\n")] }
                appendMetaJSON(doc, regionIndex: regionIndex, to: &chunk)
            }
            chunk += [UInt8(ascii: "]"), UInt8(ascii: "\n")]
            chunks.append(chunk)
            start = end
        }

        // One fingerprint for the folder of the whole index: any change gives new names.
        var digest: [UInt8] = []
        for s in shards { digest += Array(Fingerprint.hex(s, length: 16).utf8) }
        for (_, bytes) in groupFiles { digest += Array(Fingerprint.hex(bytes, length: 16).utf8) }
        for c in chunks { digest += Array(Fingerprint.hex(c, length: 16).utf8) }
        let fp = Fingerprint.hex(digest)
        let folder = SearchIndexer.folder + fp + "/"

        var files: [OutputFile] = []
        for (i, s) in shards.enumerated() { files.append(OutputFile(path: folder + "t/\(i).bin", bytes: s)) }
        for (name, bytes) in groupFiles { files.append(OutputFile(path: folder + "\(name).bin", bytes: bytes)) }
        for (i, c) in chunks.enumerated() { files.append(OutputFile(path: folder + "m/\(i).json", bytes: c)) }

        let urls = SiteURLs(baseURL: site.config.baseURL)
        func strings(_ xs: [String]) -> String { "[" + xs.map(JSONString.quote).joined(separator: ",") + "]" }
        // (Counted in place: a filter per kind copied every document.)
        let counts = SearchDocument.Kind.allCases.map { k in documents.reduce(0) { $1.kind == k ? $0 + 1 : $0 } }
        let manifest = "{" + [
            "\"v\":1",
            "\"n\":\(documents.count)",
            "\"k\":[" + counts.map(String.init).joined(separator: ",") + "]",
            "\"x\":\(documents.prefix(while: { $0.kind == .window && $0.flags.contains(.crisis) }).count)",
            "\"u\":" + strings(SearchDocument.Kind.allCases.map(\.folder)),
            "\"p\":" + JSONString.quote(urls.basePath),
            "\"d\":" + JSONString.quote(fp + "/"),
            "\"t\":\(shards.count)",
            "\"m\":\(SearchIndexer.chunkSize)",
            "\"c\":" + strings(groups.filter { $0.kind == .category }.map(\.key)),
            "\"s\":" + strings(groups.filter { $0.kind == .stage }.map(\.key)),
            "\"r\":" + JSONString.quote(SearchIndexer.compactRegionCodes(regionGroups.map(\.key))),
            "\"a\":" + strings(groups.filter { $0.kind == .attribute }.map(\.key)),
            "\"ch\":" + strings(ChannelType.allCases.map(\.rawValue)),
            "\"ev\":" + JSONString.quote(SearchIndexer.everyoneStage),
        ].joined(separator: ",") + "}\n"
        let manifestBytes = Array(manifest.utf8)
        let manifestPath = SearchIndexer.manifestPrefix + "\(Fingerprint.hex(manifestBytes)).json"
        files.append(OutputFile(path: manifestPath, bytes: manifestBytes))
        return (files, manifestPath)
    }
}

/// LEB128 unsigned integers: 7 bits a byte, least significant first.
enum VarInt {
    static func append(_ value: Int, to out: inout [UInt8]) { append(UInt64(value), to: &out) }

    static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// The most bytes a value takes (64 bits, 7 a byte).
    static let maxBytes = 10

    /// `append`'s encoding written at `offset` of raw memory (room for `maxBytes` is there);
    /// returns the offset after it. (`append` written through this, by way of a temporary
    /// buffer, cost 15 million instructions more at 10,000 windows: both are kept.)
    @inline(__always)
    static func write(_ value: UInt64, to buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        var v = value, n = offset
        while v >= 0x80 {
            buffer[n] = UInt8(v & 0x7F) | 0x80
            v >>= 7
            n += 1
        }
        buffer[n] = UInt8(v)
        return n + 1
    }

    static func read(_ bytes: [UInt8], _ offset: inout Int) -> Int {
        var result = 0, shift = 0
        while offset < bytes.count {
            let b = bytes[offset]; offset += 1
            result |= Int(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return result
    }
}
