/// Executes `Program` instructions against a context stack, appending UTF-8 to `out`.
///
/// Only `TemplateSet` creates one, inside `withUnsafeBufferPointer` scopes of the program's
/// instruction, name and text arrays, and deallocates `out` when done.
struct Renderer {
    var out: OutputBuffer
    var stack: ContiguousArray<TemplateValue> = []
    /// Indentation of the standalone partials being rendered; empty when none.
    var indent: [UInt8] = []
    /// Set on entering an indented partial: its first output starts a line (the whitespace before
    /// the standalone tag was not output; it is written only if the partial writes something).
    var partialStart = false
    var depth = 0
    /// The lowest context-stack position a name was read from (-1: a name was not found) since
    /// the innermost partial whose output may be kept began; the output is kept only if this
    /// stayed at or above the position of its object.
    var lowestRead = Int.max
    /// The deepest partial nesting reached since that partial began.
    var deepest = 0
    /// A template rendered in place of some raw tags of the outer template (`TemplateSet.render(_:_:into:embedding:as:context:)`).
    var embedding: Embedding?
    let ops: UnsafeBufferPointer<Op>
    let paths: UnsafeBufferPointer<NamePath>
    let text: UnsafePointer<UInt8>
    let program: Program
    let maxDepth: Int

    init(program: Program, ops: UnsafeBufferPointer<Op>, paths: UnsafeBufferPointer<NamePath>, text: UnsafePointer<UInt8>,
         maxDepth: Int, capacity: Int) {
        self.program = program
        self.ops = ops
        self.paths = paths
        self.text = text
        self.maxDepth = maxDepth
        out = OutputBuffer(capacity: capacity)
        stack.reserveCapacity(16)
    }

    mutating func run(_ start: Int, _ end: Int) throws {
        var pc = start
        while pc < end {
            switch ops[pc] {
            case .text(let s, let c):
                writeText(Int(s), Int(c))
                pc += 1

            case .escaped(let p):
                writeValue(resolve(Int(p)), escape: true)
                pc += 1

            case .raw(let p):
                if let embedding, embedding.sites.contains(pc) {
                    try runEmbedded(embedding)
                } else {
                    writeValue(resolve(Int(p)), escape: false)
                }
                pc += 1

            case .section(let p, let e):
                let value = resolve(Int(p))
                let bodyEnd = Int(e)
                switch value {
                case .null:
                    break
                case .bool(let b):
                    if b { try run(pc + 1, bodyEnd) }
                case .list(let items):
                    for item in items {
                        stack.append(item)
                        try run(pc + 1, bodyEnd)
                        stack.removeLast()
                    }
                case .string(let s):
                    if !s.isEmpty {
                        stack.append(value)
                        try run(pc + 1, bodyEnd)
                        stack.removeLast()
                    }
                case .int, .double, .map, .object:
                    stack.append(value)
                    try run(pc + 1, bodyEnd)
                    stack.removeLast()
                }
                pc = bodyEnd

            case .inverted(let p, let e):
                if resolve(Int(p)).isFalsey { try run(pc + 1, Int(e)) }
                pc = Int(e)

            case .partial(let s, let e, let site):
                try runPartial(Int(s), Int(e), site: Int(site))
                pc += 1

            case .dynamicPartial(let p, let site):
                if case .string(let name) = resolve(Int(p)), let t = program.templateIndex[name] {
                    let template = program.templates[t]
                    try runPartial(template.start, template.end, site: Int(site))
                }
                pc += 1
            }
        }
    }

    /// The embedded template, on a context stack of its own (as a separate render would be);
    /// its own tags of the same name are not embedded again.
    private mutating func runEmbedded(_ embedding: Embedding) throws {
        let savedStack = stack
        stack = [embedding.context]
        self.embedding = nil
        try run(embedding.template.start, embedding.template.end)
        self.embedding = embedding
        stack = savedStack
    }

    private mutating func runPartial(_ start: Int, _ end: Int, site: Int) throws {
        guard start < end else { return }
        depth += 1
        if depth > maxDepth {
            let s = program.sites[site]
            throw TemplateError(template: s.template, line: s.line, column: s.column,
                                message: "partial '\(s.name)' nested more than \(maxDepth) deep (a partial that includes itself without end?)")
        }
        if depth > deepest { deepest = depth }
        let extra = program.sites[site].indent
        if extra.isEmpty && indent.isEmpty, case .object(let object) = stack[stack.count - 1] {
            try runKeeping(object, start, end)
        } else if extra.isEmpty {
            try run(start, end)
        } else {
            let saved = indent
            let savedStart = partialStart
            let written = out.count
            indent = saved + extra
            partialStart = true
            try run(start, end)
            // Still at the start of the enclosing partial's line if this one wrote nothing.
            partialStart = savedStart && out.count == written
            indent = saved
        }
        depth -= 1
    }

