// The only file that sees libyaml. It owns the parser and event structs (heap-allocated so
// their addresses stay fixed: libyaml keeps a pointer from the parser to itself), deletes
// every event it receives, and deletes the parser on every path out.

import CYAML
#if canImport(Glibc)
import Glibc
#endif

/// Entry points. Everything throws `YAMLError` only.
///
/// Behaviour, in short:
/// - Plain untagged scalars resolve with the YAML 1.2 core schema: `~`/`null`/`Null`/`NULL`/empty
///   -> null; `true|True|TRUE|false|False|FALSE` -> bool (`yes`, `no`, `on` stay strings);
///   `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` -> int (`0777` is 777); an integer too large
///   for `Int` becomes the nearest `.float` (it stays a number, as in JSON; `scalarText` keeps
///   the digits); core floats and `.inf`/`.nan` -> float; anything else (dates too) -> string.
///   Quoted and block scalars are strings.
/// - `!!str !!int !!float !!bool !!null !!seq !!map` are honoured, and content that does not
///   fit is an error at the node. `!` makes a string. Other tags are kept in `tag` and the
///   node resolves as if untagged.
/// - An alias gives a copy of the anchored node: its top node gets the alias's mark, the
///   nodes inside keep the anchor's marks. Copies count in full against `maxNodes`, and
///   against `maxDepth` where they land. Anchors are per document; an alias to an unknown or
///   still-open anchor is an error.
/// - Equal keys in one mapping (after resolution, so `a`/`"a"` and `1`/`0x1` collide, but `1`
///   and `"1"` do not) are an error at the second key.
/// - libyaml errors keep libyaml's text, e.g. `did not find expected ',' or ']' (while parsing
///   a flow sequence at line 1, column 4)`. Marks are 1-based, columns in Unicode scalars, and
///   always inside the input (libyaml's end-of-stream mark is moved back to the last line).
/// - U+0085, U+2028 and U+2029 are rejected: libyaml 0.2.5 reads them as line breaks
///   (YAML 1.1), which would silently change the meaning of comments and strings.
/// - Merge keys (`<<`) are not a thing in YAML 1.2: `<<` is an ordinary string key.
public enum YAML {
    /// The version of the libyaml the process runs with (a system library: it can change
    /// between two runs of the same executable).
    public static var libraryVersion: String { String(cString: yaml_get_version_string()) }

    /// Parses one document. Empty input, or input with only comments, gives a `.null` node at
    /// line 1 (+ `lineOffset`), column 1. `lineOffset` is added to every line number, in nodes
    /// and in errors (front matter that starts on line 2 of a file passes 1). A second document
    /// in the stream is an error at its start.
    public static func parse(_ text: String, lineOffset: Int = 0,
                             limits: YAMLLimits = .default) throws -> YAMLNode {
        var text = text
        return try text.withUTF8 { buffer in
            var loader = Loader(bytes: buffer, lineOffset: lineOffset, limits: limits, single: true)
            let docs = try loader.run()
            return docs.first ?? emptyDocument(lineOffset: lineOffset)
        }
    }

    /// Parses every document of a stream (an empty stream gives `[]`).
    public static func parseStream(_ text: String, lineOffset: Int = 0,
                                   limits: YAMLLimits = .default) throws -> [YAMLNode] {
        var text = text
        return try text.withUTF8 { buffer in
            var loader = Loader(bytes: buffer, lineOffset: lineOffset, limits: limits, single: false)
            return try loader.run()
        }
    }

    /// Like `parse(_:)`, from raw bytes. Invalid UTF-8 is an error at the line and column of
    /// the first bad byte (instead of being repaired to U+FFFD as `String(decoding:)` would).
    public static func parse(bytes: [UInt8], lineOffset: Int = 0,
                             limits: YAMLLimits = .default) throws -> YAMLNode {
        try bytes.withUnsafeBufferPointer { buffer in
            try checkUTF8(buffer, lineOffset: lineOffset, limits: limits)
            var loader = Loader(bytes: buffer, lineOffset: lineOffset, limits: limits, single: true)
            let docs = try loader.run()
            return docs.first ?? emptyDocument(lineOffset: lineOffset)
        }
    }

    /// Like `parseStream(_:)`, from raw bytes, reporting invalid UTF-8 with its location.
    public static func parseStream(bytes: [UInt8], lineOffset: Int = 0,
                                   limits: YAMLLimits = .default) throws -> [YAMLNode] {
        try bytes.withUnsafeBufferPointer { buffer in
            try checkUTF8(buffer, lineOffset: lineOffset, limits: limits)
            var loader = Loader(bytes: buffer, lineOffset: lineOffset, limits: limits, single: false)
            return try loader.run()
        }
    }

