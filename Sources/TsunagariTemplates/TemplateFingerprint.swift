/// A value's fingerprint: equal for equal values (a map's members in any order), different
/// when anything a template could read differs — the page cache's key for what a page was
/// made from (see the build's RenderRecord).
extension TemplateValue {
    public var fingerprint: Fingerprint128 {
        var hasher = StableHasher()
        fingerprint(into: &hasher)
        return hasher.finalize()
    }

    public func fingerprint(into hasher: inout StableHasher) {
        switch self {
        case .null:
            hasher.combine(0)
        case .bool(let b):
            hasher.combine(b ? 2 : 1)
        case .int(let i):
            hasher.combine(3)
            hasher.combine(i)
        case .double(let d):
            hasher.combine(4)
            hasher.combine(d.bitPattern)
        case .string(let s):
            hasher.combine(5)
            hasher.combine(s)
        case .list(let items):
            hasher.combine(6)
            hasher.combine(items.count)
            for item in items { item.fingerprint(into: &hasher) }
        case .map(let members):
            hasher.combine(7)
            hasher.combine(TemplateValue.fingerprint(of: members))
        case .object(let object):
            // The same members as a map: an object renders as its map would.
            hasher.combine(7)
            hasher.combine(object.fingerprint)
        }
    }

    /// A map's members in no order (equal maps may have been made in different orders):
    /// each member's own fingerprint, summed lane by lane, with the count.
    static func fingerprint(of members: TemplateMap) -> Fingerprint128 {
        var high: UInt64 = 0, low: UInt64 = 0
        for (key, value) in members {
            var member = StableHasher()
            member.combine(key)
            value.fingerprint(into: &member)
            let f = member.finalize()
            high &+= f.high
            low &+= f.low
        }
        var hasher = StableHasher()
        hasher.combine(members.count)
        hasher.combine(high)
        hasher.combine(low)
        return hasher.finalize()
    }
}
