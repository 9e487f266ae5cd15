/// Parses Mustache source (as UTF-8 bytes) straight into `Program` instructions.
///
/// Standalone lines follow the specification: a section, inverted section, closing, comment,
/// partial or set-delimiter tag that is the only thing on its line apart from spaces and tabs
/// removes that whole line (its leading whitespace and its `\n` / `\r\n`); the leading whitespace
/// of a standalone partial tag becomes that partial's indentation.
struct Compiler {
    var program = Program()
    /// Partial instructions still naming a template: (instruction index, site index).
    var unresolvedPartials: [(op: Int, site: Int)] = []
    var pathIndex: [String: Int32] = [:]
    /// Whether the last instruction is text that following text may extend (false after a
    /// section closes, so a body's text never runs on past its end).
    private var canExtendText = false

    private struct OpenSection {
        var name: String
        var op: Int
        var offset: Int
    }

    private static let space: UInt8 = 32, tab: UInt8 = 9, newline: UInt8 = 10, carriageReturn: UInt8 = 13

    /// Compiles one template and records it in `program.templates`.
    mutating func compile(name: String, source: String) throws {
        let src = Array(source.utf8)
        let n = src.count
        let start = program.ops.count
        canExtendText = false
        var textBytes = 0
        var otag: [UInt8] = [123, 123]  // {{
        var ctag: [UInt8] = [125, 125]  // }}
        var pos = 0
        var textStart = 0
        var open: [OpenSection] = []

        func error(_ offset: Int, _ message: String) -> TemplateError {
            let (line, column) = lineAndColumn(of: offset, in: src)
            return TemplateError(template: name, line: line, column: column, message: message)
        }

        while true {
            guard let tagStart = Self.find(otag, in: src, from: pos) else {
                textBytes += emitText(src, textStart, n)
                break
            }
            var p = tagStart + otag.count
            let type: UInt8 = p < n ? src[p] : 0
            var closing = ctag
            switch type {
            case 123:  // {  triple mustache: closes with } + the end delimiter
                p += 1
                closing = [125] + ctag
            case 61:  // =  set delimiters: closes with = + the end delimiter
                p += 1
                closing = [61] + ctag
            case 33, 35, 94, 47, 62, 38, 60, 36:  // ! # ^ / > & < $
                p += 1
            default:
                break
            }
            guard let contentEnd = Self.find(closing, in: src, from: p) else {
                if type == 61 {
                    throw error(tagStart, "invalid set-delimiter tag: no '=\(String(decoding: ctag, as: UTF8.self))' closes it")
                }
                throw error(tagStart, "unclosed tag: no '\(String(decoding: closing, as: UTF8.self))' after '\(String(decoding: otag, as: UTF8.self))'")
            }
            let content = Array(src[p..<contentEnd])
            let tagEnd = contentEnd + closing.count

            // Standalone line?
            var textEnd = tagStart
            var indent: [UInt8] = []
            var standalone = false
            switch type {
            case 35, 94, 47, 33, 62, 61, 60, 36:
                var k = tagStart
                while k > textStart && (src[k - 1] == Self.space || src[k - 1] == Self.tab) { k -= 1 }
                let leftOK = k == 0 || src[k - 1] == Self.newline
                var m = tagEnd
                while m < n && (src[m] == Self.space || src[m] == Self.tab) { m += 1 }
                var after = -1
                if m == n {
                    after = n
                } else if src[m] == Self.newline {
                    after = m + 1
                } else if src[m] == Self.carriageReturn && m + 1 < n && src[m + 1] == Self.newline {
                    after = m + 2
                }
                if leftOK && after >= 0 {
                    standalone = true
                    textEnd = k
                    indent = Array(src[k..<tagStart])
                    pos = after
                }
            default:
                break
            }
            if !standalone { pos = tagEnd }
            textBytes += emitText(src, textStart, textEnd)
            textStart = pos
            if type != 33 && type != 61 { canExtendText = false }  // comments and delimiters emit nothing

            switch type {
            case 33:  // ! comment
                break

            case 61:  // = set delimiters
                let parts = Self.trim(content).split(whereSeparator: { Self.isWhitespace($0) })
                guard parts.count == 2, !parts[0].contains(61), !parts[1].contains(61) else {
                    throw error(tagStart, "invalid set-delimiter tag: expected two delimiters without '=' or whitespace, as in {{=<% %>=}}")
                }
                otag = Array(parts[0])
                ctag = Array(parts[1])

            case 35, 94:  // # ^
                let tagName = try self.tagName(content, tagStart, error)
                open.append(OpenSection(name: tagName, op: program.ops.count, offset: tagStart))
                let path = intern(tagName)
                program.ops.append(type == 35 ? .section(path: path, end: -1) : .inverted(path: path, end: -1))

            case 47:  // / close
                let tagName = try self.tagName(content, tagStart, error)
                guard let top = open.popLast() else {
                    throw error(tagStart, "closing tag '\(tagName)' has no open section")
                }
                guard top.name == tagName else {
                    let (l, c) = lineAndColumn(of: top.offset, in: src)
                    throw error(tagStart, "closing tag '\(tagName)' does not match open section '\(top.name)' (opened at line \(l), column \(c))")
                }
                let end = Int32(program.ops.count)
                switch program.ops[top.op] {
                case .section(let path, _): program.ops[top.op] = .section(path: path, end: end)
                case .inverted(let path, _): program.ops[top.op] = .inverted(path: path, end: end)
                default: preconditionFailure("open section is not a section instruction")
                }

            case 62:  // > partial
                var raw = Self.trim(content)
                let dynamic = raw.first == 42  // *
                if dynamic { raw = Self.trim(Array(raw.dropFirst())) }
                guard !raw.isEmpty else { throw error(tagStart, "partial tag without a name") }
                let partialName = String(decoding: raw, as: UTF8.self)
                let (line, column) = lineAndColumn(of: tagStart, in: src)
                let site = Int32(program.sites.count)
                program.sites.append(PartialSite(template: name, name: partialName, line: line, column: column, indent: indent))
                if dynamic {
                    program.ops.append(.dynamicPartial(path: intern(partialName), site: site))
                } else {
                    unresolvedPartials.append((program.ops.count, Int(site)))
                    program.ops.append(.partial(start: 0, end: 0, site: site))
                }

            case 60, 36:  // < $
                throw error(tagStart, "template inheritance ({{<parent}} / {{$block}}) is not supported")

            case 38, 123:  // & {
                program.ops.append(.raw(path: intern(try self.tagName(content, tagStart, error))))

            default:
                program.ops.append(.escaped(path: intern(try self.tagName(content, tagStart, error))))
            }
        }

        if let unclosed = open.last {
            throw error(unclosed.offset, "unclosed section '\(unclosed.name)'")
        }
        program.templateIndex[name] = program.templates.count
        program.templates.append(CompiledTemplate(name: name, index: program.templates.count, start: start, end: program.ops.count, textBytes: textBytes))
    }

