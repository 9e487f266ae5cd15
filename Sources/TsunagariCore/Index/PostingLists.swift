import Foundation

/// Every token's postings while the index is built: each posting packed as varints (the gap
/// from the list's previous document, then the frequencies: `count << 1` for the common
/// body-only posting with a small count, else a byte `1` and the three counts), about 3 bytes
/// a posting. A list is a chain of 32-byte blocks (28 bytes of postings, then the number of
/// the next block) in segments of a megabyte that never move. An array of bytes a token, as
/// before, paid two uniqueness checks, a function call per byte and its growth on each of the
/// 1.8 million postings of 10,000 windows (3 % of a build's instructions).
///
/// Written by one thread, then sealed (`seal()`): every list's bytes copied, in list order, into
/// one buffer and the blocks freed. The index reads every list three times after that, from
/// memory in order, with no hop between blocks (the chained reads were 5 % of a cold build's
/// samples, well above their share of its instructions: cache misses). Read by many once sealed
/// (`forEach`, `postingCount`).
final class PostingLists: @unchecked Sendable {
    private static let blockBytes = 32
    private static let payload = blockBytes - 4
    private static let blocksPerSegment = 1 << 15

    private struct List {
        var head: Int32 = 0      // 0: no block yet (block 0 is never used)
        var tail: Int32 = 0
        var fill: Int32 = 0      // bytes used in the tail block
        var last: Int32 = -1     // the last document appended
        var postings: Int32 = 0
        var bytes: Int32 = 0     // the postings' bytes in all its blocks
    }

    // (Without dynamic exclusivity checks: one thread writes, and two checks a posting on
    // these properties cost more than the rest of an append.)
    @exclusivity(unchecked) private var segments: [UnsafeMutablePointer<UInt8>] = []
    @exclusivity(unchecked) private var blockCount = 1
    @exclusivity(unchecked) private var lists: [List] = []
    /// Once sealed: every list's bytes, and where each list starts in them.
    private var sealed: UnsafeMutablePointer<UInt8>? = nil
    private var starts: [Int] = []

    deinit {
        for segment in segments { segment.deallocate() }
        sealed?.deallocate()
    }

    var count: Int { lists.count }

    /// A new, empty list; returns its number.
    func makeList() -> Int {
        precondition(sealed == nil, "a list made after the lists were sealed")
        lists.append(List())
        return lists.count - 1
    }

    func postingCount(_ list: Int) -> Int { Int(lists[list].postings) }

    @inline(__always)
    private func block(_ number: Int32) -> UnsafeMutablePointer<UInt8> {
        let n = Int(number)
        return segments[n >> 15] + (n & (PostingLists.blocksPerSegment - 1)) * PostingLists.blockBytes
    }

    private func newBlock() -> Int32 {
        if blockCount >= segments.count * PostingLists.blocksPerSegment {
            segments.append(.allocate(capacity: PostingLists.blocksPerSegment * PostingLists.blockBytes))
        }
        blockCount += 1
        return Int32(blockCount - 1)
    }

    func append(_ p: SearchIndexer.Posting, to number: Int) {
        precondition(sealed == nil, "a posting appended after the lists were sealed")
        // The posting's bytes first (at most 5 + 1 + 3 × 5), then copied into the chain.
        var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var length = 0
        withUnsafeMutableBytes(of: &bytes) { raw in
            @inline(__always) func put(_ value: Int32) {
                var v = UInt32(bitPattern: value)
                while v >= 0x80 {
                    raw[length] = UInt8(v & 0x7F) | 0x80
                    length += 1
                    v >>= 7
                }
                raw[length] = UInt8(v)
                length += 1
            }
            put(p.doc - lists[number].last)
            let f = p.frequencies
            if f.name == 0 && f.summary == 0 && f.body < 128 {
                raw[length] = UInt8(f.body) << 1
                length += 1
            } else {
                raw[length] = 1
                length += 1
                put(f.name); put(f.summary); put(f.body)
            }
        }
        var list = lists[number]
        withUnsafeBytes(of: &bytes) { raw in
            if list.head != 0 && Int(list.fill) + length <= PostingLists.payload {
                // Most postings fit in the tail block: one copy.
                (block(list.tail) + Int(list.fill)).update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length)
                list.fill += Int32(length)
                return
            }
            for i in 0..<length {
                if list.head == 0 {
                    list.head = newBlock()
                    list.tail = list.head
                } else if list.fill == Int32(PostingLists.payload) {
                    let next = newBlock()
                    UnsafeMutableRawPointer(block(list.tail) + PostingLists.payload).storeBytes(of: next, as: Int32.self)
                    list.tail = next
                    list.fill = 0
                }
                block(list.tail)[Int(list.fill)] = raw[i]
                list.fill += 1
            }
        }
        list.last = p.doc
        list.postings += 1
        list.bytes += Int32(length)
        lists[number] = list
    }

    /// Copies every list's bytes, in list order, into one buffer and frees the blocks; no list
    /// is made or appended to after this.
    func seal() {
        precondition(sealed == nil, "the lists were sealed twice")
        let total = lists.reduce(0) { $0 + Int($1.bytes) }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, total))
        starts.reserveCapacity(lists.count)
        var at = 0
        for list in lists {
            starts.append(at)
            var remaining = Int(list.bytes), number = list.head
            while remaining > 0 {
                let n = min(PostingLists.payload, remaining)
                (buffer + at).update(from: block(number), count: n)
                at += n
                remaining -= n
                if remaining > 0 { number = UnsafeRawPointer(block(number) + PostingLists.payload).loadUnaligned(as: Int32.self) }
            }
        }
        for segment in segments { segment.deallocate() }
        segments = []
        sealed = buffer
    }

    /// The list's postings in the order appended (once sealed).
    func forEach(_ number: Int, _ body: (SearchIndexer.Posting) -> Void) {
        guard let sealed else { preconditionFailure("the lists are read once sealed") }
        var at = sealed + starts[number]
        var remaining = Int(lists[number].postings)
        @inline(__always) func next() -> UInt8 {
            let b = at.pointee
            at += 1
            return b
        }
        @inline(__always) func varint() -> Int32 {
            var result: UInt32 = 0, shift: UInt32 = 0
            while true {
                let b = next()
                result |= UInt32(b & 0x7F) << shift
                if b < 0x80 { return Int32(bitPattern: result) }
                shift += 7
            }
        }
        var doc: Int32 = -1
        while remaining > 0 {
            doc += varint()
            let head = next()
            var f = SearchIndexer.Frequencies()
            if head & 1 == 0 {
                f.body = Int32(head >> 1)
            } else {
                f.name = varint(); f.summary = varint(); f.body = varint()
            }
            body(SearchIndexer.Posting(doc: doc, frequencies: f))
            remaining -= 1
        }
    }
}
