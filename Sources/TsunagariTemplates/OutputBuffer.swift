/// The growable byte buffer a render writes into: raw memory, so that appending a run of bytes is
/// a capacity check and a copy. Owned by one render; `deallocate()` when done.
struct OutputBuffer {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int
    /// Memory the buffer starts in without owning it (a new array's storage): left to its owner
    /// when the buffer grows out of it, and by `deallocate()`.
    let borrowed: UnsafeMutablePointer<UInt8>?

    init(capacity: Int) {
        self.capacity = max(capacity, 256)
        base = .allocate(capacity: self.capacity)
        borrowed = nil
    }

    init(borrowing storage: UnsafeMutableBufferPointer<UInt8>) {
        base = storage.baseAddress!
        capacity = storage.count
        borrowed = base
    }

    /// Whether the output is still in the borrowed memory.
    var inBorrowed: Bool { base == borrowed }

    func deallocate() { if !inBorrowed { base.deallocate() } }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    var last: UInt8? { count > 0 ? base[count - 1] : nil }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ source: UnsafePointer<UInt8>, count n: Int) {
        reserve(n)
        (base + count).initialize(from: source, count: n)
        count += n
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        append(source, count: bytes.count)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends the UTF-8 of `s`.
    @inline(__always)
    mutating func append(_ s: String) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ append($0) }) { return done }
        var copy = s
        copy.withUTF8 { append($0) }
    }

    /// Appends the UTF-8 of `s`, HTML-escaped.
    @inline(__always)
    mutating func appendEscaped(_ s: String) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) { return done }
        var copy = s
        copy.withUTF8 { appendEscaped($0) }
    }

    mutating func appendEscaped(_ source: UnsafeBufferPointer<UInt8>) {
        reserve(source.count * HTMLEscape.maxExpansion)
        count += HTMLEscape.escape(source, to: base + count)
    }

    /// Appends `value` in decimal.
    mutating func append(_ value: Int) {
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        reserve(digits + 1)
        if value < 0 {
            base[count] = 45  // -
            count += 1
        }
        var p = base + count + digits
        repeat {
            p -= 1
            p.pointee = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        count += digits
    }
}
