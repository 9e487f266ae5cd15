import Foundation

/// Prints how long each pipeline stage took when TSUNAGARI_PROFILE is set (to standard error),
/// so that a profile starts from where the time goes.
public enum StageTimer {
    static let enabled = ProcessInfo.processInfo.environment["TSUNAGARI_PROFILE"] != nil

    @discardableResult
    public static func measure<T>(_ stage: String, _ work: () throws -> T) rethrows -> T {
        guard enabled else { return try work() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try work()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        FileHandle.standardError.write(Data(String(format: "%-10@ %8.1f ms\n", stage as NSString, ms).utf8))
        return result
    }
}