    /// A partial with an object on top: its kept output copied, or rendered and kept if it read
    /// nothing below the object. Not indented, so the output does not depend on the line it
    /// starts on.
    private mutating func runKeeping(_ object: TemplateObject, _ start: Int, _ end: Int) throws {
        switch object.replay(program: program.number, start: start, depthAllowed: maxDepth - depth, into: &out) {
        case .copied(let below):
            // An enclosing partial being kept went as deep as this copy's render did.
            deepest = max(deepest, depth + below)
            return
        // A kept output that would now pass the nesting limit is rendered, to throw.
        case .renderEachTime, .tooDeep: return try run(start, end)
        case nil: break
        }
        let base = stack.count - 1
        let (outerLowest, outerDeepest) = (lowestRead, deepest)
        lowestRead = Int.max
        deepest = depth
        let mark = out.count
        try run(start, end)
        let bytes = lowestRead >= base ? Array(UnsafeBufferPointer(start: out.base + mark, count: out.count - mark)) : nil
        object.remember(.init(program: program.number, start: start, bytes: bytes, depth: deepest - depth))
        lowestRead = min(outerLowest, lowestRead)
        deepest = max(outerDeepest, deepest)
    }

    /// The value `program.paths[index]` names in the current context stack (`.null` if none).
    @inline(__always)
    private mutating func resolve(_ index: Int) -> TemplateValue {
        let path = paths[index]
        var value: TemplateValue
        switch path.kind {
        case .implicit:
            return stack[stack.count - 1]
        case .stack:
            var i = stack.count - 1
            while true {
                if i < 0 {
                    lowestRead = -1
                    return .null
                }
                if let v = Self.member(stack[i], path.first, path.firstHash) {
                    value = v
                    break
                }
                i -= 1
            }
            if i < lowestRead { lowestRead = i }
        case .top:
            guard let v = Self.member(stack[stack.count - 1], path.first, path.firstHash) else { return .null }
            value = v
        }
        for (key, hash) in zip(path.rest, path.restHashes) {
            guard let v = Self.member(value, key, hash) else { return .null }
            value = v
        }
        return value
    }

    @inline(__always)
    private static func member(_ value: TemplateValue, _ key: String, _ hash: UInt64) -> TemplateValue? {
        switch value {
        case .map(let m): return m.value(of: key, hash: hash)
        case .object(let o): return o.fields.value(of: key, hash: hash)
        default: return nil
        }
    }

    /// Before writing non-empty output: a line that starts inside an indented partial gets the
    /// indentation first. A line starts at the partial's first output and wherever the output so
    /// far ends with a newline (as in swift-mustache, so a multi-line value is not re-indented
    /// but the template text after it is).
    @inline(__always)
    private mutating func beginWrite() {
        if !indent.isEmpty { writeIndentIfAtLineStart() }
    }

    private mutating func writeIndentIfAtLineStart() {
        if partialStart || out.last == 10 {
            out.append(indent)
            partialStart = false
        }
    }

    @inline(__always)
    private mutating func writeText(_ start: Int, _ count: Int) {
        if indent.isEmpty {
            out.append(text + start, count: count)
        } else {
            writeIndentedText(start, count)
        }
    }

    private mutating func writeIndentedText(_ start: Int, _ count: Int) {
        let end = start + count
        var i = start
        while i < end {
            writeIndentIfAtLineStart()
            var j = i
            while j < end && text[j] != 10 { j += 1 }
            if j < end { j += 1 }
            out.append(text + i, count: j - i)
            i = j
        }
    }

    private mutating func writeValue(_ value: TemplateValue, escape: Bool) {
        switch value {
        case .null, .list, .map, .object:
            return
        case .string(let s):
            if s.isEmpty { return }
            beginWrite()
            if escape {
                out.appendEscaped(s)
            } else {
                out.append(s)
            }
        case .int(let i):
            beginWrite()
            out.append(i)
        case .double(let d):
            beginWrite()
            out.append(d.description)
        case .bool(let b):
            beginWrite()
            out.append(b ? "true" : "false")
        }
    }
}

/// What `Renderer` renders in place of the raw tags at the instructions `sites`.
struct Embedding {
    let sites: Set<Int>
    let template: CompiledTemplate
    let context: TemplateValue
}
