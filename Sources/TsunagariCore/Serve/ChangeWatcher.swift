import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wakes the preview server when something under site.yml, content/ or themes/ changes:
/// Linux inotify on every folder of the watched tree, so nothing is polled (a scan of every
/// file five times a second kept a core busy on a site of 100,000 windows, and its interval
/// was the larger part of the edit-to-reload time). nil where inotify is unavailable; the
/// server then polls (PreviewSite.rebuildIfChanged).
public final class ChangeWatcher: @unchecked Sendable {
    private let fd: Int32
    private let root: String
    private var watched: Set<String> = []

    public init?(root: URL) {
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return nil }
        self.root = root.standardizedFileURL.path
        addWatches()
        if watched.isEmpty {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    private static let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)

    /// Watches the root (for site.yml) and every folder below content/ and themes/; called
    /// again after each change, so that new folders are watched too.
    private func addWatches() {
        add(root)
        for top in ["content", "themes"] { addFolders(root + "/" + top) }
    }

    private func add(_ path: String) {
        if watched.contains(path) { return }
        if inotify_add_watch(fd, path, ChangeWatcher.mask) >= 0 { watched.insert(path) }
    }

    private func addFolders(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        add(path)
        guard let dir = opendir(path) else { return }
        defer { closedir(dir) }
        var folders: [String] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_type == UInt8(DT_DIR) || entry.pointee.d_type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { folders.append(path + "/" + name) }
        }
        for folder in folders { addFolders(folder) }
    }

    /// Blocks until something changed (true) or `milliseconds` passed (false). The events of
    /// one save (an editor may write, rename and touch) are gathered for `settle` ms first.
    public func wait(milliseconds: Int32, settle: Int32 = 30) -> Bool {
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, milliseconds) > 0 else { return false }
        repeat { drain() } while poll(&request, 1, settle) > 0
        // Folders may have been removed (their watches end by themselves) or added.
        watched.removeAll()
        addWatches()
        return true
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
