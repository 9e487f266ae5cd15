import Foundation
import TsunagariMarkdown
import TsunagariTemplates
import TsunagariYAML
#if canImport(Glibc)
import Glibc
#endif

/// Parsed entries kept on disk between builds (beside the output, `.NAME.cache`): an entry
/// file whose text and kind are unchanged is not parsed again but read back from the cache
/// (`BinaryCoding`), diagnostics included.
///
/// Keys: the file's path, kind, length and a 64-bit hash of its text; the whole cache is also
/// keyed by the tool that wrote it (`toolStamp`: the executable's bytes, the C libraries'
/// versions), so that a cache written by another build of the tool — whose entry types may
/// differ — is never read.
/// Parsing depends on nothing else (not on site.yml, the taxonomies or the theme: those are
/// read on every build and checked after loading). A cache that cannot be read is ignored.
final class ParseCache: @unchecked Sendable {
    struct Key: Equatable, Sendable {
        var kind: UInt8
        var length: Int
        var hash: UInt64
    }

    /// 64 bits of the build's fingerprint (`StableHasher`): of a file's text for its key, of a
    /// payload for its checksum.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize().low
    }

    let path: String
    /// The cache as read: its bytes and where each entry's payload is (released once saved).
    private var data: [UInt8]
    private let known: [String: (key: Key, checksum: UInt64, payload: Range<Int>)]
    private let lock = NSLock()
    /// This build's entries: a payload from `data` or newly encoded.
    private var current: [String: (key: Key, payload: ArraySlice<UInt8>)] = [:]
    /// Files read back / parsed by the last load (tests and the profile read them).
    private(set) var hits = 0
    private(set) var misses = 0

    static let magic = Array("tsunagari parse cache\n".utf8)

    /// The cache of a build whose output goes to `output`: nil when neither the cache nor the
    /// output exists yet. A first build in a place — CI on a clean clone, a new checkout —
    /// never reads the cache it would write, and encoding 10,000 parsed windows cost such a
    /// build a tenth of its time; the site's second build writes the cache, later ones read it.
    static func forBuild(at location: (cache: String, output: String)) -> ParseCache? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: location.cache) || fm.fileExists(atPath: location.output), toolStamp != nil else { return nil }
        return ParseCache(path: location.cache)
    }

    /// Opens the cache at `path` (empty when missing, unreadable or of another tool build).
    init(path: String) {
        self.path = path
        var known: [String: (key: Key, checksum: UInt64, payload: Range<Int>)] = [:]
        var data: [UInt8] = []
        if let bytes = FileManager.default.contents(atPath: path).map(Array.init),
           let entries = try? ParseCache.index(bytes) {
            data = bytes
            known = entries
        }
        self.data = data
        self.known = known
    }

    /// The tool's identity: a hash of the executable's bytes and the versions of the C libraries
    /// that parse (shared libraries: an upgrade changes their output, not the executable). The
    /// entries are stored by position, so a cache is only ever read by the build of the tool that
    /// wrote it. nil when the executable cannot be read: then no cache is used.
    static let toolStamp: UInt64? = {
        let fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, let bytes = SiteFolder.readBytes(fd, size: Int(info.st_size)), bytes.count == Int(info.st_size) else { return nil }
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(CommonMark.libraryVersion + "|" + YAML.libraryVersion + "|" + String(formatVersion))
        return hasher.finalize().low
    }()

    /// Bumped when the file's layout changes.
    static let formatVersion = 4

    static func key(kind: ContentLoader.Kind, text: String) -> Key {
        var text = text
        return text.withUTF8 { bytes in
            Key(kind: UInt8(ContentLoader.Kind.allCases.firstIndex(of: kind)!), length: bytes.count, hash: hash(bytes))
        }
    }

    /// The parse of `path` when its key is unchanged (nil when not cached or unreadable: a
    /// payload whose checksum differs — a damaged disk block — is parsed again).
    func lookup(_ path: String, key: Key) -> ContentLoader.EntryResult? {
        guard let entry = known[path], entry.key == key,
              data.withUnsafeBufferPointer({ ParseCache.hash(UnsafeBufferPointer(rebasing: $0[entry.payload])) }) == entry.checksum,
              let result = try? BinaryCoding.decode(ContentLoader.EntryResult.self, from: data[entry.payload]) else { return nil }
        lock.withLock {
            current[path] = (key, data[entry.payload])
            hits += 1
        }
        return result
    }

    /// Records this build's parse of `path` (a result that cannot be encoded is not cached).
    func store(_ path: String, key: Key, result: ContentLoader.EntryResult) {
        var payload: [UInt8] = []
        let encoded = (try? BinaryCoding.encode(result, into: &payload)) != nil
        lock.withLock {
            if encoded { current[path] = (key, payload[...]) }
            misses += 1
        }
    }

    /// The entry files of the last load, in order (what `save` writes).
    private(set) var paths: [String] = []

    func finishLoad(paths: [String]) { lock.withLock { self.paths = paths } }

    /// Whether `save` would write anything: an entry was parsed, or a cached file is gone.
    var changed: Bool {
        lock.withLock { misses > 0 || known.count != paths.count || paths.contains { known[$0] == nil } }
    }

    private var saving: Background<Void>?

    /// `save` on a thread of its own, beside the rest of the build. A cache that cannot be
    /// written costs the next build its parses, nothing else.
    func saveInBackground() {
        let label = "  cache (\(hits) read back, \(misses) parsed)"
        saving = Background { StageTimer.measure(label) { self.saveAndRelease() } }
    }

    /// Saves now, on this thread (a large site: the cache's bytes are let go before the pages
    /// are made — at 100,000 windows the file read back is 260 MB).
    func saveNow() {
        StageTimer.measure("  cache (\(hits) read back, \(misses) parsed)") { saveAndRelease() }
    }

    /// Writes the cache, then lets go of the file read back and of this build's payloads
    /// (nothing is looked up once the entries are loaded).
    private func saveAndRelease() {
        _ = try? save()
        lock.withLock {
            data = []
            current = [:]
        }
    }

    func waitUntilSaved() { saving?.wait() }

    /// Writes this build's entries (a new file, renamed into place); nothing when unchanged.
    func save() throws {
        guard changed else { return }
        let entries = lock.withLock { current }
        // A file of this process's own, renamed into place whole; written a megabyte at a time
        // (held whole beside the file read back, 100,000 windows' cache passed 1 GiB).
        let temporary = path + ".new-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw OutputWriter.WriteError(description: "cannot write the parse cache \(path): \(String(cString: strerror(errno)))") }
        let writer = ByteWriter()
        var written = true
        func flush() {
            written = written && writer.bytes.withUnsafeBytes { buffer -> Bool in
                var done = 0
                while done < buffer.count {
                    let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                    if n <= 0 { return false }
                    done += n
                }
                return true
            }
            writer.bytes.removeAll(keepingCapacity: true)
        }
        writer.bytes = ParseCache.magic
        writer.varint(ParseCache.toolStamp ?? 0)
        let kept = paths.filter { entries[$0] != nil }
        writer.varint(UInt64(kept.count))
        for path in kept {
            let (key, payload) = entries[path]!
            writer.string(path)
            writer.bytes.append(key.kind)
            writer.varint(UInt64(key.length))
            writer.varint(key.hash)
            writer.varint(payload.withUnsafeBufferPointer(ParseCache.hash))
            writer.varint(UInt64(payload.count))
            writer.bytes.append(contentsOf: payload)
            if writer.bytes.count >= 1 << 20 { flush() }
        }
        flush()
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OutputWriter.WriteError(description: "cannot write the parse cache \(path): \(reason)")
        }
        ParseCache.removeLeftovers(of: path)
    }

    /// Files a killed build left half-written (`.NAME.cache.new-PID` of a process that is gone).
    static func removeLeftovers(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + ".new-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(folder + "/" + name)
        }
    }

    /// The entries of a cache file, by path; throws when it is not one of this tool's.
    static func index(_ bytes: [UInt8]) throws -> [String: (key: Key, checksum: UInt64, payload: Range<Int>)] {
        guard bytes.starts(with: magic) else { throw ByteReader.Malformed() }
        let reader = ByteReader(bytes[magic.count...])
        guard let toolStamp, try reader.varint() == toolStamp else { throw ByteReader.Malformed() }
        let count = try reader.count()
        var entries: [String: (key: Key, checksum: UInt64, payload: Range<Int>)] = [:]
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let path = try reader.string()
            let kind = try reader.byte()
            let length = try reader.integer(Int.self, unsigned: true)
            let hash = try reader.varint()
            let checksum = try reader.varint()
            let size = try reader.count()
            guard size <= reader.bytes.endIndex - reader.position else { throw ByteReader.Malformed() }
            entries[path] = (Key(kind: kind, length: length, hash: hash), checksum, reader.position..<reader.position + size)
            reader.position += size
        }
        guard reader.atEnd else { throw ByteReader.Malformed() }
        return entries
    }
}
