import Foundation

/// Prints how long each pipeline stage took, and the peak memory so far, when TSUNAGARI_PROFILE
/// is set (to standard error), so that a profile starts from where the time and memory go.
public enum StageTimer {
    static let enabled = ProcessInfo.processInfo.environment["TSUNAGARI_PROFILE"] != nil

    /// Prints the stage's wall time, the CPU time of all threads in it (user + system: how
    /// well it uses the cores), and the peak memory so far.
    @discardableResult
    public static func measure<T>(_ stage: String, _ work: () throws -> T) rethrows -> T {
        guard enabled else { return try work() }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        let result = try work()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let cpu = cpuSeconds() - cpuStart
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        FileHandle.standardError.write(Data(String(format: "%-10@ %8.1f ms   cpu %6.2f s   peak %6d MiB\n", stage as NSString, ms, cpu, usage.ru_maxrss / 1024).utf8))
        return result
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
