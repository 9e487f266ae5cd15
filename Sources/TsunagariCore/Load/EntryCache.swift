import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Parsed entries kept between the preview server's rebuilds: a file whose size, modification
/// time and inode have not changed is not read or parsed again, so a one-file edit parses one
/// file. (A build from the command line starts from nothing.)
public final class EntryCache: @unchecked Sendable {
    struct Stamp: Equatable {
        var size: Int
        var modified: timespec
        var inode: UInt64

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.size == b.size && a.inode == b.inode && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }
    }

    private let lock = NSLock()
    private var entries: [String: (Stamp, ContentLoader.EntryResult)] = [:]
    /// How many files the last load parsed (the rest came from the cache): tests read it.
    public private(set) var parsedLastTime = 0
    private var parsedCount = 0

    public init() {}

    /// The file's stamp (following symbolic links), or nil when it cannot be read.
    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(size: Int(info.st_size), modified: info.st_mtim, inode: UInt64(info.st_ino))
    }

    func cached(_ path: String, stamp: Stamp) -> ContentLoader.EntryResult? {
        lock.withLock {
            guard let (old, result) = entries[path], old == stamp else { return nil }
            return result
        }
    }

    func knows(_ path: String) -> Bool { lock.withLock { entries[path] != nil } }

    func store(_ path: String, stamp: Stamp, result: ContentLoader.EntryResult) {
        lock.withLock {
            entries[path] = (stamp, result)
            parsedCount += 1
        }
    }

    /// Ends a preview fast path (WindowPatch) that parsed `parsed` files.
    func finishPatch(parsed: Int) {
        lock.withLock {
            parsedLastTime = parsed
            parsedCount = 0
        }
    }

    /// Forgets the files that are gone and starts counting the next load.
    func finishLoad(keeping paths: Set<String>) {
        lock.withLock {
            // Copying every cached entry on each rebuild cost more than the edit; only prune
            // when a file has gone.
            if entries.count != paths.count || !entries.keys.allSatisfy(paths.contains) {
                entries = entries.filter { paths.contains($0.key) }
            }
            parsedLastTime = parsedCount
            parsedCount = 0
        }
    }
}
