import Foundation

/// A theme's Mustache templates, compiled once into one instruction program.
///
/// Supports the specification's required modules (interpolation with dotted names, the implicit
/// iterator `.` and context-stack lookup; sections; inverted sections; comments; partials with
/// standalone indentation and recursion; set delimiters) and the optional dynamic partial names
/// (`{{>*name}}`). Lambdas and template inheritance (`{{<parent}}`, `{{$block}}`) are not supported;
/// an inheritance tag is a compile error. See `TemplateValue` for truthiness and how values print.
///
/// Differences from the specification: a partial naming no template is a compile error (the
/// specification renders it as nothing; pass `allowMissingPartials: true` for that). Rendering
/// stops with an error when partials nest deeper than `maxPartialDepth`. The empty string is
/// falsey (the specification leaves falsiness to the language; swift-mustache treats "" as truthy).
///
/// Output is byte-identical to swift-mustache 2.1.1 except where that departs from the
/// specification (see Tests/TsunagariTemplatesTests/MustacheOracle.swift for the list).
///
/// Rendering runs the compiled instructions: names are split at compile time, text and values
/// are copied and HTML-escaped as UTF-8 bytes into one buffer sized from the template's previous
/// render. `render(_:_:into:)` saves the UTF-8 validation that making a `String` costs.
/// A TemplateSet is immutable apart from `maxPartialDepth` and may render on many threads at once.
public struct TemplateSet: Sendable {
    let program: Program
    /// Output size of each template's last render, to size the next one's buffer.
    let sizeHint: SizeHints

    /// Of every template's name and text: a page made by the same templates from the same
    /// values is the same (the build's page cache keys pages by it).
    public let sourceFingerprint: Fingerprint128

    /// How deep partials may nest before `render` throws, so that a partial that includes itself
    /// unconditionally fails instead of looping forever.
    public var maxPartialDepth: Int = 100

    /// Compiles every template; names are paths without extension relative to the theme folder,
    /// e.g. "page", "partials/header". A partial tag `{{> partials/header}}` names one.
    /// Throws `TemplateError` on a syntax error (unclosed section or tag, mismatched close tag,
    /// bad delimiter tag, inheritance tag) and on a partial that names no template.
    public init(templates: [String: String]) throws {
        try self.init(templates: templates, allowMissingPartials: false)
    }

    /// As `init(templates:)`; with `allowMissingPartials` a partial naming no template renders as
    /// nothing, as the specification says, instead of being an error.
    public init(templates: [String: String], allowMissingPartials: Bool) throws {
        var compiler = Compiler()
        var hasher = StableHasher()
        for name in templates.keys.sorted() {
            try compiler.compile(name: name, source: templates[name]!)
            hasher.combine(name)
            hasher.combine(templates[name]!)
        }
        sourceFingerprint = hasher.finalize()
        try compiler.resolvePartials(allowMissing: allowMissingPartials)
        var program = compiler.program
        program.number = ProgramNumbers.next()
        self.program = program
        sizeHint = SizeHints(count: program.templates.count)
    }

