import Foundation
import TsunagariTemplates
#if canImport(Glibc)
import Glibc
#endif

/// What each file of the output and of its spare copy was made from, kept beside them
/// (`.NAME.record`) so that a build over the spare (see RecycledTree) leaves alone a file whose
/// input is unchanged: it is neither made (a page not rendered, the index not built) nor read.
///
/// A file's input is a fingerprint: of a page, its template, title and view model and what
/// every page shares (`SiteRenderer.PageFrame`); of a group of files made together (the search
/// index, the open data), of everything they are made from. A file is trusted only while it is
/// as the build that wrote it left it — the same inode, size, and change and modification times
/// to the nanosecond (`FileState`, read with `fstat` after writing); anything else that touched
/// it changed its change time. Each folder is found by its own identity (device and inode), not
/// by its name, so that a build killed between swapping the folders and saving the record
/// still finds the right one. The record is keyed by the tool that wrote it, as the parse
/// cache is; one that cannot be read is ignored (every file is then made and compared).
final class OutputRecord: @unchecked Sendable {
    /// A file or folder as the kernel last saw it.
    struct FileState: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64   // nanoseconds
        var changed: Int64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        }

        init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
            (self.device, self.inode, self.size, self.modified, self.changed) = (device, inode, size, modified, changed)
        }

        /// The state of `path` (relative to the folder `folder` is open on), not following a link.
        static func of(_ path: String, in folder: Int32 = AT_FDCWD) -> FileState? {
            var info = stat()
            guard fstatat(folder, path, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
            return FileState(info)
        }

        static func of(descriptor fd: Int32) -> FileState? {
            var info = stat()
            guard fstat(fd, &info) == 0 else { return nil }
            return FileState(info)
        }
    }

    struct Made: Equatable, Sendable {
        var input: Fingerprint128
        var state: FileState
    }

    /// A group of files made together from one input.
    struct Group: Equatable, Sendable {
        var input: Fingerprint128
        var paths: [String]
    }

    /// What made each file of a folder, by a 64-bit hash of its path: no String is kept per
    /// file (at 100,000 windows two folders' paths held as Strings took about 60 MB of the
    /// peak). Two paths with the same hash cannot mislead: a file is trusted only when its own
    /// inode and times match the record.
    struct Files: Equatable, Sendable {
        private(set) var byKey: [UInt64: Made] = [:]

        static func key(_ path: String) -> UInt64 {
            var hasher = StableHasher()
            hasher.combine(path)
            return hasher.finalize().high
        }

        subscript(path: String) -> Made? {
            get { byKey[Files.key(path)] }
            set { byKey[Files.key(path)] = newValue }
        }

        subscript(key key: UInt64) -> Made? {
            get { byKey[key] }
            set { byKey[key] = newValue }
        }

        var count: Int { byKey.count }
        mutating func reserveCapacity(_ n: Int) { byKey.reserveCapacity(n) }
    }

    /// One output folder: the folder's identity, what made each of its files, and its groups.
    struct Tree: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var files = Files()
        var groups: [String: Group] = [:]

        func isFolder(_ state: FileState) -> Bool { state.device == device && state.inode == inode }
    }

    let path: String
    /// The folders of the last build: its output and the site it replaced (at most two).
    private(set) var trees: [Tree]

    static let magic = Array("tsunagari output record\n".utf8)
    static let formatVersion: UInt64 = 1

    /// The record beside an output (empty when missing, unreadable or of another tool build).
    init(path: String) {
        self.path = path
        trees = (FileManager.default.contents(atPath: path)).flatMap { try? OutputRecord.decode(Array($0)) } ?? []
    }

    /// The record of the folder `state` names, if it has one.
    func tree(of state: FileState) -> Tree? { trees.first { $0.isFolder(state) } }

    /// Replaces the record by `trees` on disk (a new file renamed into place); on failure the
    /// old record is removed, since it describes folders that have since changed.
    func save(_ trees: [Tree]) {
        self.trees = trees
        let temporary = path + ".new-\(getpid())"
        let bytes = OutputRecord.encode(trees)
        let saved = FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) && rename(temporary, path) == 0
        if !saved {
            unlink(temporary)
            unlink(path)
        }
    }

    /// Removes the record (a build that could not keep one: the folders it described changed).
    func discard() {
        trees = []
        unlink(path)
    }

    // MARK: - Form on disk

    static func encode(_ trees: [Tree]) -> [UInt8] {
        let writer = ByteWriter()
        writer.bytes = magic
        writer.varint(ParseCache.toolStamp ?? 0)
        writer.varint(formatVersion)
        writer.varint(UInt64(trees.count))
        for tree in trees {
            writer.varint(tree.device)
            writer.varint(tree.inode)
            writer.varint(UInt64(tree.files.count))
            for (key, made) in tree.files.byKey {
                writer.varint(key)
                writer.varint(made.input.high)
                writer.varint(made.input.low)
                writer.varint(made.state.device)
                writer.varint(made.state.inode)
                writer.int(made.state.size)
                writer.int(made.state.modified)
                writer.int(made.state.changed)
            }
            writer.varint(UInt64(tree.groups.count))
            for (name, group) in tree.groups.sorted(by: { $0.key < $1.key }) {
                writer.string(name)
                writer.varint(group.input.high)
                writer.varint(group.input.low)
                writer.varint(UInt64(group.paths.count))
                for p in group.paths { writer.string(p) }
            }
        }
        // A checksum of all of it: a damaged record is not trusted.
        var hasher = StableHasher()
        hasher.combine(writer.bytes)
        let sum = hasher.finalize()
        writer.varint(sum.high)
        writer.varint(sum.low)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [Tree] {
        guard bytes.starts(with: magic) else { throw ByteReader.Malformed() }
        let reader = ByteReader(bytes[...])
        reader.position = magic.count
        guard let toolStamp = ParseCache.toolStamp, try reader.varint() == toolStamp, try reader.varint() == formatVersion else { throw ByteReader.Malformed() }
        var trees: [Tree] = []
        for _ in 0..<(try reader.count()) {
            var tree = Tree(device: try reader.varint(), inode: try reader.varint())
            let files = try reader.count()
            tree.files.reserveCapacity(files)
            for _ in 0..<files {
                let key = try reader.varint()
                let input = Fingerprint128(high: try reader.varint(), low: try reader.varint())
                let state = FileState(device: try reader.varint(), inode: try reader.varint(), size: try reader.int(),
                                      modified: try reader.int(), changed: try reader.int())
                tree.files[key: key] = Made(input: input, state: state)
            }
            for _ in 0..<(try reader.count()) {
                let name = try reader.string()
                let input = Fingerprint128(high: try reader.varint(), low: try reader.varint())
                var paths: [String] = []
                for _ in 0..<(try reader.count()) { paths.append(try reader.string()) }
                tree.groups[name] = Group(input: input, paths: paths)
            }
            trees.append(tree)
        }
        let end = reader.position
        var hasher = StableHasher()
        hasher.combine(Array(bytes[..<end]))
        let sum = hasher.finalize()
        guard try reader.varint() == sum.high, try reader.varint() == sum.low, reader.atEnd else { throw ByteReader.Malformed() }
        return trees
    }
}
