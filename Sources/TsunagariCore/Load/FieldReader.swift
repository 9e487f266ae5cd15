import Foundation
import TsunagariYAML

/// A value read from a file, with where it was written, so later stages
/// (linking, validation) can point at it.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation
    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Codable where Value: Codable {}

/// Reads typed fields out of a YAML mapping, collecting every problem instead of stopping
/// at the first, and reporting fields it was never asked for as unknown (with a did-you-mean).
final class FieldReader {
    let path: String
    let node: YAMLNode
    // (Without dynamic exclusivity checks: a reader is used by one thread, and no access to
    // these overlaps another. The checks were a tenth of the field reading's instructions.)
    @exclusivity(unchecked) private(set) var diagnostics: [Diagnostic] = []
    /// The mapping's pairs in order, their positions by key (only for long mappings, see
    /// `scanLimit`), and whether a reader asked for each.
    @exclusivity(unchecked) private var pairs: [YAMLPair] = []
    @exclusivity(unchecked) private var position: [String: Int] = [:]
    @exclusivity(unchecked) private var asked: [Bool] = []
    @exclusivity(unchecked) private var order: [String] = []
    /// Every name asked for, present or not (the known fields, for the did-you-mean); a list,
    /// made a set only when a field is unknown: one hash a field instead of two.
    @exclusivity(unchecked) private var askedNames: [String] = []
    /// "missing required field" reports by field name: a misspelt key explains them (finish()).
    @exclusivity(unchecked) private var missingReports: [String: Diagnostic] = [:]

    init(path: String, node: YAMLNode, what: String) {
        self.path = path
        self.node = node
        switch node.value {
        case .mapping(let list):
            pairs = list   // (the node's array, shared: not a copy of each pair)
            asked = Array(repeating: false, count: list.count)
            order = list.map { FieldReader.keyText($0.key) }
            askedNames.reserveCapacity(list.count + 4)   // (about as many names are asked as written)
            if order.count > FieldReader.scanLimit {
                for (i, key) in order.enumerated() { position[key] = i }
            }
        case .null:
            break
        default:
            diagnostics.append(location(of: node).error("\(what) must be a mapping of fields", hint: "write 'name: value' lines"))
        }
    }

    /// Up to this many fields a name is found by comparing keys (short keys compare as two
    /// words) instead of hashing it; a front matter has about twenty.
    static let scanLimit = 32

    /// The position of the pair written last with key `name`.
    private func index(of name: String) -> Int? {
        if order.count > FieldReader.scanLimit { return position[name] }
        // Keys of another length are passed over without comparing the text (String equality
        // of two different keys was a call each, 1 % of a build's instructions).
        let length = name.utf8.count
        var i = order.count
        while i > 0 {
            i -= 1
            if order[i].utf8.count == length && order[i] == name { return i }
        }
        return nil
    }

