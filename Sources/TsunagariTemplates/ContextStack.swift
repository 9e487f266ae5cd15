/// The renderer's context stack: raw memory of `ValueRef`s, so that a push is a store and a
/// pop a decrement (a `ContiguousArray` checked that its storage was unique on each push and
/// pop, ~1 % of the templates' instructions). Owned by one render; `deallocate()` when done.
struct ContextStack {
    private var base: UnsafeMutablePointer<ValueRef>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    @inline(__always)
    mutating func append(_ value: ValueRef) {
        if count == capacity { grow() }
        (base + count).initialize(to: value)
        count += 1
    }

    @inline(__always)
    mutating func removeLast() { count -= 1 }

    @inline(__always)
    subscript(i: Int) -> ValueRef { base[i] }

    @inline(never)
    private mutating func grow() {
        let newBase = UnsafeMutablePointer<ValueRef>.allocate(capacity: capacity * 2)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity *= 2
    }
}
