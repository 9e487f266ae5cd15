// Self-contained (copyable into another test target that depends on TsunagariTemplates and
// swift-mustache's `Mustache` product): renders TemplateValue contexts with swift-mustache, the
// oracle that TemplateSet must match byte for byte.
//
// Where the two engines are known to differ, compare only inputs that avoid it:
// - interpolating a `.list` or `.map` ({{x}} where x is a list/map): swift-mustache prints Swift's
//   description of the array/dictionary; TemplateSet prints nothing;
// - `{{.}}` inside an inverted section over an empty list: swift-mustache pushes the empty list;
// - a section whose opening and closing tags differ in being standalone (one alone on its line,
//   the other not), followed by a standalone-looking tag: swift-mustache carries the opening tag's
//   standalone state past the closing tag; TemplateSet follows the specification;
// - a quote, `<`, `>`, `&` or `'` followed by a combining mark: swift-mustache escapes by grapheme
//   and leaves it unescaped; TemplateSet escapes the byte;
// - a missing partial (TemplateSet: compile error), inheritance tags, lambdas, transforms.
// The empty string is falsey in TemplateSet; swift-mustache treats "" as truthy, so the
// conversion below hands it an empty, null-like value instead (same output when interpolated).

import Foundation
import Mustache
import TsunagariTemplates

/// swift-mustache's rendering of template `name` from `templates` (partials are the other
/// templates, named as in TemplateSet) with `context`; nil when it cannot parse a template or
/// has no template `name`.
func oracleRender(templates: [String: String], name: String, context: TemplateValue) -> String? {
    var library = MustacheLibrary()
    for (templateName, text) in templates {
        do {
            try library.register(text, named: templateName)
        } catch {
            return nil
        }
    }
    return library.render(oracleObject(context), withTemplate: name)
}

/// A TemplateValue as the plain Swift values swift-mustache renders.
func oracleObject(_ value: TemplateValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int(let i): return i
    case .double(let d): return d
    case .string(let s): return s.isEmpty ? OracleEmptyString() : s
    case .list(let items): return items.map(oracleObject)
    case .map(let members): return members.mapValues(oracleObject) as [String: Any]
    }
}

/// "" for swift-mustache: interpolates as nothing, and is falsey in sections (as in TemplateSet).
struct OracleEmptyString: MustacheCustomRenderable, CustomStringConvertible {
    var renderText: String { "" }
    var isNull: Bool { true }
    var description: String { "" }
}
