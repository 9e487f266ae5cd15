import Foundation

/// What a build is doing, for people watching a long one. `advance` is called from the
/// render threads, once per file written.
public protocol BuildProgress: AnyObject, Sendable {
    /// A stage begins; `total` is the number of items when it is known.
    func stage(_ name: String, total: Int?)
    /// `done` items of the current stage are finished.
    func advance(done: Int)
    /// The build is over (finished or failed): leave nothing half-drawn behind.
    func finish()
    /// The current stage has `more` items than its total said.
    func expect(more: Int)
}

extension BuildProgress {
    public func expect(more: Int) {}
}

/// One line on a terminal, redrawn in place with \r, at most ten times a second so that
/// drawing never slows the render, and erased at the end.
public final class TerminalProgress: BuildProgress, @unchecked Sendable {
    private let lock = NSLock()
    private let output: (String) -> Void
    private let interval: UInt64
    private var name = ""
    private var total: Int?
    private var lastDraw: UInt64 = 0
    private var drawn = false

    /// `output` receives the raw text (standard error by default); `interval` in nanoseconds.
    public init(interval: UInt64 = 100_000_000, output: @escaping (String) -> Void = writeToStandardError) {
        self.output = output
        self.interval = interval
    }

    public func stage(_ name: String, total: Int?) {
        lock.withLock {
            self.name = name
            self.total = total
            draw(ProgressText.line(name, done: total == nil ? nil : 0, total: total))
        }
    }

    public func advance(done: Int) {
        lock.withLock {
            // Read under the lock: another thread may have drawn a moment ago.
            let now = DispatchTime.now().uptimeNanoseconds
            guard now >= lastDraw &+ interval || done == total else { return }
            draw(ProgressText.line(name, done: done, total: total), at: now)
        }
    }

    public func expect(more: Int) {
        lock.withLock { total = total.map { $0 + more } }
    }

    public func finish() {
        lock.withLock {
            if drawn { output("\r\u{1B}[2K") }
            drawn = false
        }
    }

    private func draw(_ text: String, at now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        output("\r\u{1B}[2K" + text)
        lastDraw = now
        drawn = true
    }
}

/// Plain lines, one per stage, for logs (`build --verbose` when standard error is no terminal).
public final class LogProgress: BuildProgress, @unchecked Sendable {
    private let output: (String) -> Void
    public init(output: @escaping (String) -> Void = writeToStandardError) { self.output = output }
    public func stage(_ name: String, total: Int?) { output(ProgressText.line(name, done: nil, total: total) + "\n") }
    public func advance(done: Int) {}
    public func finish() {}
}

public func writeToStandardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

enum ProgressText {
    /// "rendering 4,213/11,852 files", "rendering 11,852 files", "loading".
    static func line(_ stage: String, done: Int?, total: Int?) -> String {
        guard let total else { return stage }
        guard let done else { return "\(stage) \(Formatting.number(total)) files" }
        return "\(stage) \(Formatting.number(done))/\(Formatting.number(total)) files"
    }

}
