import Foundation

/// Maps over an array on all cores. Each slot is written by exactly one iteration, so the
/// result is in input order and the same whatever the thread count.
///
/// Threads claim the next run of items as they finish the last (`NextItems`): fixed shares
/// left one core working alone at the end while the other was idle (a tenth of a second of
/// a 10,000-window build), as the build's other threads take the cores unevenly.
func parallelMap<T: Sendable, U: Sendable>(_ items: [T], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                            _ transform: @Sendable (T) -> U) -> [U] {
    if items.count < 2 || threads <= 1 { return items.map(transform) }
    let results = UnsafeMutableBufferPointer<U?>.allocate(capacity: items.count)
    results.initialize(repeating: nil)
    defer {
        // The slots hold references (strings, arrays): release them before freeing the memory.
        _ = results.deinitialize()
        results.deallocate()
    }
    nonisolated(unsafe) let slots = results
    let next = NextItems(count: items.count, threads: threads)
    DispatchQueue.concurrentPerform(iterations: min(items.count, threads)) { _ in
        while let run = next.claim() {
            for i in run { slots[i] = transform(items[i]) }
        }
    }
    return results.map { $0! }
}

/// Hands out the indices of a map in runs, to whichever thread asks first. A run is small
/// enough that the last one ends soon after the others (at most about 1/256 of the work per
/// thread) and large enough that the lock is taken rarely.
final class NextItems: @unchecked Sendable {
    private let lock = NSLock()
    private var start = 0
    let count: Int
    let runLength: Int

    init(count: Int, threads: Int) {
        self.count = count
        runLength = max(1, count / (max(1, threads) * 256))
    }

    func claim() -> Range<Int>? {
        lock.withLock {
            guard start < count else { return nil }
            let end = min(count, start + runLength)
            defer { start = end }
            return start..<end
        }
    }
}

/// Thread count for the build: `TSUNAGARI_THREADS` or all cores.
public enum BuildThreads {
    public static var count: Int {
        if let text = ProcessInfo.processInfo.environment["TSUNAGARI_THREADS"], let n = Int(text), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }
}

/// Work started at once on a thread of its own; `wait()` gives its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private var result: T?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> T) {
        Thread { [self] in
            result = work()
            done.signal()
        }.start()
    }

    func wait() -> T {
        done.wait()
        done.signal()   // a later wait returns at once
        return result!
    }
}

/// A value one thread gives and another takes, waiting for it if it is not given yet.
final class Handover<T: Sendable>: @unchecked Sendable {
    private var value: T?
    private let given = DispatchSemaphore(value: 0)

    func give(_ value: T) {
        self.value = value
        given.signal()
    }

    func take() -> T {
        given.wait()
        given.signal()   // a later take returns at once
        return value!
    }
}

/// Holds threads back until `open` (or `cancel`): `wait` says which.
final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private let opened = DispatchSemaphore(value: 0)
    private var cancelled = false

    func open() { opened.signal() }

    func cancel() {
        lock.withLock { cancelled = true }
        opened.signal()
    }

    /// Blocks until the gate is opened or cancelled; true when opened (and not cancelled).
    func wait() -> Bool {
        opened.wait()
        opened.signal()   // a later wait returns at once
        return lock.withLock { !cancelled }
    }
}
