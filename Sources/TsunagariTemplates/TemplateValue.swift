/// The typed view model that templates render.
///
/// Truthiness in sections (`{{#x}}` / `{{^x}}`):
/// - falsey: `.null`, `.bool(false)`, `.list([])` and the empty string `.string("")`;
///   a name that resolves to nothing is `.null`.
/// - everything else is truthy: `.bool(true)` renders the section once without pushing a context,
///   a non-empty `.list` renders it once per element (each element pushed), and every other value
///   (`.map` — even an empty one —, a non-empty `.string`, any `.int` / `.double`, including 0)
///   is pushed on the context stack and renders the section once.
///
/// Interpolation (`{{x}}`): strings as themselves (HTML-escaped unless `{{{x}}}` / `{{& x}}`),
/// `.int` in decimal without decimals, `.double` as Swift prints it (`1.21`, `3.0`, `1e-05`),
/// `.bool` as `true` / `false`, and `.null`, `.list`, `.map`, `.object` as nothing.
public enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case map(TemplateMap)
    /// A map whose partials' outputs the renderer may keep and reuse (see `TemplateObject`).
    case object(TemplateObject)
}

extension TemplateValue {
    /// Whether a section `{{#x}}` skips this value (and an inverted section `{{^x}}` renders).
    @inlinable
    public var isFalsey: Bool {
        switch self {
        case .null: return true
        case .bool(let b): return !b
        case .list(let items): return items.isEmpty
        case .string(let s): return s.isEmpty
        case .int, .double, .map, .object: return false
        }
    }

    /// Member of a `.map` or `.object`; `nil` for a missing key or a value that is not a map.
    /// Setting one turns an `.object` into a `.map`.
    public subscript(key: String) -> TemplateValue? {
        get { mapValue?[key] }
        set {
            guard var m = mapValue else { return }
            self = .null  // release the payload so `m` is uniquely referenced
            m[key] = newValue
            self = .map(m)
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var listValue: [TemplateValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// The members of a `.map` or an `.object`.
    public var mapValue: TemplateMap? {
        switch self {
        case .map(let m): return m
        case .object(let o): return o.fields
        default: return nil
        }
    }
}

extension TemplateValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension TemplateValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension TemplateValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .map(TemplateMap(pairs: elements))  // a later duplicate key wins
    }
}
