import Foundation
import TsunagariTemplates
#if canImport(Glibc)
import Glibc
#endif

/// Stage 6: writes the site into a new folder beside the output, then swaps it in, so a failed
/// or interrupted build leaves the previous site whole.
public enum OutputWriter {
    /// A file in every output folder we write: we only ever replace folders that carry it.
    public static let marker = ".tsunagari-output"

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `deleteOldInBackground`: the replaced site is handed to a detached `rm -rf` instead of
    /// being deleted before returning, so deleting a large old tree is not on the build's path.
    public static func write(_ files: [OutputFile], to output: URL, threads: Int = BuildThreads.count,
                             deleteOldInBackground: Bool = false) throws {
        let staging = try Staging(output: output, deleteOldInBackground: deleteOldInBackground)
        do {
            try staging.prepare(paths: files.map(\.path))
            let failures: [Error?] = parallelMap(files, threads: threads) { file in
                do { try staging.write(file); return nil } catch { return error }
            }
            if let failure = failures.compactMap({ $0 }).first { throw failure }
            try staging.commit()
        } catch {
            staging.abandon()
            throw error
        }
    }

    /// A new site being written beside the output; `commit` swaps it in.
    public final class Staging: OutputSink, @unchecked Sendable {
        let outputPath: String
        let parent: String
        let name: String
        let path: String
        let exists: Bool
        let deleteOldInBackground: Bool
        /// Whether the staging folder is a recycled site (see RecycledTree), written over.
        let recycled: Bool
        /// Whether the replaced site is kept as the spare.
        let keepsSpare: Bool
        private let lock = NSLock()
        private var changed = 0
        /// Files whose bytes were written (new or changed); the others were left as they were.
        public var changedFiles: Int { lock.withLock { changed } }

        /// The replaced site kept for the next build to write over.
        var sparePath: String { parent + "/.\(name).spare" }

        /// What each file was made from (nil: no record is kept, as on a first build in a
        /// place: it would never be read). See OutputRecord.
        private let record: OutputRecord?
        /// The record of the folder being written over, and of the output it replaces.
        private let trusted: OutputRecord.Tree?
        private let replacedTree: OutputRecord.Tree?
        /// The staging folder's identity, and this build's record of it.
        private var made: OutputRecord.Tree
        /// The input of each file of a group, until it is written.
        private var groupInputs: [String: Fingerprint128] = [:]

        static func recordPath(parent: String, name: String) -> String { parent + "/.\(name).record" }

        /// Checks the output may be replaced and makes the staging folder: the spare site of
        /// the last build (or the staging folder a killed build left) when `recycle` and there
        /// is one, else a new folder.
        public init(output: URL, deleteOldInBackground: Bool = false, recycle: Bool = true) throws {
            let fm = FileManager.default
            outputPath = output.standardizedFileURL.path
            parent = (outputPath as NSString).deletingLastPathComponent
            name = (outputPath as NSString).lastPathComponent
            self.deleteOldInBackground = deleteOldInBackground
            keepsSpare = recycle
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)

            var isDirectory: ObjCBool = false
            exists = fm.fileExists(atPath: outputPath, isDirectory: &isDirectory)
            if exists {
                let contents = (try? fm.contentsOfDirectory(atPath: outputPath)) ?? ["?"]
                if !isDirectory.boolValue || (!contents.isEmpty && !contents.contains(OutputWriter.marker)) {
                    throw WriteError(description: "\(outputPath) exists and was not written by tsunagari; refusing to replace it (choose another --output or remove it)")
                }
            }
            path = parent + "/.\(name).new-\(getpid())"
            try? fm.removeItem(atPath: path)
            var reusable: [String] = []
            let spare = parent + "/.\(name).spare"   // (sparePath, before self is whole)
            if fm.fileExists(atPath: spare) {
                if recycle && OutputWriter.isRealFolder(spare) {
                    reusable.append(spare)
                } else {
                    OutputWriter.discard(spare, inBackground: deleteOldInBackground)
                }
            }
            // Old sites a previous background deletion has not finished with (or a killed build left).
            for leftover in ((try? fm.contentsOfDirectory(atPath: parent)) ?? []) {
                if leftover.hasPrefix(".\(name).trash-") {
                    OutputWriter.discard(parent + "/" + leftover, inBackground: deleteOldInBackground)
                } else if leftover.hasPrefix(".\(name).new-"), let pid = Int32(leftover.dropFirst(".\(name).new-".count)), kill(pid, 0) != 0 {
                    // The staging folder of a build that was killed: written over like a spare.
                    if recycle && OutputWriter.isRealFolder(parent + "/" + leftover) {
                        reusable.append(parent + "/" + leftover)
                    } else {
                        OutputWriter.discard(parent + "/" + leftover, inBackground: deleteOldInBackground)
                    }
                }
            }
            // (rename is atomic: of two builds started at once, one takes the spare.)
            var taken = false
            for candidate in reusable {
                if !taken && rename(candidate, path) == 0 {
                    taken = true
                } else {
                    OutputWriter.discard(candidate, inBackground: deleteOldInBackground)
                }
            }
            recycled = taken
            if !taken { try fm.createDirectory(atPath: path, withIntermediateDirectories: false) }
            stagingFolder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if stagingFolder < 0 { throw WriteError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }

