import Foundation
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
        let fm = FileManager.default
        let outputPath = output.standardizedFileURL.path
        let parent = (outputPath as NSString).deletingLastPathComponent
        let name = (outputPath as NSString).lastPathComponent
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)

        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: outputPath, isDirectory: &isDirectory)
        if exists {
            let contents = (try? fm.contentsOfDirectory(atPath: outputPath)) ?? ["?"]
            if !isDirectory.boolValue || (!contents.isEmpty && !contents.contains(marker)) {
                throw WriteError(description: "\(outputPath) exists and was not written by tsunagari; refusing to replace it (choose another --output or remove it)")
            }
        }

        let staging = parent + "/.\(name).new-\(getpid())"
        try? fm.removeItem(atPath: staging)
        // Old sites a previous background deletion has not finished with (or a killed build left).
        for leftover in ((try? fm.contentsOfDirectory(atPath: parent)) ?? []) {
            if leftover.hasPrefix(".\(name).trash-") {
                discard(parent + "/" + leftover, inBackground: deleteOldInBackground)
            } else if leftover.hasPrefix(".\(name).new-"), let pid = Int32(leftover.dropFirst(".\(name).new-".count)), kill(pid, 0) != 0 {
                // The staging folder of a build that was killed.
                discard(parent + "/" + leftover, inBackground: deleteOldInBackground)
            }
        }
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: false)
        do {
            try writeTree(files + [OutputFile(path: marker, bytes: Array("written by tsunagari\n".utf8))], into: staging, threads: threads)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }

        if exists {
            // One atomic exchange: at every moment the output path holds a whole site.
            if exchange(staging, outputPath) {
                discard(staging, inBackground: deleteOldInBackground)
                return
            }
            // Filesystems without RENAME_EXCHANGE: move the old one aside, then the new one in.
            let old = parent + "/.\(name).old-\(getpid())"
            guard rename(outputPath, old) == 0 else { throw WriteError(description: "cannot move \(outputPath) aside: \(String(cString: strerror(errno)))") }
            guard rename(staging, outputPath) == 0 else {
                _ = rename(old, outputPath)
                throw WriteError(description: "cannot move the new site into \(outputPath): \(String(cString: strerror(errno)))")
            }
            discard(old, inBackground: deleteOldInBackground)
        } else {
            guard rename(staging, outputPath) == 0 else {
                throw WriteError(description: "cannot move the new site into \(outputPath): \(String(cString: strerror(errno)))")
            }
        }
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

    /// Creates the folders once each, then writes the files with POSIX calls (several times
    /// faster than Foundation's writes for many small files), in parallel.
    static func writeTree(_ files: [OutputFile], into root: String, threads: Int) throws {
        var folders = Set<String>()
        for file in files {
            var path = file.path
            while let slash = path.lastIndex(of: "/") {
                path = String(path[..<slash])
                if !folders.insert(path).inserted { break }
            }
        }
        for folder in folders.sorted() {
            if mkdir(root + "/" + folder, 0o755) != 0 && errno != EEXIST {
                throw WriteError(description: "cannot create \(folder): \(String(cString: strerror(errno)))")
            }
        }
        let failures: [String?] = parallelMap(files, threads: threads) { file in
            let fd = open(root + "/" + file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { return "cannot create \(file.path): \(String(cString: strerror(errno)))" }
            defer { close(fd) }
            var written = 0
            let ok = file.bytes.withUnsafeBytes { buffer -> Bool in
                while written < buffer.count {
                    let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                    if n <= 0 { return false }
                    written += n
                }
                return true
            }
            return ok ? nil : "cannot write \(file.path): \(String(cString: strerror(errno)))"
        }
        if let failure = failures.compactMap({ $0 }).first { throw WriteError(description: failure) }
    }
}
