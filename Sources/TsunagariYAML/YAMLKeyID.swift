// What makes two mapping keys the same, for the loader's duplicate-key check.

/// Identity of a mapping key for the duplicate check: resolved values, marks ignored.
enum KeyID: Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(UInt64)
    case string(String)
    case sequence([KeyID])
    case mapping([KeyID: KeyID])
    // Only this case is boxed: an indirect enum allocated a box for every key of every mapping.
    indirect case tagged(String, KeyID)

    init(_ node: borrowing YAMLNode) {
        var id: KeyID
        switch node.value {
        case .null: id = .null
        case .bool(let b): id = .bool(b)
        case .int(let i): id = .int(i)
        case .float(let d): id = .float(KeyID.bits(d))
        case .string(let s): id = .string(s)
        case .sequence(let items): id = .sequence(items.map(KeyID.init))
        case .mapping(let pairs):
            var m: [KeyID: KeyID] = [:]
            for p in pairs { m[KeyID(p.key)] = KeyID(p.value) }
            id = .mapping(m)
        }
        if KeyID.isTagged(node) { id = .tagged(node.tag!, id) }
        self = id
    }

    /// Tags outside the core schema make otherwise equal nodes different.
    private static func isTagged(_ node: borrowing YAMLNode) -> Bool {
        guard let tag = node.tag else { return false }
        return tag != "!" && !tag.hasPrefix("tag:yaml.org,2002:")
    }

    /// One NaN, and one zero.
    private static func bits(_ d: Double) -> UInt64 { d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern) }

    /// The print of every string key with a byte outside ASCII. Such a string can equal a
    /// string with other bytes (Swift compares Strings by canonical equivalence: U+212A KELVIN
    /// SIGN equals `K`), so this print matches every print.
    static let nonASCIIPrint = UInt64.max

    /// A number that is the same for equal keys (`nonASCIIPrint` aside), and differs for most
    /// different ones, compared before the keys themselves: a scalar's is its value's bits, an
    /// ASCII string's its length and first seven bytes. `utf8`, when given, holds the bytes of
    /// the node's text (read in place: a String's UTF-8 view read byte by byte cost twice as
    /// much as the rest of the check).
    static func print(of node: borrowing YAMLNode, utf8: UnsafeBufferPointer<UInt8>?) -> UInt64 {
        if isTagged(node) { return 0x7A67 }
        switch node.value {
        case .null: return 0x6E75
        case .bool(let b): return b ? 0x7472 : 0x6661
        case .int(let i): return UInt64(bitPattern: Int64(i))
        case .float(let d): return bits(d)
        case .sequence: return 0x7365
        case .mapping: return 0x6D61
        case .string(let s):
            if let utf8 { return stringPrint(utf8) }
            return s.utf8.withContiguousStorageIfAvailable(stringPrint) ?? stringPrint(Array(s.utf8))
        }
    }

    private static func stringPrint<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var print = UInt64(truncatingIfNeeded: bytes.count) << 56
        var shift: UInt64 = 0
        for c in bytes {
            if c >= 0x80 { return nonASCIIPrint }
            if shift < 56 { print |= UInt64(c) << shift; shift += 8 }
        }
        return print
    }
}
