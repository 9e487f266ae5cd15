/// Executes `Program` instructions against a context stack, appending UTF-8 to `out`.
///
/// Only `TemplateSet` creates one, inside `withUnsafeBufferPointer` scopes of the program's
/// instruction, name and text arrays, and deallocates `out` when done.
///
/// The context stack holds `ValueRef`s, pointers to the values in the view model rather than
/// copies of them, and a name resolves to such a pointer: pushing, popping and reading a value
/// copied it, a retain and a release of its payload each time (~1 M lookups and ~0.8 M pushes in
/// a 10,000-window build, where retain and release were the largest costs of the whole program).
/// The view model is immutable while it renders and outlives the render, so the pointers stay valid.
struct Renderer {
    var out: OutputBuffer
    var stack = ContextStack()
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
    var embedding: Embedding? {
        didSet { embeddedSites = embedding?.sites ?? [] }
    }
    /// `embedding`'s sites, empty while it renders: each raw tag tests these few numbers, where
    /// `if let embedding` copied the embedding (its context, its template's name) and hashed
    /// the tag's position into a set (~2 % of the templates' instructions).
    private var embeddedSites: [Int] = []
    let ops: UnsafeBufferPointer<Op>
    let paths: UnsafeBufferPointer<NamePath>
    let text: UnsafePointer<UInt8>
    let program: Program
    let maxDepth: Int

    init(program: Program, ops: UnsafeBufferPointer<Op>, paths: UnsafeBufferPointer<NamePath>, text: UnsafePointer<UInt8>,
         maxDepth: Int, out: OutputBuffer) {
        self.program = program
        self.ops = ops
        self.paths = paths
        self.text = text
        self.maxDepth = maxDepth
        self.out = out
    }

    mutating func run(_ start: Int, _ end: Int) throws {
        var pc = start
        while pc < end {
            switch ops[pc] {
            case .text(let s, let c):
                writeText(Int(s), Int(c))
                pc += 1

            case .escaped(let p):
                if let value = resolve(Int(p)) { writeValue(value, escape: true) }
                pc += 1

            case .raw(let p):
                if !embeddedSites.isEmpty && embeddedSites.contains(pc), let embedding {
                    try runEmbedded(embedding)
                } else if let value = resolve(Int(p)) {
                    writeValue(value, escape: false)
                }
                pc += 1

            case .section(let p, let e):
                let bodyEnd = Int(e)
                guard let value = resolve(Int(p)) else {
                    pc = bodyEnd
                    continue
                }
                switch value.pointee {
                case .null:
                    break
                case .bool(let b):
                    if b { try run(pc + 1, bodyEnd) }
                case .list(let items):
                    try items.withUnsafeBufferPointer { items in
                        guard let first = items.baseAddress else { return }
                        for i in 0..<items.count {
                            stack.append(first + i)
                            try run(pc + 1, bodyEnd)
                            stack.removeLast()
                        }
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
                if resolve(Int(p))?.pointee.isFalsey ?? true { try run(pc + 1, Int(e)) }
                pc = Int(e)

            case .partial(let s, let e, let site):
                try runPartial(Int(s), Int(e), site: Int(site))
                pc += 1

            case .dynamicPartial(let p, let site):
                if case .string(let name)? = resolve(Int(p))?.pointee, let t = program.templateIndex[name] {
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
        stack = ContextStack(capacity: 4)
        self.embedding = nil
        defer {
            stack.deallocate()
            stack = savedStack
            self.embedding = embedding
        }
        try withUnsafePointer(to: embedding.context) { context in
            stack.append(context)
            try run(embedding.template.start, embedding.template.end)
        }
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
        if extra.isEmpty && indent.isEmpty, case .object(let object) = stack[stack.count - 1].pointee {
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

    /// The value `program.paths[index]` names in the current context stack (nil if none).
    @inline(__always)
    private mutating func resolve(_ index: Int) -> ValueRef? {
        // Read through the pointer: a copy of the path retained and released its arrays.
        let path = paths.baseAddress! + index
        var value: ValueRef
        switch path.pointee.kind {
        case .implicit:
            return stack[stack.count - 1]
        case .stack:
            var i = stack.count - 1
            while true {
                if i < 0 {
                    lowestRead = -1
                    return nil
                }
                if let v = Self.member(stack[i], path.pointee.first, path.pointee.firstHash) {
                    value = v
                    break
                }
                i -= 1
            }
            if i < lowestRead { lowestRead = i }
        case .top:
            guard let v = Self.member(stack[stack.count - 1], path.pointee.first, path.pointee.firstHash) else { return nil }
            value = v
        }
        if path.pointee.rest.isEmpty { return value }
        for k in path.pointee.rest.indices {
            guard let v = Self.member(value, path.pointee.rest[k], path.pointee.restHashes[k]) else { return nil }
            value = v
        }
        return value
    }

    @inline(__always)
    private static func member(_ value: ValueRef, _ key: String, _ hash: UInt64) -> ValueRef? {
        switch value.pointee {
        case .map(let m): return m.valuePointer(of: key, hash: hash)
        case .object(let o): return o.fields.valuePointer(of: key, hash: hash)
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

    private mutating func writeValue(_ value: ValueRef, escape: Bool) {
        if case .string = value.pointee, writeString(value, escape: escape) { return }
        switch value.pointee {
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

extension Renderer {
    /// Writes the string `value` points to, its UTF-8 found before anything is written: the
    /// string is then not copied out of the view model (a retain and a release per string
    /// written, ~4 % of the templates' instructions). A long string's bytes are read where its
    /// storage is, which the view model keeps; a short one's (which may be inline in the value)
    /// are copied here first. False, writing nothing, for a string without contiguous UTF-8.
    @inline(__always)
    fileprivate mutating func writeString(_ value: ValueRef, escape: Bool) -> Bool {
        var short: (UInt64, UInt64) = (0, 0)
        var count = -1
        var long: UnsafePointer<UInt8>?
        if case .string(let s) = value.pointee {
            _ = s.utf8.withContiguousStorageIfAvailable { bytes in
                count = bytes.count
                if count <= MemoryLayout.size(ofValue: short) {
                    withUnsafeMutableBytes(of: &short) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
                } else {
                    long = bytes.baseAddress
                }
            }
        }
        if count < 0 { return false }
        if count == 0 { return true }
        beginWrite()
        if let long {
            writeBytes(UnsafeBufferPointer(start: long, count: count), escape: escape)
        } else {
            withUnsafeBytes(of: &short) { short in
                writeBytes(UnsafeBufferPointer(start: short.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count), escape: escape)
            }
        }
        return true
    }

    @inline(__always)
    private mutating func writeBytes(_ bytes: UnsafeBufferPointer<UInt8>, escape: Bool) {
        if escape {
            out.appendEscaped(bytes)
        } else {
            out.append(bytes)
        }
    }
}

/// A value of the view model being rendered, borrowed (see `Renderer`).
typealias ValueRef = UnsafePointer<TemplateValue>

/// What `Renderer` renders in place of the raw tags at the instructions `sites`.
struct Embedding {
    let sites: [Int]
    let template: CompiledTemplate
    let context: TemplateValue
}