            // A record is kept once the site has been built here and a spare copy is kept.
            let recordPath = Staging.recordPath(parent: parent, name: name)
            let folderState = OutputRecord.FileState.of(descriptor: stagingFolder)
            made = OutputRecord.Tree(device: folderState?.device ?? 0, inode: folderState?.inode ?? 0)
            if exists && recycle, let folderState {
                let record = OutputRecord(path: recordPath)
                self.record = record
                trusted = taken ? record.tree(of: folderState) : nil
                liveFolder = open(outputPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                replacedTree = liveFolder < 0 ? nil : OutputRecord.FileState.of(descriptor: liveFolder).flatMap(record.tree(of:))
            } else {
                unlink(recordPath)   // (it would describe folders no longer there)
                record = nil
                trusted = nil
                replacedTree = nil
            }
        }

        deinit {
            finishFolders()   // (its thread uses the folder's descriptor)
            closeFolder()
        }

        /// Files are opened relative to the staging folder: a shorter path for the kernel to walk.
        private var stagingFolder: Int32 = -1
        /// The output being replaced, open when a record is kept (files are copied from it).
        private var liveFolder: Int32 = -1

        private func closeFolder() {
            if stagingFolder >= 0 { close(stagingFolder) }
            if liveFolder >= 0 { close(liveFolder) }
            stagingFolder = -1
            liveFolder = -1
        }

        /// Paths the site has (for the last pruning of a recycled site), and the folder whose
        /// files are announced later.
        private var files = Set<String>()
        private var folders = Set<String>()
        private var laterUnder: String?
        /// Folders `prepare` made, and those a write has made (or is making) in a new tree.
        private var preparedFolders = Set<String>()
        private var madeFolders = Set<String>()

        /// Creates the folders that hold other folders, before the parallel writes. In a new
        /// tree, a thread of its own then makes the folders that hold only files (a page's
        /// own, as most are) in the order the pages are written, ahead of the writers, who
        /// make a folder themselves only when they get there first. Made by the writers, the
        /// 10,000 folders of `windows/` had two threads queueing, spinning, on that folder's
        /// lock in the kernel. In a recycled site, first removes what the new site does not
        /// have (under `laterUnder`, only at `commit`).
        public func prepare(paths: [String], laterUnder: String?) throws {
            try StageTimer.measure("  folders") {
                self.laterUnder = laterUnder
                let (parents, fileFolders) = add(paths + [OutputWriter.marker])
                preparedFolders = parents
                if recycled { try RecycledTree.prune(root: path, files: files, folders: folders, keepUnder: laterUnder) }
                let early = earlyList?.take() ?? []
                earlyExtras = early.subtracting(folders).sorted(by: >)   // (children before their parents)
                // (With its ancestors: one the early thread has not made yet is made here.)
                for folder in parents.sorted() where !early.contains(folder) {
                    if !RecycledTree.makeFolder(folder, in: stagingFolder) {
                        throw WriteError(description: "cannot create \(folder): \(String(cString: strerror(errno)))")
                    }
                }
                if !recycled { startFolderMaker(fileFolders.filter { !parents.contains($0) && !early.contains($0) }) }
            }
        }

        /// The thread making the pages' own folders in a new tree (see `prepare`).
        private var folderMaker: Background<Void>?

        /// The entries' own folders, made on a thread of their own from the start of a build
        /// into a new tree, while the content loads: their names are the content's file
        /// names. Made beside the pages instead, the folder thread fell behind the writers,
        /// who then made folders too, and a 10,000-window build's threads waited about a
        /// thousand times on the lock of `windows/` in the kernel.
        private var earlyMaker: Background<Void>?
        private var earlyList: Handover<Set<String>>?
        /// Folders made early that the site turned out not to have (removed when done).
        private var earlyExtras: [String] = []

