import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The names in a folder, sorted by their UTF-8 bytes (the same order as String's for the
/// slugs entries are named with), each with whether it is a folder (following a symbolic link).
enum FolderListing {
    static func read(_ path: String) -> [(name: String, isDirectory: Bool)]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(dir) {
            let name = name(of: entry)
            if name == "." || name == ".." { continue }
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            let type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) || type == Int32(DT_LNK) {
                var info = stat()
                isDirectory = stat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            names.append((name, isDirectory))
        }
        names.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return names
    }

    /// The name of a directory entry readdir returned (the preview's watcher reads them too).
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
