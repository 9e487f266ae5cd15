// The children of the collections the loader has open, in one buffer.

/// Elements pushed one at a time and taken off the top as an array of the exact size. The
/// loader pushes a collection's items (or pairs) while it is open and takes them when it
/// closes, innermost collection first: one buffer serves every collection of a parse, where
/// an array grown for each collection was reallocated several times for a front matter's
/// mapping (1, 2, 4, 8, 16 pairs).
struct ChildStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 32
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    subscript(i: Int) -> Element {
        unsafeAddress { UnsafePointer(base + i) }
    }

    mutating func append(_ element: consuming Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The elements from `start` up, moved into an array; they leave the stack.
    mutating func take(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        count = start
        // (`Array(unsafeUninitializedCapacity:)` reached an unspecialised allocation in the
        // standard library that cost ~690 instructions a call, more than these appends.)
        var out: [Element] = []
        out.reserveCapacity(n)
        for k in start..<start + n { out.append((base + k).move()) }
        return out
    }
}
