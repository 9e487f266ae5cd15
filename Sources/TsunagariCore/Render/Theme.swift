import Foundation
import TsunagariTemplates

/// The theme: compiled templates and static assets, with fingerprinted asset names so that
/// a CDN can cache them forever.
public struct Theme: Sendable {
    public var templates: TemplateSet
    /// Output path → bytes of each asset; `assetURLs` maps the source name to it.
    public var assets: [(path: String, bytes: [UInt8])]
    public var assetPaths: [String: String]

    /// Templates every theme must provide.
    public static let requiredTemplates = [
        "layout", "home", "window", "windows", "member", "members", "case", "cases", "symposium", "symposia",
        "page", "term", "terms", "region", "regions", "region-category", "search", "find", "not-found",
        "partials/header", "partials/crisis", "partials/footer",
    ]

    public static func load(_ site: SiteFolder, name: String) -> Result<Theme, Diagnostic> {
        let folder = "themes/\(name)"
        guard site.exists(folder + "/templates") else {
            return .failure(SourceLocation.file("site.yml").error("theme '\(name)' not found: no \(folder)/templates/", hint: "set 'theme:' in site.yml to a folder of themes/"))
        }
        let templateRoot = site.url(folder + "/templates").path
        // The theme folder must stay inside the site folder (a symbolic link could lead out).
        let real = URL(fileURLWithPath: templateRoot).resolvingSymlinksInPath().path
        guard real.hasPrefix(site.realRoot + "/") else {
            return .failure(SourceLocation.file(folder).error("theme folder leads outside the site folder"))
        }
        let templates: TemplateSet
        do {
            templates = try TemplateSet(directory: templateRoot)
        } catch let error as TemplateError {
            return .failure(SourceLocation(path: "\(folder)/templates/\(error.template).mustache", line: error.line, column: error.column).error(error.message))
        } catch {
            return .failure(SourceLocation.file(folder).error("cannot read templates: \(error)"))
        }
        let names = Set(templates.names)
        for required in requiredTemplates where !names.contains(required) {
            return .failure(SourceLocation.file("\(folder)/templates").error("theme has no template '\(required)'", hint: "add \(folder)/templates/\(required).mustache"))
        }
        var assets: [(String, [UInt8])] = []
        var assetPaths: [String: String] = [:]
        let assetRoot = folder + "/assets"
        if let names = try? FileManager.default.contentsOfDirectory(atPath: site.url(assetRoot).path) {
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = assetRoot + "/" + name
                let realAsset = site.url(path).resolvingSymlinksInPath().path
                guard realAsset.hasPrefix(site.realRoot + "/"), let data = FileManager.default.contents(atPath: realAsset) else {
                    return .failure(SourceLocation.file(path).error("cannot read asset (or it leads outside the site folder)"))
                }
                let bytes = [UInt8](data)
                let dot = name.lastIndex(of: ".") ?? name.endIndex
                let fingerprinted = "assets/\(name[..<dot]).\(Fingerprint.hex(bytes))\(name[dot...])"
                assets.append((fingerprinted, bytes))
                assetPaths[name] = fingerprinted
            }
        }
        return .success(Theme(templates: templates, assets: assets, assetPaths: assetPaths))
    }
}

/// `FNV1a` of bytes, and as hex for file names: stable across runs and machines.
public enum Fingerprint {
    public static func value(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer(FNV1a.hash)
    }

    public static func hex(_ bytes: [UInt8], length: Int = 10) -> String {
        let s = String(value(bytes), radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - s.count)) + s).prefix(length))
    }
}