        /// Starts making the folders `list` names (parents before their children) on a thread
        /// of its own, in a new tree; `list` runs on that thread.
        public func makeFoldersEarly(_ list: @escaping @Sendable () -> [String]) {
            guard !recycled, earlyMaker == nil else { return }
            let root = stagingFolder, handover = Handover<Set<String>>()
            earlyList = handover
            earlyMaker = Background {
                let folders = list()
                handover.give(Set(folders))
                for folder in folders { _ = mkdirat(root, folder, 0o755) }
            }
        }

        /// `leaves`: the folders that hold only files, not made early.
        private func startFolderMaker(_ leaves: [String]) {
            let root = stagingFolder
            // (Errors are left to the writer of the folder's first file, which makes it again
            // when it is missing and reports what stops it.)
            folderMaker = Background { for folder in leaves { _ = mkdirat(root, folder, 0o755) } }
        }

        /// Waits for the folder thread: before the tree is swapped in or removed.
        private func finishFolders() {
            folderMaker?.wait()
            folderMaker = nil
            earlyMaker?.wait()
            earlyMaker = nil
            for folder in earlyExtras { unlinkat(stagingFolder, folder, AT_REMOVEDIR) }
            earlyExtras = []
        }

        /// The files under `laterUnder`, known now. In a recycled site, a folder there that the
        /// new site names differently (the search index's, named by a fingerprint of all its
        /// files) is first moved to the new name: its files that did not change are then
        /// compared, not created anew (an edit of one window changes 29 of the 3,016 files of
        /// the index at 10,000 windows).
        public func announce(paths: [String]) throws {
            let known = lock.withLock { () -> Set<String> in
                _ = add(paths)
                return folders
            }
            if recycled, let later = laterUnder {
                RecycledTree.moveRenamedFolder(root: path, under: String(later.hasSuffix("/") ? later.dropLast() : Substring(later)), folders: known)
            }
        }

        /// Records the files and their folders; returns the folders that hold other folders,
        /// and the folders of the files not seen before, in the files' order.
        private func add(_ paths: [String]) -> (parents: Set<String>, fileFolders: [String]) {
            var parents = Set<String>()
            var fileFolders: [String] = []
            // (Only a recycled site is pruned by its files: a new tree skips hashing them.)
            if recycled { files.reserveCapacity(files.count + paths.count) }
            folders.reserveCapacity(folders.count + paths.count)
            for file in paths {
                if recycled { files.insert(file) }
                var p = file
                var child = false
                while let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) {
                    p = String(p[..<slash])
                    if child { parents.insert(p) }
                    let new = folders.insert(p).inserted
                    if !child && new { fileFolders.append(p) }
                    child = true
                    if !new && parents.contains(p) { break }
                }
            }
            return (parents, fileFolders)
        }

        /// POSIX open/write: several times faster than Foundation's writes for many small files.
        public func write(_ file: OutputFile) throws {
            try write(path: file.path) { emit in try emit(file.bytes) }
        }

        public func write(path relative: String, pieces make: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
            try write(path: relative, madeFrom: record == nil ? nil : lock.withLock { groupInputs[relative] }, pieces: make)
        }

        public func write(_ file: OutputFile, madeFrom input: Fingerprint128) throws {
            try write(path: file.path, madeFrom: input) { emit in try emit(file.bytes) }
        }

        /// Writes the file and, when a record is kept, what it was made from and its state after.
        private func write(path relative: String, madeFrom input: Fingerprint128?, pieces make: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
            // Opened relative to the staging folder: an absolute path or a '..' would leave it.
            guard Staging.isInside(relative) else {
                throw WriteError(description: "refusing to write '\(relative)': not a path inside the site")
            }
            var state: OutputRecord.FileState?
            let recordState = record != nil && input != nil && input != Fingerprint128.none
            let changedBytes = try RecycledTree.write(relative, in: stagingFolder, relative: relative, compare: recycled, newFolder: isNewFolder(of: relative),
                                                      finished: recordState ? { state = OutputRecord.FileState.of(descriptor: $0) } : nil, pieces: make)
            lock.withLock {
                if changedBytes { changed += 1 }
                if let input, let state { made.files[relative] = OutputRecord.Made(input: input, state: state) }
            }
        }

