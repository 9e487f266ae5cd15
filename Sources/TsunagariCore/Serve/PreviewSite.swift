import Foundation
import TsunagariTemplates

/// The site as `tsunagari serve` holds it: the last good build (pages rendered on request,
/// see LazySite) and the errors of the last failed build, with a version number that changes
/// on every rebuild (open tabs wait on it to reload). Parsed entries are kept between
/// rebuilds (EntryCache), so an edit re-reads only the files that changed.
public final class PreviewSite: @unchecked Sendable {
    public struct State: Sendable {
        public var version: Int
        var site: LazySite?
        public var diagnostics: [Diagnostic]
        public var failed: Bool
        public var seconds: Double
        /// True when the last rebuild patched edited windows into the last site (WindowPatch).
        public var patched: Bool
        public var pages: Int { site?.pageCount ?? 0 }
    }

    private let lock = NSLock()
    private var state = State(version: 0, site: nil, diagnostics: [], failed: false, seconds: 0, patched: false)
    private var signature: [String: WatchedFiles.Stamp] = [:]
    public let options: Build.Options
    public let cache = EntryCache()

    public init(options: Build.Options) { self.options = options }

    public var current: State { lock.withLock { state } }

    /// Rebuilds now; the previous good site stays served when the build fails. `changed`:
    /// the files that changed (relative paths), when the watcher knows them; an edit that
    /// only changes the text of windows then skips loading, checking and linking the rest.
    @discardableResult
    public func rebuild(changed: Set<String>? = nil) -> State {
        let start = Date()
        var next = current
        var linked: LinkedSite?, theme: Theme?
        next.patched = false
        // The site served is the last good one; after a failed rebuild it is older than the
        // diagnostics, so only a good state is patched.
        if let changed, !next.failed, let last = next.site?.renderer,
           let (site, diagnostics) = WindowPatch.apply(changed: changed, to: last.site, diagnostics: next.diagnostics,
                                                       folder: SiteFolder(root: options.source), cache: cache) {
            (linked, theme, next.diagnostics, next.patched) = (site, last.theme, diagnostics, true)
        } else {
            (linked, theme, next.diagnostics) = Build.check(options, cache: cache)
        }
        if let linked, let theme {
            do {
                next.site = try LazySite(site: linked, theme: theme, threads: options.threads, previous: next.site)
                next.failed = false
            } catch let error as TemplateError {
                next.diagnostics.append(Build.renderingError(error, theme: linked.config.theme))
                next.failed = true
            } catch {
                next.diagnostics.append(SourceLocation.file("site.yml").error("\(error)"))
                next.failed = true
            }
        } else {
            next.failed = true
        }
        next.version += 1
        next.seconds = Date().timeIntervalSince(start)
        let replaced = lock.withLock { () -> State in
            defer { state = next }
            return state
        }
        // Freeing the replaced site (every plan and cached page) is a tenth of a one-file
        // edit at 10,000 windows: not on the way to the new page.
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(replaced) {} }
        return next
    }

    /// Checks the watched files (content/, themes/, site.yml) and rebuilds when any changed.
    /// Returns true when it rebuilt.
    public func rebuildIfChanged() -> Bool {
        let now = WatchedFiles.scan(options.source)
        if now == signature { return false }
        let changed = Set(now.keys.filter { now[$0] != signature[$0] } + signature.keys.filter { now[$0] == nil })
        let first = signature.isEmpty
        signature = now
        rebuild(changed: first ? nil : changed)
        return true
    }

    /// The response for a request path: a file of the site, its folder's index.html, or nil.
    /// A page is rendered on its first request; a template error is thrown as a BuildFailure.
    public func file(for requestPath: String) throws -> [UInt8]? {
        var path = requestPath.split(separator: "?").first.map(String.init) ?? ""
        path = path.removingPercentEncoding ?? path
        while path.hasPrefix("/") { path.removeFirst() }
        if path.split(separator: "/").contains("..") { return nil }
        guard let site = current.site else { return nil }
        do {
            // Pages first: a folder's index.html, with or without the trailing slash.
            let candidates = path.isEmpty || path.hasSuffix("/") ? [path + "index.html"] : [path, path + "/index.html"]
            return try site.file(candidates.first(where: site.isPage) ?? candidates[0])
        } catch let error as TemplateError {
            throw BuildFailure([Build.renderingError(error, theme: site.renderer.site.config.theme)])
        }
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
