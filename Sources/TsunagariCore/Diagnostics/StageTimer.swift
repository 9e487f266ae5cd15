import Foundation

/// Prints how long each pipeline stage took, and the peak memory so far, when TSUNAGARI_PROFILE
/// is set (to standard error), so that a profile starts from where the time and memory go.
public enum StageTimer {
    static let enabled = ProcessInfo.processInfo.environment["TSUNAGARI_PROFILE"] != nil

    @discardableResult
    public static func measure<T>(_ stage: String, _ work: () throws -> T) rethrows -> T {
        guard enabled else { return try work() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try work()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        FileHandle.standardError.write(Data(String(format: "%-10@ %8.1f ms   peak %6d MiB\n", stage as NSString, ms, usage.ru_maxrss / 1024).utf8))
        return result
    }
}