        public var recordsInputs: Bool { record != nil }

        /// A file made from `input` already: kept when the folder written over has it as the
        /// build that wrote it left it, else copied from the output being replaced when that
        /// has it (the spare is two builds old: the file an edit changed in the last build).
        public func keep(path relative: String, madeFrom input: Fingerprint128) -> Int? {
            guard input != .none else { return nil }
            if let known = trusted?.files[relative], known.input == input,
               OutputRecord.FileState.of(relative, in: stagingFolder) == known.state {
                lock.withLock { made.files[relative] = known }
                return Int(known.state.size)
            }
            guard let bytes = liveCopy(relative, madeFrom: input),
                  (try? write(path: relative, madeFrom: input, pieces: { emit in try emit(bytes) })) != nil else { return nil }
            return bytes.count
        }

        public func keep(group: String, madeFrom input: Fingerprint128) -> [(path: String, size: Int)]? {
            if let files = trustedGroup(group, madeFrom: input) {
                lock.withLock {
                    made.groups[group] = trusted!.groups[group]
                    for file in files { made.files[file.path] = trusted?.files[file.path] }
                }
                return files
            }
            // Copied from the replaced output a file at a time (the open data of 100,000
            // windows is 140 MB), or made again.
            guard canCopy(group: group, madeFrom: input), let known = replacedTree?.groups[group] else { return nil }
            record(group: group, madeFrom: input, paths: known.paths)
            var files: [(path: String, size: Int)] = []
            for path in known.paths {
                guard let bytes = liveCopy(path, madeFrom: input),
                      (try? write(path: path, madeFrom: input, pieces: { emit in try emit(bytes) })) != nil else { return nil }
                files.append((path, bytes.count))
            }
            return files
        }

        /// Whether the replaced output has every file of the group as its build left it.
        private func canCopy(group: String, madeFrom input: Fingerprint128) -> Bool {
            guard liveFolder >= 0, input != .none, let known = replacedTree?.groups[group], known.input == input else { return false }
            return known.paths.allSatisfy { path in
                guard let file = replacedTree?.files[path], file.input == input else { return false }
                return OutputRecord.FileState.of(path, in: liveFolder) == file.state
            }
        }

        public func canKeep(group: String, madeFrom input: Fingerprint128) -> Bool {
            trustedGroup(group, madeFrom: input) != nil || canCopy(group: group, madeFrom: input)
        }

        /// The group's files when the folder written over has every one as its build left it.
        private func trustedGroup(_ group: String, madeFrom input: Fingerprint128) -> [(path: String, size: Int)]? {
            guard input != .none, let known = trusted?.groups[group], known.input == input else { return nil }
            var files: [(path: String, size: Int)] = []
            for path in known.paths {
                guard let file = trusted?.files[path], file.input == input,
                      OutputRecord.FileState.of(path, in: stagingFolder) == file.state else { return nil }
                files.append((path, Int(file.state.size)))
            }
            return files
        }

        /// The bytes of `relative` in the output being replaced, when its record says `input`
        /// made them and the file is as that build left it.
        private func liveCopy(_ relative: String, madeFrom input: Fingerprint128) -> [UInt8]? {
            guard liveFolder >= 0, let known = replacedTree?.files[relative], known.input == input else { return nil }
            let fd = openat(liveFolder, relative, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            guard OutputRecord.FileState.of(descriptor: fd) == known.state,
                  let bytes = SiteFolder.readBytes(fd, size: Int(known.state.size)), bytes.count == Int(known.state.size) else { return nil }
            return bytes
        }

        public func record(group: String, madeFrom input: Fingerprint128, paths: [String]) {
            guard record != nil else { return }
            lock.withLock {
                made.groups[group] = OutputRecord.Group(input: input, paths: paths)
                for path in paths { groupInputs[path] = input }
            }
        }

        /// Whether `relative` names a file inside the folder: not empty, not absolute, no empty,
        /// `.` or `..` part. On the bytes, as the kernel reads the path ('/' and '.' are ASCII; a
        /// part with any other byte is neither `.` nor `..`). A check on Characters missed a '/'
        /// followed by a combining mark (one Character): "/\u{301}a" and "../\u{301}x" passed it.
        static func isInside(_ relative: String) -> Bool {
            var length = 0, dots = 0, onlyDots = true
            for byte in relative.utf8 {
                if byte == UInt8(ascii: "/") {
                    if length == 0 || (onlyDots && dots <= 2) { return false }
                    (length, dots, onlyDots) = (0, 0, true)
                } else {
                    length += 1
                    if byte == UInt8(ascii: ".") { dots += 1 } else { onlyDots = false }
                }
            }
            return length > 0 && !(onlyDots && dots <= 2)
        }

        /// Whether `relative` is the first file written into its folder in a new tree (which
        /// then is made before the file is opened, instead of after a failed open).
        private func isNewFolder(of relative: String) -> Bool {
            // (With the folder thread, a file is opened first: its folder is usually there.)
            guard !recycled, folderMaker == nil, let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return false }
            let folder = String(relative[..<slash])
            return lock.withLock { !preparedFolders.contains(folder) && madeFolders.insert(folder).inserted }
        }

