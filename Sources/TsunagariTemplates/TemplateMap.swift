/// The members of a `.map` value: a few keys, each kept with a hash of its bytes made when it
/// is added. A page's view model is many small maps, each made once and read by name a few
/// times; a `Dictionary` hashed every key with SipHash on insertion and on every lookup. Here a
/// lookup compares numbers along the members (the renderer's names are hashed once, when the
/// templates are compiled) and the text only where the number matches. Keys are unique; the
/// order of the members is the order they were added, which no output depends on.
public struct TemplateMap: Sendable {
    struct Member: Sendable {
        let hash: UInt64
        let key: String
        var value: TemplateValue
    }

    private(set) var members: [Member] = []

    public init() {}

    public init(_ dictionary: [String: TemplateValue]) {
        members.reserveCapacity(dictionary.count)
        for (key, value) in dictionary { members.append(Member(hash: TemplateMap.hash(key), key: key, value: value)) }
    }

    /// `FNV1a` over the key's UTF-8: a key is a short name, and a tag's is hashed the same way.
    @inline(__always)
    static func hash(_ key: String) -> UInt64 {
        // Read in place: the copy that `withUTF8` needs was a retain and a release of the key
        // for each member of each view model's map literal (1,000 windows: 4 M instructions).
        if let h = key.utf8.withContiguousStorageIfAvailable(FNV1a.hash) { return h }
        var key = key
        return key.withUTF8(FNV1a.hash)
    }

    @inline(__always)
    func position(of key: String, hash: UInt64) -> Int? {
        members.withUnsafeBufferPointer { members in
            for i in members.indices where members[i].hash == hash && members[i].key == key { return i }
            return nil
        }
    }

    /// Where the value of a key hashed beforehand is in the members' storage: valid while this
    /// map's storage lives unchanged (the renderer borrows values of a view model this way).
    @inline(__always)
    func valuePointer(of key: String, hash: UInt64) -> UnsafePointer<TemplateValue>? {
        members.withUnsafeBufferPointer { members in
            for i in members.indices where members[i].hash == hash && members[i].key == key {
                return (UnsafeRawPointer(members.baseAddress! + i) + MemoryLayout<Member>.offset(of: \Member.value)!)
                    .assumingMemoryBound(to: TemplateValue.self)
            }
            return nil
        }
    }

    /// The value of a key hashed beforehand (`TemplateMap.hash`).
    @inline(__always)
    func value(of key: String, hash: UInt64) -> TemplateValue? {
        position(of: key, hash: hash).map { members[$0].value }
    }

    /// A member's value; setting `nil` removes the member.
    public subscript(key: String) -> TemplateValue? {
        get { value(of: key, hash: TemplateMap.hash(key)) }
        set {
            let h = TemplateMap.hash(key)
            switch (position(of: key, hash: h), newValue) {
            case (let i?, let value?): members[i].value = value
            case (let i?, nil): members.remove(at: i)
            case (nil, let value?): members.append(Member(hash: h, key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// Adds or replaces each member of `other` (its value wins).
    public mutating func merge(_ other: TemplateMap) {
        for m in other.members { self[m.key] = m.value }
    }

    public mutating func reserveCapacity(_ count: Int) { members.reserveCapacity(count) }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The members as a dictionary.
    public var dictionary: [String: TemplateValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    public func mapValues(_ transform: (TemplateValue) throws -> TemplateValue) rethrows -> TemplateMap {
        var mapped = self
        for i in mapped.members.indices { mapped.members[i].value = try transform(mapped.members[i].value) }
        return mapped
    }
}

extension TemplateMap: Sequence {
    public func makeIterator() -> some IteratorProtocol<(key: String, value: TemplateValue)> {
        members.lazy.map { (key: $0.key, value: $0.value) }.makeIterator()
    }

    public var underestimatedCount: Int { members.count }
}

/// Equal when they have the same keys with equal values, in any order (as dictionaries are).
extension TemplateMap: Equatable {
    public static func == (lhs: TemplateMap, rhs: TemplateMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for m in lhs.members {
            guard let other = rhs.value(of: m.key, hash: m.hash), other == m.value else { return false }
        }
        return true
    }
}

extension TemplateMap: ExpressibleByDictionaryLiteral {
    /// A later duplicate key wins.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.init(pairs: elements)
    }

    init(pairs elements: [(String, TemplateValue)]) {
        members.reserveCapacity(elements.count)
        for (key, value) in elements {
            let h = TemplateMap.hash(key)
            if let i = position(of: key, hash: h) {
                members[i].value = value
            } else {
                members.append(Member(hash: h, key: key, value: value))
            }
        }
    }
}
