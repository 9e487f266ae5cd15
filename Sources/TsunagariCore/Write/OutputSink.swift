import Foundation
import TsunagariTemplates

/// Where rendered files go: memory (preview, tests) or a staging folder on disk (build).
/// `write` is called from several threads at once, each time for a different path.
public protocol OutputSink: Sendable {
    /// Every path that will be written, before the first write (folders are made once);
    /// the paths of the files under the folder `laterUnder` are told later, by `announce`
    /// (the search index is built while the pages are written).
    func prepare(paths: [String], laterUnder: String?) throws
    /// The paths under the `laterUnder` folder, before they are written.
    func announce(paths: [String]) throws
    func write(_ file: OutputFile) throws
    /// A large file made in pieces (open data of 100,000 windows is 140 MB): `make` hands each
    /// piece to the function it is given. By default the pieces are joined and written whole.
    func write(path: String, pieces make: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws

    // What files are made from (a build over the last build's spare copy, see OutputRecord):
    /// Whether the sink keeps a record of inputs: if not, fingerprints are not worth making.
    var recordsInputs: Bool { get }
    /// The size of the file at `path` when it is already what `input` makes: it is then kept as
    /// it is, and must not be written. Nil: make it and write it with `write(_:madeFrom:)`.
    func keep(path: String, madeFrom input: Fingerprint128) -> Int?
    func write(_ file: OutputFile, madeFrom input: Fingerprint128) throws
    /// The paths and sizes of the files of `group` (made together) when every one is already
    /// what `input` makes: all kept. Nil: make them, `record` the group, then write them.
    func keep(group: String, madeFrom input: Fingerprint128) -> [(path: String, size: Int)]?
    /// Whether `keep(group:madeFrom:)` would keep the group, without keeping anything: asked
    /// before the sink is prepared (nothing may be written then).
    func canKeep(group: String, madeFrom input: Fingerprint128) -> Bool
    func record(group: String, madeFrom input: Fingerprint128, paths: [String])
}

extension OutputSink {
    public func prepare(paths: [String]) throws { try prepare(paths: paths, laterUnder: nil) }
    public func announce(paths: [String]) throws {}

    public func write(path: String, pieces make: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        var bytes: [UInt8] = []
        try make { bytes += $0 }
        try write(OutputFile(path: path, bytes: bytes))
    }

    public var recordsInputs: Bool { false }
    public func keep(path: String, madeFrom input: Fingerprint128) -> Int? { nil }
    public func write(_ file: OutputFile, madeFrom input: Fingerprint128) throws { try write(file) }
    public func keep(group: String, madeFrom input: Fingerprint128) -> [(path: String, size: Int)]? { nil }
    public func canKeep(group: String, madeFrom input: Fingerprint128) -> Bool { false }
    public func record(group: String, madeFrom input: Fingerprint128, paths: [String]) {}
}

/// Keeps every file in memory; `files` are sorted by path.
public final class CollectingSink: OutputSink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [OutputFile] = []

    public init() {}
    public func prepare(paths: [String], laterUnder: String?) throws {}
    public func write(_ file: OutputFile) throws { lock.withLock { collected.append(file) } }
    public var files: [OutputFile] { lock.withLock { collected.sorted { $0.path < $1.path } } }
}

/// Passes files on and counts them for the build's summary line and the progress display.
final class CountingSink: OutputSink, @unchecked Sendable {
    private let next: OutputSink
    private let progress: BuildProgress?
    private let lock = NSLock()
    private(set) var pages = 0
    private(set) var files = 0
    private(set) var bytes = 0
    /// Files kept as the last build left them, not made (see OutputRecord).
    private(set) var kept = 0

    init(_ next: OutputSink, progress: BuildProgress? = nil) {
        self.next = next
        self.progress = progress
    }
    func prepare(paths: [String], laterUnder: String?) throws {
        try next.prepare(paths: paths, laterUnder: laterUnder)
        progress?.stage("rendering", total: paths.count)
    }
    func announce(paths: [String]) throws {
        try next.announce(paths: paths)
        progress?.expect(more: paths.count)
    }
    func write(_ file: OutputFile) throws {
        try next.write(file)
        count(path: file.path, bytes: file.bytes.count)
    }
    func write(path: String, pieces make: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        var total = 0
        try next.write(path: path) { emit in
            try withoutActuallyEscaping(emit) { emit in try make { piece in total += piece.count; try emit(piece) } }
        }
        count(path: path, bytes: total)
    }
    var recordsInputs: Bool { next.recordsInputs }
    func keep(path: String, madeFrom input: Fingerprint128) -> Int? {
        guard let size = next.keep(path: path, madeFrom: input) else { return nil }
        count(path: path, bytes: size, kept: true)
        return size
    }
    func write(_ file: OutputFile, madeFrom input: Fingerprint128) throws {
        try next.write(file, madeFrom: input)
        count(path: file.path, bytes: file.bytes.count)
    }
    func keep(group: String, madeFrom input: Fingerprint128) -> [(path: String, size: Int)]? {
        guard let files = next.keep(group: group, madeFrom: input) else { return nil }
        for file in files { count(path: file.path, bytes: file.size, kept: true) }
        return files
    }
    func canKeep(group: String, madeFrom input: Fingerprint128) -> Bool { next.canKeep(group: group, madeFrom: input) }
    func record(group: String, madeFrom input: Fingerprint128, paths: [String]) {
        next.record(group: group, madeFrom: input, paths: paths)
    }
    private func count(path: String, bytes count: Int, kept wasKept: Bool = false) {
        let done = lock.withLock {
            files += 1
            if wasKept { kept += 1 }
            bytes += count
            if path.hasSuffix(".html") { pages += 1 }
            return files
        }
        progress?.advance(done: done)
    }
}
