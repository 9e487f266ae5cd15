import Foundation

/// The site as `tsunagari serve` holds it: the last build's files in memory, or the errors of
/// the last failed build, with a version number that changes on every rebuild (open tabs
/// wait on it to reload).
public final class PreviewSite: @unchecked Sendable {
    public struct State: Sendable {
        public var version: Int
        public var files: [String: [UInt8]]
        public var diagnostics: [Diagnostic]
        public var failed: Bool
        public var seconds: Double
    }

    private let lock = NSLock()
    private var state = State(version: 0, files: [:], diagnostics: [], failed: false, seconds: 0)
    private var signature: [String: String] = [:]
    public let options: Build.Options

    public init(options: Build.Options) { self.options = options }

    public var current: State { lock.withLock { state } }

    /// Rebuilds now; the previous good files stay served when the build fails.
    @discardableResult
    public func rebuild() -> State {
        let start = Date()
        var next = current
        do {
            let result = try Build.render(options)
            next.files = Dictionary(result.files.map { ($0.path, $0.bytes) }, uniquingKeysWith: { a, _ in a })
            next.diagnostics = result.diagnostics
            next.failed = false
        } catch let failure as BuildFailure {
            next.diagnostics = failure.diagnostics
            next.failed = true
        } catch {
            next.diagnostics = [SourceLocation.file("site.yml").error("\(error)")]
            next.failed = true
        }
        next.version += 1
        next.seconds = Date().timeIntervalSince(start)
        lock.withLock { state = next }
        return next
    }

    /// Checks the watched files (content/, themes/, site.yml) and rebuilds when any changed.
    /// Returns true when it rebuilt.
    public func rebuildIfChanged() -> Bool {
        let now = PreviewSite.scan(options.source)
        if now == signature { return false }
        signature = now
        rebuild()
        return true
    }

    /// Path → "mtime size" of every watched file.
    static func scan(_ root: URL) -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        for top in ["site.yml", "content", "themes"] {
            let base = root.appendingPathComponent(top)
            var paths = [top]
            if let enumerator = fm.enumerator(atPath: base.path) {
                for case let relative as String in enumerator { paths.append(top + "/" + relative) }
            }
            for path in paths {
                if let attributes = try? fm.attributesOfItem(atPath: root.appendingPathComponent(path).path) {
                    let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                    result[path] = "\(date) \(size)"
                }
            }
        }
        return result
    }

    /// The response for a request path: a file of the site, its folder's index.html, or nil.
    public func file(for requestPath: String) -> [UInt8]? {
        var path = requestPath.split(separator: "?").first.map(String.init) ?? ""
        path = path.removingPercentEncoding ?? path
        while path.hasPrefix("/") { path.removeFirst() }
        if path.split(separator: "/").contains("..") { return nil }
        let files = current.files
        if path.isEmpty || path.hasSuffix("/") { return files[path + "index.html"] }
        return files[path] ?? files[path + "/index.html"]
    }

    /// The page shown instead of the site while the content has errors.
    public static func errorPage(_ diagnostics: [Diagnostic]) -> String {
        let items = diagnostics.filter { $0.severity == .error }.map { "<li><code>\(XMLEscape.escape($0.description))</code></li>" }.joined(separator: "\n")
        return """
        <!DOCTYPE html>
        <html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>ビルドエラー</title></head>
        <body><main><h1>ビルドエラー（build failed）</h1>
        <p>次の問題を直すと、このページは自動で更新されます。</p>
        <ol id="tsunagari-errors">
        \(items)
        </ol></main></body></html>
        """
    }
}