    /// Reads every `*.mustache` (or `*.<fileExtension>`) file below `directory`, recursively;
    /// each is named by its path relative to `directory` without the extension, with `/` between
    /// folders ("partials/header").
    public init(directory: String, fileExtension: String = "mustache") throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw TemplateError(template: directory, line: 0, column: 0, message: "no such directory")
        }
        let suffix = "." + fileExtension
        var templates: [String: String] = [:]
        guard let enumerator = fm.enumerator(atPath: root.path) else {
            throw TemplateError(template: directory, line: 0, column: 0, message: "cannot list directory")
        }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(suffix), relative.count > suffix.count else { continue }
            let path = root.appendingPathComponent(relative).path
            var fileIsDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &fileIsDir), !fileIsDir.boolValue else { continue }
            guard let data = fm.contents(atPath: path) else {
                throw TemplateError(template: relative, line: 0, column: 0, message: "cannot read \(path)")
            }
            var name = String(relative.dropLast(suffix.count))
            #if os(Windows)
            name = name.replacingOccurrences(of: "\\", with: "/")
            #endif
            if name.hasPrefix("./") { name.removeFirst(2) }
            templates[name] = String(decoding: data, as: UTF8.self)
        }
        try self.init(templates: templates)
    }

    /// The template names, sorted.
    public var names: [String] { program.templates.map(\.name) }

    /// Whether `name` is a template of this set.
    public func contains(_ name: String) -> Bool { program.templateIndex[name] != nil }

    /// Renders template `name` with `context` as the root of the context stack.
    /// Throws `TemplateError` if `name` is unknown (or partials nest too deep).
    public func render(_ name: String, _ context: TemplateValue) throws -> String {
        try run(try lookup(name), context) { String(decoding: $0, as: UTF8.self) }
    }

    /// Renders template `name`, appending its UTF-8 to `buffer` (one copy at the end).
    public func render(_ name: String, _ context: TemplateValue, into buffer: inout [UInt8]) throws {
        try render(try lookup(name), context, embedding: nil, into: &buffer)
    }

    /// Renders template `name` into `buffer` with `template` rendered (with `embeddedContext` as
    /// its root) in place of each `{{{tag}}}` written in `name` itself — the output equals
    /// rendering `template` to a string first and passing it as `tag` in `context`, without
    /// the copy and the UTF-8 validation that the string costs. A layout around each page.
    public func render(_ name: String, _ context: TemplateValue, into buffer: inout [UInt8],
                       embedding template: String, as tag: String, context embeddedContext: TemplateValue) throws {
        let outer = try lookup(name)
        let inner = try lookup(template)
        // The tags by their instruction's position: names are shared by all templates.
        let sites = (outer.start..<outer.end).filter { pc in
            guard case .raw(let p) = program.ops[pc] else { return false }
            let path = program.paths[Int(p)]
            return path.kind == .stack && path.first == tag && path.rest.isEmpty
        }
        let embedding = Embedding(sites: sites, template: inner, context: embeddedContext)
        try render(outer, context, embedding: embedding, into: &buffer)
    }

    /// Into an empty `buffer`, the render writes straight into the storage of a new array of the
    /// size `run` would reserve, which becomes `buffer` (copying each page from the render's
    /// memory into the caller's array was 8 % of the templates' instructions); copied only if
    /// the output outgrew it.
    private func render(_ template: CompiledTemplate, _ context: TemplateValue, embedding: Embedding?,
                        into buffer: inout [UInt8]) throws {
        guard buffer.isEmpty else {
            return try run(template, context, embedding: embedding) { buffer.append(contentsOf: $0) }
        }
        var outgrown: [UInt8]?
        let made = try [UInt8](unsafeUninitializedCapacity: capacity(for: template)) { storage, count in
            try run(template, context, embedding: embedding, storage: storage) { bytes in
                if bytes.baseAddress == UnsafePointer(storage.baseAddress) {
                    count = bytes.count
                } else {
                    outgrown = Array(bytes)
                }
            }
        }
        buffer = outgrown ?? made
    }

    /// Every name template `name` reads (each part of a dotted name), its partials' included;
    /// nil when it or a partial it includes has a dynamic partial (it may read any name), or
    /// when there is no such template.
    public func namesRead(by name: String) -> Set<String>? {
        guard let index = program.templateIndex[name] else { return nil }
        let template = program.templates[index]
        var names = Set<String>()
        var visited = Set<Int>()
        let complete = visitNames(template.start, template.end, visited: &visited) { path in
            if path.kind != .implicit { names.insert(path.first) }
            names.formUnion(path.rest)
        }
        return complete ? names : nil
    }

    /// Calls `visit` with the name of every tag from instruction `start` to `end` and in the
    /// partials included there (each partial once: `visited` holds their starts); false when a
    /// dynamic partial is met (any template may run there).
    private func visitNames(_ start: Int, _ end: Int, visited: inout Set<Int>, _ visit: (NamePath) -> Void) -> Bool {
        guard visited.insert(start).inserted else { return true }
        for pc in start..<end {
            switch program.ops[pc] {
            case .text: continue
            case .escaped(let p), .raw(let p), .section(let p, _), .inverted(let p, _): visit(program.paths[Int(p)])
            case .partial(let s, let e, _): if !visitNames(Int(s), Int(e), visited: &visited, visit) { return false }
            case .dynamicPartial: return false
            }
        }
        return true
    }

    /// Whether embedding `tag` in template `name` gives the bytes of rendering the embedded
    /// template to a string passed as `tag`: true when `name` has raw `{{{tag}}}` tags of its
    /// own outside sections and names `tag` nowhere else, nor in a partial it includes (false
    /// when it has no such tag: the embedded template would then not run at all).
    public func embeds(_ tag: String, in name: String) -> Bool {
        guard let index = program.templateIndex[name] else { return false }
        let template = program.templates[index]
        func names(_ p: Int32) -> Bool { program.paths[Int(p)].kind != .implicit && program.paths[Int(p)].first == tag }
        var visited = Set<Int>()
        /// Whether a partial (or one it includes) names `tag`; a dynamic partial may: assume so.
        func mentions(_ start: Int, _ end: Int) -> Bool {
            var mentioned = false
            let complete = visitNames(start, end, visited: &visited) { path in
                if path.kind != .implicit && path.first == tag { mentioned = true }
            }
            return mentioned || !complete
        }
        var found = 0
        var sectionEnds: [Int] = []
        for pc in template.start..<template.end {
            while sectionEnds.last == pc { sectionEnds.removeLast() }
            switch program.ops[pc] {
            case .text: continue
            case .raw(let p):
                guard names(p) else { continue }
                let path = program.paths[Int(p)]
                guard sectionEnds.isEmpty, path.kind == .stack, path.rest.isEmpty else { return false }
                found += 1
            case .escaped(let p): if names(p) { return false }
            case .section(let p, let e), .inverted(let p, let e):
                if names(p) { return false }
                sectionEnds.append(Int(e))
            case .partial(let s, let e, _): if mentions(Int(s), Int(e)) { return false }
            case .dynamicPartial: return false
            }
        }
        return found > 0
    }

    private func lookup(_ name: String) throws -> CompiledTemplate {
        guard let index = program.templateIndex[name] else {
            throw TemplateError(template: name, line: 0, column: 0, message: "unknown template '\(name)'")
        }
        return program.templates[index]
    }

    /// The output buffer's first size: the template's last output size, with some room.
    private func capacity(for template: CompiledTemplate) -> Int {
        sizeHint.value(template.index, default: max(4096, template.textBytes * 2))
    }

    /// Renders `template` into a private buffer (starting in `storage` if given) and hands its
    /// bytes to `body`.
    private func run<R>(_ template: CompiledTemplate, _ context: TemplateValue, embedding: Embedding? = nil,
                        storage: UnsafeMutableBufferPointer<UInt8>? = nil,
                        _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        let out = storage.map(OutputBuffer.init(borrowing:)) ?? OutputBuffer(capacity: capacity(for: template))
        return try program.ops.withUnsafeBufferPointer { ops in
            try program.paths.withUnsafeBufferPointer { paths in
                try program.bytes.withUnsafeBufferPointer { text in
                    var renderer = Renderer(program: program, ops: ops, paths: paths, text: text.baseAddress ?? UnsafePointer(bitPattern: 1)!,
                                            maxDepth: maxPartialDepth, out: out)
                    defer {
                        renderer.out.deallocate()
                        renderer.stack.deallocate()
                    }
                    renderer.embedding = embedding
                    try withUnsafePointer(to: context) { context in
                        renderer.stack.append(context)
                        try renderer.run(template.start, template.end)
                    }
                    sizeHint.record(template.index, renderer.out.count)
                    return try body(renderer.out.bytes)
                }
            }
        }
    }
}

/// Last output size per template, shared by the copies of a TemplateSet (renders may run on many
/// threads at once; each reads and writes one word under a lock).
final class SizeHints: @unchecked Sendable {
    private let lock = NSLock()
    /// Under `lock` only: no dynamic exclusivity check (as `TemplateObject.renders`).
    @exclusivity(unchecked) private var sizes: [Int]

    init(count: Int) { sizes = Array(repeating: 0, count: count) }

    func value(_ index: Int, default fallback: Int) -> Int {
        lock.lock()
        let size = sizes[index]
        lock.unlock()
        return size > 0 ? size + size / 8 + 256 : fallback
    }

    func record(_ index: Int, _ size: Int) {
        lock.lock()
        sizes[index] = size
        lock.unlock()
    }
}
