/// Executes `Program` instructions against a context stack, appending UTF-8 to `out`.
struct Renderer {
    var out: [UInt8] = []
    var stack: ContiguousArray<TemplateValue> = []
    /// Indentation of the standalone partials being rendered; empty when none.
    var indent: [UInt8] = []
    var depth = 0
    let program: Program
    let maxDepth: Int

    init(program: Program, maxDepth: Int) {
        self.program = program
        self.maxDepth = maxDepth
        stack.reserveCapacity(16)
    }

    mutating func run(_ start: Int, _ end: Int) throws {
        var pc = start
        while pc < end {
            switch program.ops[pc] {
            case .text(let s, let c):
                writeText(Int(s), Int(c))
                pc += 1

            case .escaped(let p):
                writeValue(resolve(Int(p)), escape: true)
                pc += 1

            case .raw(let p):
                writeValue(resolve(Int(p)), escape: false)
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
                case .int, .double, .map:
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

    private mutating func runPartial(_ start: Int, _ end: Int, site: Int) throws {
        guard start < end else { return }
        depth += 1
        if depth > maxDepth {
            let s = program.sites[site]
            throw TemplateError(template: s.template, line: s.line, column: s.column,
                                message: "partial '\(s.name)' nested more than \(maxDepth) deep (a partial that includes itself without end?)")
        }
        let extra = program.sites[site].indent
        if extra.isEmpty {
            try run(start, end)
        } else {
            let saved = indent
            indent = saved + extra
            try run(start, end)
            indent = saved
        }
        depth -= 1
    }

    /// The value `program.paths[index]` names in the current context stack (`.null` if none).
    @inline(__always)
    private func resolve(_ index: Int) -> TemplateValue {
        let path = program.paths[index]
        var value: TemplateValue
        switch path.kind {
        case .implicit:
            return stack[stack.count - 1]
        case .stack:
            var i = stack.count - 1
            while true {
                if i < 0 { return .null }
                if case .map(let m) = stack[i], let v = m[path.first] {
                    value = v
                    break
                }
                i -= 1
            }
        case .top:
            guard case .map(let m) = stack[stack.count - 1], let v = m[path.first] else { return .null }
            value = v
        }
        for key in path.rest {
            guard case .map(let m) = value, let v = m[key] else { return .null }
            value = v
        }
        return value
    }

    /// Before writing non-empty output: a line that starts inside an indented partial gets the
    /// indentation first (as swift-mustache does: whenever the output so far ends with a newline).
    @inline(__always)
    private mutating func beginWrite() {
        if !indent.isEmpty, out.last == 10 { out.append(contentsOf: indent) }
    }

    private mutating func writeText(_ start: Int, _ count: Int) {
        if indent.isEmpty {
            out.append(contentsOf: program.bytes[start..<(start + count)])
            return
        }
        let end = start + count
        var i = start
        while i < end {
            if out.last == 10 { out.append(contentsOf: indent) }
            var j = i
            while j < end && program.bytes[j] != 10 { j += 1 }
            if j < end { j += 1 }
            out.append(contentsOf: program.bytes[i..<j])
            i = j
        }
    }

    private mutating func writeValue(_ value: TemplateValue, escape: Bool) {
        switch value {
        case .null, .list, .map:
            return
        case .string(let s):
            if s.isEmpty { return }
            beginWrite()
            if escape {
                HTMLEscape.append(s, to: &out)
            } else {
                out.append(contentsOf: s.utf8)
            }
        case .int(let i):
            beginWrite()
            out.append(contentsOf: String(i).utf8)
        case .double(let d):
            beginWrite()
            out.append(contentsOf: d.description.utf8)
        case .bool(let b):
            beginWrite()
            out.append(contentsOf: (b ? "true" : "false").utf8)
        }
    }
}
