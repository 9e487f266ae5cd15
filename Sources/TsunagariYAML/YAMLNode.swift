// Public value types of the YAML layer. Nothing here mentions libyaml: the C types stay
// inside YAMLParser.swift.

/// A position in the input: 1-based line and 1-based column, the column counted in Unicode
/// scalars (so a line of Japanese text has one column per character, not three).
public struct YAMLMark: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// One node of a parsed YAML document.
///
/// Scalars are resolved with the YAML 1.2 core schema (plain scalars only; quoted and block
/// scalars are always strings). Mappings keep document order.
public struct YAMLNode: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
        case sequence([YAMLNode])
        case mapping([YAMLPair])   // document order
    }

    public var value: Value
    /// Where the node starts (at its anchor or tag if it has one). For an alias, the copy's
    /// top node carries the alias's mark; nodes inside the copy keep the anchored node's marks.
    public var mark: YAMLMark
    /// The explicit tag, fully resolved by libyaml (`!!str` is `tag:yaml.org,2002:str`,
    /// `!foo` stays `!foo`, the non-specific `!` stays `!`). `nil` when the node has no tag.
    public var tag: String?
    /// `true` only for plain (unquoted, non-block) scalars; `false` for quoted and block
    /// scalars and for collections.
    public var isPlainScalar: Bool
    /// For scalars: the scalar's text as libyaml delivered it (escapes processed, folding
    /// applied), before schema resolution. `0777` keeps `"0777"` here while `value` is
    /// `.int(777)`, which lets callers suggest the quoted form in error messages.
    /// `nil` for collections.
    public var scalarText: String?

    public init(_ value: Value, mark: YAMLMark = YAMLMark(line: 1, column: 1), tag: String? = nil,
                isPlainScalar: Bool = false, scalarText: String? = nil) {
        self.value = value
        self.mark = mark
        self.tag = tag
        self.isPlainScalar = isPlainScalar
        self.scalarText = scalarText
    }
}

/// A key/value pair of a mapping.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// Every failure of this module: a message and where it happened.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var mark: YAMLMark

    public init(message: String, mark: YAMLMark) {
        self.message = message
        self.mark = mark
    }

    /// `line 3, column 5: duplicate key 'x' (first at line 2)`
    public var description: String { "line \(mark.line), column \(mark.column): \(message)" }
}

/// Resource limits applied while parsing.
public struct YAMLLimits: Sendable {
    /// Deepest allowed nesting of collections (the root collection is depth 1). Alias copies
    /// count at the depth where they land.
    public var maxDepth: Int = 64
    /// Most nodes one parse call may produce, counting every node of every alias copy
    /// (a "billion laughs" document fails on this quickly).
    public var maxNodes: Int = 200_000
    /// Largest accepted input, in UTF-8 bytes.
    public var maxBytes: Int = 4 << 20

    public init(maxDepth: Int = 64, maxNodes: Int = 200_000, maxBytes: Int = 4 << 20) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxBytes = maxBytes
    }

    public static let `default` = YAMLLimits()
}

// MARK: - Convenience accessors

extension YAMLNode {
    /// The value of the first pair whose key is the string `key` (mappings only).
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = value else { return nil }
        for pair in pairs {
            if case .string(let k) = pair.key.value, k == key { return pair.value }
        }
        return nil
    }

    /// The element at `index` of a sequence, `nil` if out of range or not a sequence.
    public subscript(index: Int) -> YAMLNode? {
        guard case .sequence(let items) = value, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var isNull: Bool { if case .null = value { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = value { return s } else { return nil } }

    public var boolValue: Bool? { if case .bool(let b) = value { return b } else { return nil } }

    public var intValue: Int? { if case .int(let i) = value { return i } else { return nil } }

    /// The number as a Double, for `.int` as well as `.float`.
    public var doubleValue: Double? {
        switch value {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    public var sequenceValue: [YAMLNode]? { if case .sequence(let s) = value { return s } else { return nil } }

    public var mappingValue: [YAMLPair]? { if case .mapping(let m) = value { return m } else { return nil } }

    /// `true` for null, bool, int, float and string nodes.
    public var isScalar: Bool {
        switch value {
        case .sequence, .mapping: return false
        default: return true
        }
    }

    /// A short English name of the node's kind, for error messages:
    /// "null", "boolean", "integer", "float", "string", "sequence", "mapping".
    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .float: return "float"
        case .string: return "string"
        case .sequence: return "sequence"
        case .mapping: return "mapping"
        }
    }
}
