/// The compiled form of a whole `TemplateSet`: one flat instruction array shared by every
/// template, one byte array holding all literal text, and the names used by tags, split once.

/// A name as written in a tag (`.`, `title`, `page.author.name`, `.title`), split at compile time.
struct NamePath: Sendable {
    enum Kind: Sendable {
        /// `{{.}}`: the top of the context stack.
        case implicit
        /// `a.b.c`: `a` is looked up through the context stack (innermost first), then `b`, `c`
        /// strictly inside what was found.
        case stack
        /// `.a.b` (a swift-mustache extension): `a` is looked up in the top context only.
        case top
    }
    var kind: Kind
    var first: String
    var rest: [String]
    /// `TemplateMap.hash` of `first` and of each of `rest`, made once here.
    var firstHash: UInt64 = 0
    var restHashes: [UInt64] = []

    init(_ name: String) {
        if name.allSatisfy({ $0 == "." }) {
            kind = .implicit
            first = ""
            rest = []
            return
        }
        kind = name.hasPrefix(".") ? .top : .stack
        let parts = name.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
        first = parts[0]
        rest = Array(parts.dropFirst())
        firstHash = TemplateMap.hash(first)
        restHashes = rest.map(TemplateMap.hash)
    }
}

/// One instruction. Section bodies are the instructions between the section and its `end`.
enum Op: Sendable {
    /// Literal text: `count` bytes of `Program.bytes` from `start`.
    case text(start: Int32, count: Int32)
    /// `{{name}}`: HTML-escaped interpolation of `Program.paths[path]`.
    case escaped(path: Int32)
    /// `{{{name}}}` / `{{& name}}`: raw interpolation.
    case raw(path: Int32)
    /// `{{#name}}`: body is `pc + 1 ..< end`; execution continues at `end`.
    case section(path: Int32, end: Int32)
    /// `{{^name}}`: body is `pc + 1 ..< end`; execution continues at `end`.
    case inverted(path: Int32, end: Int32)
    /// `{{> name}}`: run the named template's instructions `start ..< end`; `site` indexes
    /// `Program.sites` (indentation, position for errors).
    case partial(start: Int32, end: Int32, site: Int32)
    /// `{{>*name}}`: the value of `path` names the template at render time (silent if it names none).
    case dynamicPartial(path: Int32, site: Int32)
}

/// Where a partial tag is, and the indentation a standalone partial tag applies to its lines.
struct PartialSite: Sendable {
    var template: String
    var name: String
    var line: Int
    var column: Int
    /// Whitespace before a standalone partial tag; empty when the tag is not standalone.
    var indent: [UInt8]
}

struct CompiledTemplate: Sendable {
    var name: String
    /// Position in `Program.templates`.
    var index: Int
    var start: Int
    var end: Int
    /// Bytes of literal text, for the initial output reservation.
    var textBytes: Int
}

struct Program: Sendable {
    var ops: [Op] = []
    var bytes: [UInt8] = []
    var paths: [NamePath] = []
    var sites: [PartialSite] = []
    var templates: [CompiledTemplate] = []
    var templateIndex: [String: Int] = [:]
    /// Tells this program's outputs kept in a `TemplateObject` from another's.
    var number = 0
}
