import Foundation

/// A map with an identity, for a value that many pages show (a window's card is in every list
/// the window is in). When a partial is rendered with it on top of the context stack, the
/// renderer keeps the partial's output here if that output read nothing below it — no name fell
/// through to an outer context (a name the object lacks does), and the partial was not
/// indented — and later renders of the same partial with the same object copy those bytes.
/// The output is the same as rendering again; only the work is saved.
///
/// Give it every name its partials use (`.null` or `false` for an absent value), so that no
/// lookup falls through. Renders may run on many threads at once: whichever renders a partial
/// first keeps it, and every thread would have made the same bytes.
public final class TemplateObject: @unchecked Sendable {
    public let fields: TemplateMap
    private let lock = NSLock()
    /// Read and written under `lock` only: the dynamic exclusivity check of each access is
    /// left out (a check per kept partial copied was ~1.5 % of the templates' instructions).
    @exclusivity(unchecked) private var renders: [Render] = []

    /// A partial's output with this object on top, for one `TemplateSet`'s program.
    struct Render {
        let program: Int
        let start: Int
        /// nil when the output read an outer context: rendered every time.
        let bytes: [UInt8]?
        /// How many partials deep the render went below this one (for the nesting limit).
        let depth: Int
    }

    public init(_ fields: TemplateMap) { self.fields = fields }

    /// The fingerprint of `fields`, made once: a window's card is in many pages' view models.
    private var madeFingerprint: Fingerprint128?
    public var fingerprint: Fingerprint128 {
        if let made = lock.withLock({ madeFingerprint }) { return made }
        let made = TemplateValue.fingerprint(of: fields)
        lock.withLock { madeFingerprint = made }
        return made
    }

    /// Where the render kept for a partial is in `renders`. Call under the lock.
    private func kept(program: Int, start: Int) -> Int? {
        renders.firstIndex { $0.program == program && $0.start == start }
    }

    /// What is kept for a partial (the tests read it).
    func remembered(program: Int, start: Int) -> Render? {
        lock.withLock { kept(program: program, start: start).map { renders[$0] } }
    }

    /// What `remembered` tells, with a kept output appended to `out` at once (under the lock:
    /// no reference to it is taken). Nil when nothing is kept for the partial yet.
    func replay(program: Int, start: Int, depthAllowed: Int, into out: inout OutputBuffer) -> Replay? {
        lock.lock()
        defer { lock.unlock() }
        guard let i = kept(program: program, start: start) else { return nil }
        guard let bytes = renders[i].bytes else { return .renderEachTime }
        guard renders[i].depth <= depthAllowed else { return .tooDeep }
        out.append(bytes)
        return .copied(depth: renders[i].depth)
    }

    enum Replay {
        /// Copied; the render it copies went `depth` partials deeper.
        case copied(depth: Int)
        case renderEachTime, tooDeep
    }

    func remember(_ render: Render) {
        lock.withLock {
            if kept(program: render.program, start: render.start) == nil { renders.append(render) }
        }
    }
}

extension TemplateObject: Equatable {
    public static func == (lhs: TemplateObject, rhs: TemplateObject) -> Bool {
        lhs === rhs || lhs.fields == rhs.fields
    }
}

/// A number per compiled program, so that an object rendered by two template sets keeps their
/// partials' outputs apart.
enum ProgramNumbers {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var last = 0

    static func next() -> Int {
        lock.withLock {
            last += 1
            return last
        }
    }
}
