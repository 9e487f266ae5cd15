// Self-contained (copyable into another test target that depends on TsunagariTemplates and
// swift-mustache's `Mustache` product): renders TemplateValue contexts with swift-mustache, the
// oracle that TemplateSet must match byte for byte.
//
// swift-mustache 2.1.1 departs from the Mustache specification in a few places where TemplateSet
// follows it; inputs that hit them differ (OracleTests.testKnownDifferences shows each):
// - a list section inside an indented standalone partial (`  {{> nav}}` where nav iterates):
//   swift-mustache indents only the first iteration; TemplateSet indents every line;
// - a section whose opening and closing tags differ in being standalone (one alone on its line,
//   the other not): swift-mustache carries the opening tag's state past the closing tag, so the
//   next tag's standalone-ness (and a newline) can differ;
// - an indented standalone partial that renders nothing: swift-mustache still outputs the
//   indentation (prefixed to the next line); TemplateSet outputs nothing;
// - `\r\n`-terminated lines inside an indented partial: swift-mustache does not indent the line
//   after them; TemplateSet does;
// - a template's last line of only spaces/tabs (no newline): swift-mustache drops it;
// - `{{.}}` or `{{.name}}` inside an inverted section over an empty list: swift-mustache pushes
//   the empty list; TemplateSet pushes nothing.
// And by design:
// - interpolating a `.list` or `.map`: swift-mustache prints Swift's description of the
//   array/dictionary; TemplateSet prints nothing;
// - `"`, `'`, `<`, `>`, `&` followed by a combining mark: swift-mustache escapes whole graphemes
//   and leaves it unescaped; TemplateSet escapes the byte;
// - a missing partial is a compile error in TemplateSet (unless allowMissingPartials); no
//   inheritance, lambdas or transforms in TemplateSet;
// - the empty string is falsey in TemplateSet; swift-mustache treats "" as truthy, so the
//   conversion below hands it an empty, null-like value instead (interpolates as nothing).

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
    case .map(let members): return members.dictionary.mapValues(oracleObject) as [String: Any]
    case .object(let o): return o.fields.dictionary.mapValues(oracleObject) as [String: Any]
    }
}

/// "" for swift-mustache: interpolates as nothing, and is falsey in sections (as in TemplateSet).
struct OracleEmptyString: MustacheCustomRenderable, CustomStringConvertible {
    var renderText: String { "" }
    var isNull: Bool { true }
    var description: String { "" }
}
