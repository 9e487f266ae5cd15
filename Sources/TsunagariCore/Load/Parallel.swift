import Foundation

/// Maps over an array on all cores. Each slot is written by exactly one iteration, so the
/// result is in input order and the same whatever the thread count.
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
    let chunks = min(items.count, threads * 4)
    nonisolated(unsafe) let slots = results
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        var i = chunk
        while i < items.count {
            slots[i] = transform(items[i])
            i += chunks
        }
    }
    return results.map { $0! }
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