    static func keyText(_ node: YAMLNode) -> String {
        switch node.value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return String(b)
        case .float(let d): return String(d)
        case .null: return "null"
        default: return "?"
        }
    }

    func location(of node: YAMLNode) -> SourceLocation {
        SourceLocation(path: path, line: node.mark.line, column: node.mark.column)
    }

    var mappingLocation: SourceLocation { location(of: node) }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
    func merge(_ other: FieldReader) { diagnostics += other.diagnostics }

    /// The raw node of a field; records the field as known.
    func field(_ name: String) -> YAMLNode? {
        askedNames.append(name)
        guard let i = index(of: name) else { return nil }
        asked[i] = true
        let pair = pairs[i]
        if case .null = pair.value.value { return nil }
        return pair.value
    }

    private func missing(_ name: String, _ what: String) {
        let report = mappingLocation.error("missing required field '\(name)'", hint: "add '\(name): \(what)'")
        missingReports[name] = report
        diagnostics.append(report)
    }

    private func typeError(_ name: String, _ node: YAMLNode, expected: String, hint: String? = nil) {
        diagnostics.append(location(of: node).error("field '\(name)' must be \(expected), not \(FieldReader.describe(node))", hint: hint))
    }

    static func describe(_ node: YAMLNode) -> String {
        switch node.value {
        case .null: return "empty"
        case .bool(let b): return "the boolean \(b)"
        case .int(let i): return "the number \(i)"
        case .float(let d): return "the number \(d)"
        case .string: return "text"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    // MARK: - Scalars

    func string(_ name: String, required: Bool = false) -> String? {
        located(name, required: required)?.value
    }

    func located(_ name: String, required: Bool = false) -> Located<String>? {
        guard let node = field(name) else {
            if required { missing(name, "…") }
            return nil
        }
        return scalarString(name, node)
    }

    private func scalarString(_ name: String, _ node: YAMLNode) -> Located<String>? {
        switch node.value {
        case .string(let s):
            let trimmed = FieldReader.trimmingBlanks(s)
            if trimmed.isEmpty { diagnostics.append(location(of: node).error("field '\(name)' is empty")); return nil }
            return Located(trimmed, at: location(of: node))
        case .int, .float:
            typeError(name, node, expected: "text", hint: "write it in quotes: \(name): \"\(FieldReader.keyText(node))\"")
            return nil
        default:
            typeError(name, node, expected: "text")
            return nil
        }
    }

    /// `s` without leading and trailing spaces, tabs and newlines (by bytes: Foundation's
    /// trimmingCharacters showed up in the load profile).
    static func trimmingBlanks(_ s: String) -> String {
        let utf8 = s.utf8
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A }
        // Most values have nothing to trim, as their first and last bytes tell (the searches
        // from both ends, through String's indices, were 0.8 % of a build's instructions).
        if let ends = utf8.withContiguousStorageIfAvailable({ b in b.isEmpty ? nil : (b[0], b[b.count - 1]) }),
           let (first, last) = ends, !blank(first), !blank(last) {
            return s
        }
        guard let first = utf8.firstIndex(where: { !blank($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !blank($0) })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return s }
        return String(s[first...last])
    }

    func bool(_ name: String) -> Bool? {
        guard let node = field(name) else { return nil }
        if case .bool(let b) = node.value { return b }
        var hint = "write true or false, without quotes"
        if case .string(let s) = node.value, let near = DidYouMean.hint(for: s, among: ["true", "false"]) { hint = near }
        typeError(name, node, expected: "true or false", hint: hint)
        return nil
    }

    func int(_ name: String, required: Bool = false) -> Int? {
        guard let node = field(name) else {
            if required { missing(name, "0") }
            return nil
        }
        if case .int(let i) = node.value { return i }
        typeError(name, node, expected: "a whole number")
        return nil
    }

    /// A date written `YYYY-MM-DD`.
    func date(_ name: String, required: Bool = false) -> Located<SimpleDate>? {
        guard let node = field(name) else {
            if required { missing(name, "2024-01-31") }
            return nil
        }
        guard case .string(let s) = node.value else {
            typeError(name, node, expected: "a date written YYYY-MM-DD")
            return nil
        }
        guard let date = SimpleDate(s) else {
            diagnostics.append(location(of: node).error("field '\(name)': '\(s)' is not a valid date", hint: SimpleDate.problemHint(s)))
            return nil
        }
        return Located(date, at: location(of: node))
    }

    /// One of a closed set of values.
    func choice(_ name: String, among allowed: [String], required: Bool = false) -> String? {
        guard let value = located(name, required: required) else { return nil }
        if allowed.contains(value.value) { return value.value }
        diagnostics.append(value.location.error(
            "field '\(name)' must be one of \(allowed.joined(separator: ", ")), not '\(value.value)'",
            hint: DidYouMean.hint(for: value.value, among: allowed)))
        return nil
    }

    /// A URL limited to http(s), tel and mailto: nothing else may reach a page.
    func url(_ name: String, required: Bool = false) -> String? {
        guard let value = located(name, required: required) else { return nil }
        if let problem = URLRules.problem(with: value.value) {
            diagnostics.append(value.location.error("field '\(name)': \(problem)",
                                                    hint: URLRules.schemeFix(value.value).map { "did you mean '\($0)'?" } ?? "use an https://, http://, tel: or mailto: address"))
            return nil
        }
        return value.value
    }

    // MARK: - Collections

    /// A list of text items; a single text is accepted as a list of one.
    func stringList(_ name: String, required: Bool = false) -> [Located<String>] {
        guard let node = field(name) else {
            if required { missing(name, "[…]") }
            return []
        }
        switch node.value {
        case .sequence(let items):
            if items.isEmpty && required { diagnostics.append(location(of: node).error("field '\(name)' needs at least one item")) }
            return items.compactMap { item in
                switch item.value {
                case .int(let i):
                    // Region codes written without quotes: 13 → "13".
                    return Located(String(i), at: location(of: item))
                default:
                    return scalarString(name, item)
                }
            }
        case .string, .int:
            if case .int(let i) = node.value { return [Located(String(i), at: location(of: node))] }
            return scalarString(name, node).map { [$0] } ?? []
        default:
            typeError(name, node, expected: "a list")
            return []
        }
    }

    /// A list of mappings, each read by its own FieldReader whose problems are merged here.
    func mappings(_ name: String, required: Bool = false, what: String) -> [FieldReader] {
        guard let node = field(name) else {
            if required { missing(name, "a list") }
            return []
        }
        guard case .sequence(let items) = node.value else {
            typeError(name, node, expected: "a list")
            return []
        }
        if items.isEmpty && required { diagnostics.append(location(of: node).error("field '\(name)' needs at least one item")) }
        return items.map { FieldReader(path: path, node: $0, what: what) }
    }

    func mapping(_ name: String, what: String) -> FieldReader? {
        guard let node = field(name) else { return nil }
        return FieldReader(path: path, node: node, what: what)
    }

    /// Reports every field that no reader asked for. Call after reading all fields.
    func finish() {
        // Every pair read: no key is unknown (the usual case, without a lookup per key).
        if !asked.contains(false) { return }
        // (A key written twice as different nodes, `1` and "1", is the later pair.)
        let unknown = order.filter { !asked[index(of: $0)!] }
        guard !unknown.isEmpty else { return }
        let known = Set(askedNames).sorted()
        for key in unknown {
            let pair = pairs[index(of: key)!]
            let suggestion = DidYouMean.suggestion(for: key, among: known)
            diagnostics.append(location(of: pair.key).error(
                "unknown field '\(key)'",
                hint: suggestion.map { "did you mean '\($0)'?" } ?? "known fields: \(known.joined(separator: ", "))"))
            // `summery:` for `summary:` is one typo: one message, at the typo, not also "missing".
            if let suggestion, let report = missingReports[suggestion] {
                diagnostics.removeAll { $0 == report }
            }
        }
    }
}

