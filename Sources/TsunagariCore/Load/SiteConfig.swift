import TsunagariYAML

/// `site.yml`: the site's settings.
public struct SiteConfig: Sendable {
    public var title: String = "つながり"
    public var description: String = ""
    /// Absolute base URL of the published site, ending in '/'.
    public var baseURL: String = "https://example.org/"
    public var language: String = "ja"
    public var theme: String = "default"
    public var output: String = "public"
    /// A `verified` date older than this many months is stale.
    public var staleAfterMonths: Int = 12
    /// Where the editors' content-health report is written inside the output (not linked).
    public var healthReport: String = "_health"
    /// The neutral site the quick-exit button leaves for.
    public var quickExitURL: String = "https://www.google.co.jp/"
    public var location: SourceLocation = .file("site.yml")
    /// Where `output` was written, when site.yml sets it.
    public var outputLocation: SourceLocation? = nil

    public init() {}

    static func decode(_ file: SourceFile) -> (SiteConfig, [Diagnostic]) {
        var config = SiteConfig()
        let node: YAMLNode
        do {
            node = try YAML.parse(file.text)
        } catch let error as YAMLError {
            return (config, [SourceLocation(path: file.path, line: error.mark.line, column: error.mark.column).error(error.message)])
        } catch {
            return (config, [SourceLocation.file(file.path).error("\(error)")])
        }
        let r = FieldReader(path: file.path, node: node, what: "site.yml")
        if let v = r.string("title") { config.title = v }
        if let v = r.string("description") { config.description = v }
        if let v = r.url("base_url") {
            config.baseURL = v.hasSuffix("/") ? v : v + "/"
            if !v.hasPrefix("http") { r.report(r.mappingLocation.error("base_url must be an http(s) URL")) }
        }
        if let v = r.string("language") { config.language = v }
        if let v = r.located("theme") {
            if Slug.isValid(v.value) { config.theme = v.value } else {
                r.report(v.location.error("theme name '\(v.value)' may only use a-z, 0-9 and '-'", hint: "themes live in themes/<name>/"))
            }
        }
        if let v = r.located("output") {
            if let problem = OutputPath.problem(with: v.value) { r.report(v.location.error(problem)) } else {
                config.output = v.value
                config.outputLocation = v.location
            }
        }
        if let v = r.int("stale_after_months") { config.staleAfterMonths = max(1, v) }
        if let v = r.located("health_report") {
            if v.value.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ Slug.isValid(String($0)) || $0.hasPrefix("_") && Slug.isValid(String($0.dropFirst())) }) {
                config.healthReport = v.value
            } else {
                r.report(v.location.error("health_report must be a relative path of slugs", hint: "for example '_health'"))
            }
        }
        if let v = r.url("quick_exit_url") { config.quickExitURL = v }
        r.finish()
        config.location = .file(file.path)
        return (config, r.diagnostics)
    }
}

/// Where the site may be written: a relative path inside the site folder, or an absolute
/// path given on the command line. From site.yml, only relative paths without '..'.
enum OutputPath {
    static func problem(with path: String) -> String? {
        if path.isEmpty { return "output may not be empty" }
        if path.hasPrefix("/") { return "output in site.yml must be a relative path; use --output for another place" }
        if path.contains("\0") { return "output may not contain NUL" }
        let parts = path.split(separator: "/")
        if parts.contains(where: { $0 == ".." || $0 == "." }) { return "output may not contain '..' or '.'" }
        if parts.first == "content" || parts.first == "themes" { return "output may not be inside content/ or themes/" }
        return nil
    }
}
