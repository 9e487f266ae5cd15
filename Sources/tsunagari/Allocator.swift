#if canImport(CJemalloc)
import CJemalloc
#endif
import Foundation
import TsunagariMarkdown
import TsunagariYAML

/// The memory allocator the process runs on. On Linux the executable links jemalloc (see
/// Package.swift); it serves every allocation only if its `malloc` is the one the dynamic
/// linker binds, which is checked here rather than assumed.
enum Allocator {
    static var description: String {
        #if canImport(CJemalloc)
        if let version = jemallocVersion(), jemallocServesMalloc() { return "jemalloc \(version)" }
        #endif
        return "the system malloc"
    }

    #if canImport(CJemalloc)
    private static func jemallocVersion() -> String? {
        var version: UnsafePointer<CChar>? = nil
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return nil }
        return String(cString: version)
    }

    /// Whether a plain `malloc` shows in jemalloc's count of this thread's allocations.
    private static func jemallocServesMalloc() -> Bool {
        func allocated() -> UInt64? {
            var bytes: UInt64 = 0
            var size = MemoryLayout<UInt64>.size
            return mallctl("thread.allocated", &bytes, &size, nil, 0) == 0 ? bytes : nil
        }
        // The `malloc` every library binds (through the dynamic linker, as the Swift runtime's
        // is; a direct call could be optimized away with its `free`).
        typealias Malloc = @convention(c) (Int) -> UnsafeMutableRawPointer?
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc"), let before = allocated() else { return false }
        let block = unsafeBitCast(symbol, to: Malloc.self)(1 << 20)
        defer { free(block) }
        guard block != nil, let after = allocated() else { return false }
        return after - before >= 1 << 20
    }
    #endif
}

/// `tsunagari --version`: the C libraries that shape the output and the speed.
enum VersionText {
    static var text: String {
        "tsunagari (libcmark \(CommonMark.libraryVersion), libyaml \(YAML.libraryVersion), memory allocator: \(Allocator.description))"
    }
}