    /// Points every `{{> name}}` at its template. A name that is no template is an error, unless
    /// `allowMissing`, when the tag renders nothing (the specification's behaviour).
    mutating func resolvePartials(allowMissing: Bool) throws {
        for (opIndex, siteIndex) in unresolvedPartials {
            let site = program.sites[siteIndex]
            if let t = program.templateIndex[site.name] {
                let template = program.templates[t]
                program.ops[opIndex] = .partial(start: Int32(template.start), end: Int32(template.end), site: Int32(siteIndex))
            } else if allowMissing {
                program.ops[opIndex] = .partial(start: 0, end: 0, site: Int32(siteIndex))
            } else {
                throw TemplateError(template: site.template, line: site.line, column: site.column,
                                    message: "unknown partial '\(site.name)'")
            }
        }
        unresolvedPartials = []
    }

    // MARK: helpers

    private func tagName(_ content: [UInt8], _ offset: Int, _ error: (Int, String) -> TemplateError) throws -> String {
        let trimmed = Self.trim(content)
        guard !trimmed.isEmpty else { throw error(offset, "empty tag") }
        return String(decoding: trimmed, as: UTF8.self)
    }

    private mutating func intern(_ name: String) -> Int32 {
        if let i = pathIndex[name] { return i }
        let i = Int32(program.paths.count)
        program.paths.append(NamePath(name))
        pathIndex[name] = i
        return i
    }

    /// Appends `src[from..<to]` as literal text; returns the byte count.
    private mutating func emitText(_ src: [UInt8], _ from: Int, _ to: Int) -> Int {
        guard to > from else { return 0 }
        return emitBytes(src[from..<to])
    }

    private mutating func emitBytes<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        let count = bytes.count
        guard count > 0 else { return 0 }
        let start = program.bytes.count
        program.bytes.append(contentsOf: bytes)
        // Extend the previous text instruction when it ends where this text starts.
        if canExtendText, let last = program.ops.last, case .text(let s, let c) = last, Int(s) + Int(c) == start {
            program.ops[program.ops.count - 1] = .text(start: s, count: c + Int32(count))
        } else {
            program.ops.append(.text(start: Int32(start), count: Int32(count)))
        }
        canExtendText = true
        return count
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == space || b == tab || b == newline || b == carriageReturn
    }

    private static func trim<C: BidirectionalCollection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isWhitespace($0) }) else { return [] }
        return Array(bytes[first...last])
    }

    /// First index of `needle` in `hay` at or after `from`.
    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        let m = needle.count
        let n = hay.count
        guard m > 0, from + m <= n else { return nil }
        let first = needle[0]
        var i = from
        let last = n - m
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < m && hay[i + j] == needle[j] { j += 1 }
                if j == m { return i }
            }
            i += 1
        }
        return nil
    }
}