    private static func emptyDocument(lineOffset: Int) -> YAMLNode {
        YAMLNode(.null, mark: YAMLMark(line: 1 + lineOffset, column: 1), isPlainScalar: true, scalarText: "")
    }

    private static func checkUTF8(_ buffer: UnsafeBufferPointer<UInt8>, lineOffset: Int,
                                  limits: YAMLLimits) throws {
        try Loader.checkSize(buffer.count, lineOffset: lineOffset, limits: limits)
        if let bad = TextPosition.firstInvalidUTF8(buffer) {
            let (line, column) = TextPosition.lineColumn(of: bad, in: buffer)
            throw YAMLError(message: "invalid UTF-8 (byte 0x\(hex(buffer[bad], width: 2)))",
                            mark: YAMLMark(line: line + 1 + lineOffset, column: column + 1))
        }
    }
}

func hex<T: BinaryInteger>(_ value: T, width: Int) -> String {
    let s = String(value, radix: 16, uppercase: true)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

private struct Loader: ~Copyable {
    let bytes: UnsafeBufferPointer<UInt8>
    let lineOffset: Int
    let limits: YAMLLimits
    let single: Bool

    private struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var tag: String?
        var anchor: String?
        /// Where its items (or pairs) start in `Loader.items` (`Loader.pairs`).
        var start: Int
        var pendingKey: YAMLNode? = nil
        /// Where this mapping's key prints start in `Loader.keyPrints`.
        var keyStart = 0
        /// The keys, once there are more than `Loader.keyScanLimit` (a front matter's dozen
        /// keys cost more to hash into a dictionary than to compare).
        var keyIndex: [KeyID: YAMLMark]? = nil
        var count = 1    // nodes in this subtree so far, itself included
        var height = 0   // height of the tallest child (scalar = 0)
    }

    private struct Anchored {
        var node: YAMLNode
        var count: Int
        var height: Int
    }

    static let keyScanLimit = 16

    private var stack: [Frame] = []
    /// The prints (`KeyID.print`) of the keys of the open mappings, outermost first, for the
    /// duplicate check: a mapping's are the tail from its frame's `keyStart`, key j being
    /// `pairs[frame.start + j].key`. Compared before the keys themselves (a KeyID compared
    /// with each earlier key, a String comparison each, cost more than building the rest of
    /// the mapping), and one array for all mappings (an array each was allocated and grown
    /// for every mapping).
    private var keyPrints: [UInt64] = []
    /// The items of the open sequences and the pairs of the open mappings.
    private var items = ChildStack<YAMLNode>()
    private var pairs = ChildStack<YAMLPair>()
    private var anchors: [String: Anchored] = [:]
    private var total = 0
    private var documents: [YAMLNode] = []
    private var root: YAMLNode? = nil
    /// 0-based line and column just past the last character of the input.
    private let end: (line: Int, column: Int)

    init(bytes: UnsafeBufferPointer<UInt8>, lineOffset: Int, limits: YAMLLimits, single: Bool) {
        self.bytes = bytes
        self.lineOffset = lineOffset
        self.limits = limits
        self.single = single
        self.end = bytes.count <= limits.maxBytes ? TextPosition.end(of: bytes) : (0, 0)
    }

    static func checkSize(_ count: Int, lineOffset: Int, limits: YAMLLimits) throws {
        if count > limits.maxBytes {
            throw YAMLError(message: "input is \(count) bytes, more than the limit of \(limits.maxBytes) bytes",
                            mark: YAMLMark(line: 1 + lineOffset, column: 1))
        }
    }

    mutating func run() throws -> [YAMLNode] {
        try Loader.checkSize(bytes.count, lineOffset: lineOffset, limits: limits)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return [] }
        try rejectYAML11LineBreaks()

        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(message: "out of memory", mark: YAMLMark(line: 1 + lineOffset, column: 1))
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, base, bytes.count)

        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }

        while true {
            guard yaml_parser_parse(parser, event) == 1 else { throw libyamlError(parser.pointee) }
            defer { yaml_event_delete(event) }
            if event.pointee.type == YAML_STREAM_END_EVENT { break }
            try handle(event.pointee)
        }
        return documents
    }

    /// libyaml 0.2.5 follows YAML 1.1 and treats NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR
    /// as line breaks everywhere, even inside comments and quoted strings, so a stray U+2028
    /// pasted into a comment would silently turn the rest of the line into content. YAML 1.2
    /// treats them as ordinary characters. Rather than misparse, reject them with their location.
    private func rejectYAML11LineBreaks() throws {
        // Their first bytes, C2 and E2, are rare in Japanese text (E3 to E9 lead most of it):
        // each is looked for with memchr, a byte loop was 41 million instructions in 10,000
        // front matters.
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        func first(_ lead: UInt8, _ isBreak: (Int) -> Bool) -> Int? {
            var i = 0
            while i < n, let found = memchr(base + i, Int32(lead), n - i) {
                let at = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                if isBreak(at) { return at }
                i = at + 1
            }
            return nil
        }
        let nel = first(0xC2) { $0 + 1 < n && base[$0 + 1] == 0x85 }
        let separator = first(0xE2) { $0 + 2 < n && base[$0 + 1] == 0x80 && (base[$0 + 2] == 0xA8 || base[$0 + 2] == 0xA9) }
        if let at = nel, separator.map({ at < $0 }) ?? true {
            throw lineBreakError(at: at, name: "U+0085 NEXT LINE (NEL)")
        }
        if let at = separator {
            throw lineBreakError(at: at, name: base[at + 2] == 0xA8 ? "U+2028 LINE SEPARATOR" : "U+2029 PARAGRAPH SEPARATOR")
        }
    }

    private func lineBreakError(at offset: Int, name: String) -> YAMLError {
        let (line, column) = TextPosition.lineColumn(of: offset, in: bytes)
        return YAMLError(message: "\(name) is not allowed (libyaml would read it as a line break); remove it, or write it as an escape in a double-quoted string",
                         mark: YAMLMark(line: line + 1 + lineOffset, column: column + 1))
    }

    /// libyaml mark (0-based) -> YAMLMark. libyaml puts the end of the stream on a line of its
    /// own when the input does not end with a line break; such marks are moved back to the
    /// end of the last line, so every mark points into the input.
    private func mark(_ m: yaml_mark_t) -> YAMLMark {
        var line = Int(m.line), column = Int(m.column)
        if line > end.line || (line == end.line && column > end.column) {
            (line, column) = end
        }
        return YAMLMark(line: line + 1 + lineOffset, column: column + 1)
    }

    private func libyamlError(_ p: yaml_parser_t) -> YAMLError {
        let problem = p.problem.map { String(cString: $0) }
        switch p.error {
        case YAML_READER_ERROR:
            var message = problem ?? "cannot read the input"
            if p.problem_value != -1 { message += " (#x\(hex(p.problem_value, width: 2)))" }
            let (line, column) = TextPosition.lineColumn(of: Int(p.problem_offset), in: bytes)
            return YAMLError(message: message, mark: YAMLMark(line: line + 1 + lineOffset, column: column + 1))
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            var message = problem ?? "syntax error"
            if let context = p.context.map({ String(cString: $0) }) {
                message += " (\(context) at \(mark(p.context_mark)))"
            }
            if p.error == YAML_SCANNER_ERROR,
               let at = TextPosition.byteOffset(line: Int(p.problem_mark.line), column: Int(p.problem_mark.column), in: bytes),
               bytes[at] == 0x09 {
                message += "; tabs cannot be used for indentation, use spaces"
            }
            return YAMLError(message: message, mark: mark(p.problem_mark))
        case YAML_MEMORY_ERROR:
            return YAMLError(message: "out of memory", mark: YAMLMark(line: 1 + lineOffset, column: 1))
        default:
            return YAMLError(message: problem ?? "cannot parse the input",
                             mark: mark(p.problem_mark))
        }
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    private mutating func handle(_ event: yaml_event_t) throws {
        let start = mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            break

        case YAML_DOCUMENT_START_EVENT:
            if single && !documents.isEmpty {
                throw YAMLError(message: "expected a single YAML document, found another one", mark: start)
            }
            anchors = [:]

        case YAML_DOCUMENT_END_EVENT:
            documents.append(root ?? YAMLNode(.null, mark: start, isPlainScalar: true, scalarText: ""))
            root = nil

        case YAML_ALIAS_EVENT:
            let name = Loader.string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                if stack.contains(where: { $0.anchor == name }) {
                    throw YAMLError(message: "alias '*\(name)' refers to a node that contains it (recursive structures are not supported)", mark: start)
                }
                throw YAMLError(message: "unknown anchor '\(name)' in alias '*\(name)'", mark: start)
            }
            try countNodes(anchored.count, at: start)
            if stack.count + anchored.height > limits.maxDepth {
                throw depthError(at: start, viaAlias: name)
            }
            var node = anchored.node
            node.mark = start
            try add(node, count: anchored.count, height: anchored.height, anchor: nil)

        case YAML_SCALAR_EVENT:
            try countNodes(1, at: start)
            let s = event.data.scalar
            let utf8 = UnsafeBufferPointer(start: s.length > 0 ? s.value : nil, count: s.length > 0 ? s.length : 0)
            let text = utf8.isEmpty ? "" : String(decoding: utf8, as: UTF8.self)
            let tag = Loader.string(s.tag)
            let plain = s.style == YAML_PLAIN_SCALAR_STYLE
            let value = try resolveScalar(text, utf8: utf8, tag: tag, plain: plain, at: start)
            let node = YAMLNode(value, mark: start, tag: tag, isPlainScalar: plain, scalarText: text)
            try add(node, count: 1, height: 0, anchor: Loader.string(s.anchor), utf8: utf8)

        case YAML_SEQUENCE_START_EVENT:
            try countNodes(1, at: start)
            let s = event.data.sequence_start
            let tag = Loader.string(s.tag)
            try openCollection(isMapping: false, tag: tag, anchor: Loader.string(s.anchor), at: start)

        case YAML_MAPPING_START_EVENT:
            try countNodes(1, at: start)
            let s = event.data.mapping_start
            let tag = Loader.string(s.tag)
            try openCollection(isMapping: true, tag: tag, anchor: Loader.string(s.anchor), at: start)

        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }   // libyaml guarantees balance
            if frame.isMapping { keyPrints.removeLast(keyPrints.count - frame.keyStart) }
            let value: YAMLNode.Value = frame.isMapping ? .mapping(pairs.take(from: frame.start))
                                                        : .sequence(items.take(from: frame.start))
            let node = YAMLNode(value, mark: frame.mark, tag: frame.tag, isPlainScalar: false)
            try add(node, count: frame.count, height: frame.height + 1, anchor: frame.anchor)

        default:
            break
        }
    }

    private mutating func countNodes(_ n: Int, at mark: YAMLMark) throws {
        total += n
        if total > limits.maxNodes {
            throw YAMLError(message: "too many nodes: more than \(limits.maxNodes) (each alias counts as a full copy of its anchored node)", mark: mark)
        }
    }

    private func depthError(at mark: YAMLMark, viaAlias alias: String? = nil) -> YAMLError {
        var message = "nesting deeper than \(limits.maxDepth) levels"
        if let alias { message += " (through alias '*\(alias)')" }
        return YAMLError(message: message, mark: mark)
    }

    private mutating func openCollection(isMapping: Bool, tag: String?, anchor: String?, at start: YAMLMark) throws {
        if stack.count + 1 > limits.maxDepth { throw depthError(at: start) }
        if let tag {
            let fits: Bool
            switch tag {
            case CoreSchema.seqTag: fits = !isMapping
            case CoreSchema.mapTag: fits = isMapping
            case CoreSchema.strTag, CoreSchema.intTag, CoreSchema.floatTag, CoreSchema.boolTag, CoreSchema.nullTag:
                fits = false
            default: fits = true
            }
            if !fits {
                throw YAMLError(message: "tag \(CoreSchema.shortTag(tag)) cannot be applied to a \(isMapping ? "mapping" : "sequence")", mark: start)
            }
        }
        stack.append(Frame(isMapping: isMapping, mark: start, tag: tag, anchor: anchor,
                           start: isMapping ? pairs.count : items.count, keyStart: keyPrints.count))
    }

    /// `utf8` holds the bytes of `text` as libyaml gave them (the schema reads those).
    private func resolveScalar(_ text: String, utf8: UnsafeBufferPointer<UInt8>, tag: String?, plain: Bool,
                               at start: YAMLMark) throws -> YAMLNode.Value {
        func mismatch(_ tag: String) -> YAMLError {
            YAMLError(message: "value '\(Loader.clip(text))' does not match tag \(CoreSchema.shortTag(tag))", mark: start)
        }
        guard let tag else { return plain ? CoreSchema.resolvePlain(text, utf8: utf8) : .string(text) }
        switch tag {
        case "!", CoreSchema.strTag:
            return .string(text)
        case CoreSchema.nullTag:
            guard let v = CoreSchema.null(utf8) else { throw mismatch(tag) }
            return v
        case CoreSchema.boolTag:
            guard let b = CoreSchema.bool(utf8) else { throw mismatch(tag) }
            return .bool(b)
        case CoreSchema.intTag:
            guard let v = CoreSchema.int(utf8, text: text) else { throw mismatch(tag) }
            guard case .int = v else {
                throw YAMLError(message: "integer '\(Loader.clip(text))' is out of range for !!int", mark: start)
            }
            return v
        case CoreSchema.floatTag:
            if let d = CoreSchema.float(utf8) { return .float(d) }
            switch CoreSchema.int(utf8, text: text) {
            case .int(let i)?: return .float(Double(i))
            case .float(let d)?: return .float(d)
            default: throw mismatch(tag)
            }
        case CoreSchema.seqTag, CoreSchema.mapTag:
            throw YAMLError(message: "tag \(CoreSchema.shortTag(tag)) cannot be applied to a scalar", mark: start)
        default:
            // Unknown tag (local `!foo` or another global one): kept in `tag`, value resolved
            // as if untagged.
            return plain ? CoreSchema.resolvePlain(text, utf8: utf8) : .string(text)
        }
    }

    static func clip(_ s: String, to limit: Int = 40) -> String {
        let scalars = s.unicodeScalars
        var out = scalars.count > limit ? String(String.UnicodeScalarView(scalars.prefix(limit))) + "…" : s
        out = out.replacingNewlines()
        return out
    }

    private static func describeKey(_ node: YAMLNode) -> String {
        switch node.value {
        case .sequence: return "[…]"
        case .mapping: return "{…}"
        default: return clip(node.scalarText ?? "")
        }
    }

    /// `utf8`, for a scalar, holds the bytes of its text.
    private mutating func add(_ node: consuming YAMLNode, count: Int, height: Int, anchor: String?,
                              utf8: UnsafeBufferPointer<UInt8>? = nil) throws {
        if let anchor { anchors[anchor] = Anchored(node: copy node, count: count, height: height) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let i = stack.count - 1
        stack[i].count += count
        stack[i].height = max(stack[i].height, height)
        if !stack[i].isMapping {
            items.append(node)
        } else if let key = stack[i].pendingKey.take() {
            pairs.append(YAMLPair(key: key, value: node))
        } else {
            let print = KeyID.print(of: node, utf8: utf8)
            if let first = firstMark(of: node, print: print, in: i) {
                throw YAMLError(message: "duplicate key '\(Loader.describeKey(node))' (first at line \(first.line))", mark: node.mark)
            }
            addKey(node, print: print, in: i)
            stack[i].pendingKey = node
        }
    }

    /// The mark of an earlier key of the mapping `stack[i]` equal to `key`, whose print is
    /// `print`. Only keys whose print can match are compared in full. (Mutating though it
    /// changes nothing: the non-mutating form ran 0.5 million instructions more a build.)
    private mutating func firstMark(of key: borrowing YAMLNode, print: UInt64, in i: Int) -> YAMLMark? {
        if let keyIndex = stack[i].keyIndex { return keyIndex[KeyID(key)] }
        let start = stack[i].keyStart
        let wildcard = print == KeyID.nonASCIIPrint
        var id: KeyID? = nil
        for j in start..<keyPrints.count {
            let p = keyPrints[j]
            guard p == print || wildcard || p == KeyID.nonASCIIPrint else { continue }
            if id == nil { id = KeyID(key) }
            let earlier = pairs[stack[i].start + j - start].key
            if KeyID(earlier) == id { return earlier.mark }
        }
        return nil
    }

    /// Records `key` (with its print), which is about to become the pending key of `stack[i]`.
    private mutating func addKey(_ key: borrowing YAMLNode, print: UInt64, in i: Int) {
        if stack[i].keyIndex != nil {
            stack[i].keyIndex![KeyID(key)] = key.mark
        } else if keyPrints.count - stack[i].keyStart < Loader.keyScanLimit {
            keyPrints.append(print)
        } else {
            var index: [KeyID: YAMLMark] = [:]
            for j in stack[i].start..<pairs.count { index[KeyID(pairs[j].key)] = pairs[j].key.mark }
            index[KeyID(key)] = key.mark
            stack[i].keyIndex = index
            keyPrints.removeLast(keyPrints.count - stack[i].keyStart)
        }
    }
}

private extension String {
    func replacingNewlines() -> String {
        var out = ""
        for ch in unicodeScalars {
            switch ch {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