/// The URL rule used for every URL field.
public enum URLRules {
    public static let schemes = ["https", "http", "tel", "mailto"]

    /// nil when acceptable, else what is wrong.
    public static func problem(with url: String) -> String? {
        if isAcceptableASCII(url) { return nil }
        if url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            return "a URL may not contain spaces or control characters"
        }
        guard let colon = url.firstIndex(of: ":") else { return "'\(url)' is not an absolute URL" }
        let scheme = url[..<colon].lowercased()
        guard schemes.contains(scheme) else { return "the scheme '\(scheme):' is not allowed" }
        if scheme.hasPrefix("http") {
            let rest = url[url.index(after: colon)...]
            guard rest.hasPrefix("//"), rest.count > 2 else { return "'\(url)' has no host" }
        }
        return nil
    }

    /// Whether `url` is all ASCII and acceptable, judged on its bytes (the usual case: the
    /// Character-wise search and count below pay for grapheme breaking). false means only
    /// that the full check must judge it.
    private static func isAcceptableASCII(_ url: String) -> Bool {
        let bytes = url.utf8
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return false }
        // The scheme compared without case, on bytes (`| 0x20` lowers a letter; no other
        // printable byte becomes a lower-case letter by it).
        let written = bytes[..<colon]
        guard let scheme = schemes.first(where: { known in
            known.utf8.count == written.count && zip(known.utf8, written).allSatisfy { $0 == $1 | 0x20 }
        }) else { return false }
        guard scheme.hasPrefix("http") else { return true }
        let rest = bytes[bytes.index(after: colon)...]
        return rest.starts(with: "//".utf8) && rest.count > 2
    }

    /// The URL with a misspelt scheme corrected (`htps://…` → `https://…`), if one is near.
    static func schemeFix(_ url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = String(url[..<colon])
        guard !schemes.contains(scheme.lowercased()), let near = DidYouMean.suggestion(for: scheme, among: schemes) else { return nil }
        let fixed = near + url[colon...]
        return problem(with: fixed) == nil ? fixed : nil
    }
}
