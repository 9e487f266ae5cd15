/// The site's URL scheme: clean URLs, each page a folder with an index.html.
public struct SiteURLs: Sendable {
    /// The path part of base_url ("/" or "/sub/"); every internal link starts with it.
    public var basePath: String
    public var baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL
        if let schemeEnd = baseURL.range(of: "://"), let slash = baseURL[schemeEnd.upperBound...].firstIndex(of: "/") {
            basePath = String(baseURL[slash...])
        } else {
            basePath = "/"
        }
    }

    public func path(_ relative: String) -> String { basePath + relative }
    public func absolute(_ relative: String) -> String {
        baseURL.hasSuffix("/") ? baseURL + relative : baseURL + "/" + relative
    }

    public static func window(_ slug: String) -> String { "windows/\(slug)/" }
    public static func member(_ slug: String) -> String { "members/\(slug)/" }
    public static func caseStudy(_ slug: String) -> String { "cases/\(slug)/" }
    public static func symposium(_ slug: String) -> String { "symposia/\(slug)/" }
    public static func page(_ slug: String) -> String { "pages/\(slug)/" }
    /// The page of an entry of `kind`.
    static func entry(_ kind: ContentLoader.Kind, slug: String) -> String {
        switch kind {
        case .windows: return window(slug)
        case .members: return member(slug)
        case .cases: return caseStudy(slug)
        case .symposia: return symposium(slug)
        case .pages: return page(slug)
        }
    }
    public static func category(_ slug: String) -> String { "categories/\(slug)/" }
    public static func lifeStage(_ slug: String) -> String { "life-stages/\(slug)/" }
    public static func point(_ slug: String) -> String { "points/\(slug)/" }
    public static func region(_ code: String) -> String { "regions/\(code)/" }
    public static func regionCategory(_ code: String, _ category: String) -> String { "regions/\(code)/\(category)/" }
}
