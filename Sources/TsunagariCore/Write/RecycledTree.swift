import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The site a build replaced is kept beside the output (`.NAME.spare`) and the next build is
/// written over it instead of into a new, empty folder: a file whose bytes are unchanged is
/// read and compared but not written, a changed one is rewritten in place (same inode), and a
/// file the site no longer has is removed. On this machine's ext4, creating 15,000 files in a
/// new tree and deleting the replaced tree were the largest kernel costs of a build (inode
/// allocation after a large deletion scans the recently freed inodes); a build over a recycled
/// tree creates and deletes only what changed. The price is a second copy of the site on disk.
enum RecycledTree {
    /// Removes from the tree at `relative` (a folder of the tree at `root`, "" for all of it)
    /// everything that is not a regular file in `files` or a folder in `folders` (paths
    /// relative to `root`). Regular files and folders under `keepUnder` are kept for now:
    /// their paths are not known yet (see Staging.announce). Symbolic links and other odd
    /// entries are removed, never followed.
    static func prune(root: String, relative: String = "", files: Set<String>, folders: Set<String>, keepUnder: String? = nil) throws {
        let folder = relative.isEmpty ? root : root + "/" + relative
        guard let dir = opendir(folder) else { return }
        var entries: [(String, Int32)] = []
        while let entry = readdir(dir) {
            let name = FolderListing.name(of: entry)
            if name == "." || name == ".." { continue }
            entries.append((name, Int32(entry.pointee.d_type)))
        }
        closedir(dir)
        for (name, reportedType) in entries {
            let path = relative.isEmpty ? name : relative + "/" + name
            var type = reportedType
            if type == Int32(DT_UNKNOWN) {
                var info = stat()
                guard lstat(root + "/" + path, &info) == 0 else { continue }
                type = (info.st_mode & S_IFMT) == S_IFDIR ? Int32(DT_DIR) : (info.st_mode & S_IFMT) == S_IFREG ? Int32(DT_REG) : Int32(DT_LNK)
            }
            let kept = keepUnder.map { path.hasPrefix($0) } ?? false
            if type == Int32(DT_DIR) {
                if folders.contains(path) || kept {
                    try prune(root: root, relative: path, files: files, folders: folders, keepUnder: keepUnder)
                } else {
                    try FileManager.default.removeItem(atPath: root + "/" + path)
                }
            } else if type != Int32(DT_REG) || !(files.contains(path) || kept) {
                if unlink(root + "/" + path) != 0 && errno != ENOENT {
                    throw OutputWriter.WriteError(description: "cannot remove \(path) from the recycled site: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// When the folder `parent` of the tree at `root` holds exactly one folder the new site
    /// does not have (`folders`: its folders) and the new site has exactly one folder there
    /// that the tree lacks, renames the first to the second. Only a reuse: whatever it holds
    /// is still compared file by file and pruned.
    static func moveRenamedFolder(root: String, under parent: String, folders: Set<String>) {
        guard let dir = opendir(root + "/" + parent) else { return }
        var present: [String] = []
        while let entry = readdir(dir) {
            let name = FolderListing.name(of: entry)
            if name != "." && name != ".." && OutputWriter.isRealFolder(root + "/" + parent + "/" + name) { present.append(parent + "/" + name) }
        }
        closedir(dir)
        let old = present.filter { !folders.contains($0) }
        let new = folders.filter { $0.hasPrefix(parent + "/") && !$0.dropFirst(parent.count + 1).contains("/") && !present.contains($0) }
        guard old.count == 1, new.count == 1 else { return }
        _ = rename(root + "/" + old[0], root + "/" + new.first!)
    }

    /// Writes the pieces `make` emits to `path` (relative to the folder `root` is open on, or
    /// to the working directory). With `compare`, what the file already holds is
    /// read back piece by piece and nothing is written while it matches; from the first
    /// difference on, the rest is written over it, and the file is cut to the new length.
    /// With `newFolder`, the file's folder is made first (in a new tree, the first file of a
    /// folder would otherwise fail to open once). Returns whether the file's bytes changed (or
    /// it is new). `finished` is given the file, written, before it is closed.
    static func write(_ path: String, in root: Int32 = AT_FDCWD, relative: String, compare: Bool, newFolder: Bool = false,
                      finished: ((_ fd: Int32) -> Void)? = nil,
                      pieces make: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws -> Bool {
        // Without `compare` the folder is new: the file is created empty (O_TRUNC only guards
        // against a stray one) and is not cut to length afterwards.
        let flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (compare ? 0 : O_TRUNC)
        func openFile() -> Int32 { openat(root, path, flags, 0o644) }
        // (By byte, as the kernel reads the path: a '/' with a combining mark after it is one
        // Character, but still a separator.)
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        if newFolder, let slash { _ = makeFolder(String(path[..<slash]), in: root) }
        var fd = openFile()
        if fd < 0 && errno == ENOENT, let slash {
            // The file's folder is made by the first write into it (see Staging.prepare).
            if makeFolder(String(path[..<slash]), in: root) { fd = openFile() }
        }
        if fd < 0 && compare && errno != ENOENT {
            // A file of the recycled site that cannot be written over (made read-only, say):
            // replaced by a new one.
            if unlinkat(root, path, 0) == 0 { fd = openFile() }
        }
        if fd < 0 { throw OutputWriter.WriteError(description: "cannot create \(relative): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var existing = 0
        if compare {
            var info = stat()
            if fstat(fd, &info) == 0 { existing = Int(info.st_size) }
        }
        var matching = existing > 0
        var offset = 0
        var old: [UInt8] = []
        try make { piece in
            if matching {
                matching = offset + piece.count <= existing && readBack(fd, at: offset, count: piece.count, into: &old) && old == piece
                if matching {
                    offset += piece.count
                    return
                }
            }
            try piece.withUnsafeBytes { buffer in
                var done = 0
                while done < buffer.count {
                    let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                    if n <= 0 { throw OutputWriter.WriteError(description: "cannot write \(relative): \(String(cString: strerror(errno)))") }
                    done += n
                }
            }
            offset += piece.count
        }
        if compare && offset != existing && ftruncate(fd, off_t(offset)) != 0 {
            throw OutputWriter.WriteError(description: "cannot cut \(relative) to its length: \(String(cString: strerror(errno)))")
        }
        finished?(fd)
        return !(matching && offset == existing)
    }

    /// mkdir -p.
    static func makeFolder(_ path: String, in root: Int32 = AT_FDCWD) -> Bool {
        if mkdirat(root, path, 0o755) == 0 || errno == EEXIST { return true }
        guard errno == ENOENT, let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), makeFolder(String(path[..<slash]), in: root) else { return false }
        return mkdirat(root, path, 0o755) == 0 || errno == EEXIST
    }

    /// Reads `count` bytes at `offset` into `buffer`; false if the file is shorter.
    private static func readBack(_ fd: Int32, at offset: Int, count: Int, into buffer: inout [UInt8]) -> Bool {
        if buffer.count != count { buffer = [UInt8](repeating: 0, count: count) }
        return buffer.withUnsafeMutableBytes { raw in
            var done = 0
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }
}
