import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the preview server watches — site.yml, content/ and themes/ — as path → stamp, read
/// with readdir and lstat: the server compares it five times a second, and Foundation's
/// attribute dictionaries cost far more on a site of tens of thousands of files.
enum WatchedFiles {
    struct Stamp: Equatable {
        var size: Int
        var seconds: Int
        var nanoseconds: Int
    }

    static func scan(_ root: URL) -> [String: Stamp] {
        var result: [String: Stamp] = [:]
        for top in ["site.yml", "content", "themes"] { walk(root.path, top, into: &result) }
        return result
    }

    private static func walk(_ root: String, _ relative: String, into result: inout [String: Stamp]) {
        let full = root + "/" + relative
        var info = stat()
        guard lstat(full, &info) == 0 else { return }
        result[relative] = Stamp(size: Int(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
        guard info.st_mode & S_IFMT == S_IFDIR, let dir = opendir(full) else { return }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = FolderListing.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names { walk(root, relative + "/" + name, into: &result) }
    }
}