        /// Swaps the complete new site in: at every moment the output path holds a whole site.
        /// The replaced site becomes the spare the next build writes over.
        public func commit() throws {
            finishFolders()
            if recycled, let later = laterUnder {
                try RecycledTree.prune(root: path, relative: String(later.hasSuffix("/") ? later.dropLast() : Substring(later)),
                                       files: files, folders: folders)
            }
            // (Not counted among the site's changed files.)
            _ = try RecycledTree.write(path + "/" + OutputWriter.marker, relative: OutputWriter.marker, compare: recycled) { emit in
                try emit(Array("written by tsunagari\n".utf8))
            }
            closeFolder()
            if exists {
                if OutputWriter.exchange(path, outputPath) {
                    let kept = keepAsSpare(path)
                    saveRecord(replacedKept: kept)
                    return
                }
                record?.discard()
                // Filesystems without RENAME_EXCHANGE: move the old one aside, then the new one in.
                let old = parent + "/.\(name).old-\(getpid())"
                guard rename(outputPath, old) == 0 else { throw WriteError(description: "cannot move \(outputPath) aside: \(String(cString: strerror(errno)))") }
                guard rename(path, outputPath) == 0 else {
                    _ = rename(old, outputPath)
                    throw WriteError(description: "cannot move the new site into \(outputPath): \(String(cString: strerror(errno)))")
                }
                keepAsSpare(old)
            } else {
                guard rename(path, outputPath) == 0 else {
                    throw WriteError(description: "cannot move the new site into \(outputPath): \(String(cString: strerror(errno)))")
                }
            }
        }

        /// The replaced site, kept as the spare (or deleted when another build kept one first).
        /// Returns whether it was kept.
        @discardableResult
        private func keepAsSpare(_ old: String) -> Bool {
            if !keepsSpare || OutputWriter.isRealFolder(sparePath) || rename(old, sparePath) != 0 {
                OutputWriter.discard(old, inBackground: deleteOldInBackground)
                return false
            }
            return true
        }

        /// The record of the new output, and of the replaced one when it is kept as the spare.
        private func saveRecord(replacedKept: Bool) {
            guard let record else { return }
            let trees = lock.withLock { [made] + (replacedKept ? replacedTree.map { [$0] } ?? [] : []) }
            record.save(trees)
        }

        /// After a failure: the unfinished staging folder is kept as the spare when it was one
        /// (its files are compared, not trusted, by the next build), else removed.
        public func abandon() {
            finishFolders()
            closeFolder()
            if recycled && !OutputWriter.isRealFolder(sparePath) && rename(path, sparePath) == 0 { return }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// A folder itself, not a symbolic link to one.
    static func isRealFolder(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Removes a replaced site now, or renames it to a trash name and leaves it to a detached
    /// `rm -rf` that outlives this process.
    static func discard(_ path: String, inBackground: Bool) {
        guard inBackground else {
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        var target = path
        if !(path as NSString).lastPathComponent.contains(".trash-") {
            let parent = (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent.split(separator: ".").first.map(String.init) ?? "output"
            target = parent + "/.\(name).trash-\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1000))"
            if rename(path, target) != 0 { target = path }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/rm")
        process.arguments = ["-rf", target]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) == nil { try? FileManager.default.removeItem(atPath: target) }
    }

    /// Linux's renameat2(RENAME_EXCHANGE) swaps two paths atomically. Glibc declares it only
    /// under _GNU_SOURCE, which Swift's Glibc module does not see, so it is looked up by name.
    static func exchange(_ a: String, _ b: String) -> Bool {
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 2
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
    }

}
