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
    /// Watch descriptor → the folder it watches, relative to the root ("" for the root).
    private var folders: [Int32: String] = [:]
    private var changed: Set<String> = []

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

    private static let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

    /// Watches the root (for site.yml) and every folder below content/ and themes/; called
    /// again when a watched folder was deleted or moved (new folders are added as they come).
    private func addWatches() {
        add(root)
        for top in ["content", "themes"] { addFolders(root + "/" + top) }
    }

    private func add(_ path: String) {
        if watched.contains(path) { return }
        let wd = inotify_add_watch(fd, path, ChangeWatcher.mask)
        guard wd >= 0 else { return }
        watched.insert(path)
        folders[wd] = path == root ? "" : String(path.dropFirst(root.count + 1))
    }

    /// The paths (relative to the root) named by the events since the last call; nil when
    /// the kernel's queue of events overflowed and some were lost (anything may have changed).
    public func takeChanges() -> Set<String>? {
        defer {
            changed.removeAll()
            lost = false
        }
        return lost ? nil : changed
    }

    /// Whether events were lost since the last `takeChanges`.
    private var lost = false

    /// Watches `path` and the folders in it. `reporting`: a folder new since the last wait,
    /// whose files (made before its watch) are named as changed.
    private func addFolders(_ path: String, reporting: Bool = false) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        add(path)
        if reporting { changed.insert(String(path.dropFirst(root.count + 1))) }
        guard let dir = opendir(path) else { return }
        defer { closedir(dir) }
        var folders: [String] = []
        while let entry = readdir(dir) {
            let name = FolderListing.name(of: entry)
            guard name != "." && name != ".." else { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) || entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                folders.append(path + "/" + name)
            } else if reporting {
                changed.insert(String(path.dropFirst(root.count + 1)) + "/" + name)
            }
        }
        for folder in folders { addFolders(folder, reporting: reporting) }
    }

    /// Blocks until something changed (true) or `milliseconds` passed (false). The events of
    /// one save (an editor may write, rename and touch: microseconds apart) are gathered for
    /// `settle` ms first; each of those ms is waited on every edit.
    public func wait(milliseconds: Int32, settle: Int32 = 10) -> Bool {
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, milliseconds) > 0 else { return false }
        repeat {
            drain()
            // A new folder is watched at once, as its event is read (with the folders in it).
            for folder in newFolders { addFolders(folder, reporting: true) }
            newFolders.removeAll()
        } while poll(&request, 1, settle) > 0
        if foldersMoved {
            // A folder deleted or moved: its watch ends, or names it by its old path. Rare:
            // every watch is made again. (Walking every folder after each change, to find the
            // new ones, read the 10,000 names of content/windows/ before each rebuild.)
            foldersMoved = false
            watched.removeAll()
            folders.removeAll()
            addWatches()
        }
        return true
    }

    /// Folders made or moved in since the last `drain` (absolute paths).
    private var newFolders: [String] = []
    /// Whether a watched folder was deleted or moved away.
    private var foldersMoved = false

    /// Reads the pending events and notes the path each names (struct inotify_event: wd,
    /// mask, cookie, len, then len bytes of NUL-padded name).
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + 16 <= count {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let name = String(decoding: raw[(offset + 16)..<min(count, offset + 16 + length)].prefix { $0 != 0 }, as: UTF8.self)
                    if wd == -1 || mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        // The queue overflowed: events were dropped, new folders among them.
                        lost = true
                        foldersMoved = true
                    }
                    if let folder = folders[wd] {
                        let path = name.isEmpty ? folder : folder.isEmpty ? name : folder + "/" + name
                        changed.insert(path)
                        // (In the site folder itself only content/ and themes/ are watched.)
                        if mask & UInt32(IN_ISDIR) != 0 && !name.isEmpty && (!folder.isEmpty || name == "content" || name == "themes") {
                            if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { newFolders.append(root + "/" + path) }
                            if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 { foldersMoved = true }
                        }
                        if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 { foldersMoved = true }
                    }
                    offset += 16 + length
                }
            }
        }
    }
}
