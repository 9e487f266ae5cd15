/// Entries that look like the same thing twice. Slugs are already a-z, 0-9 and '-' (so no two
/// differ only by case or Unicode form), and one folder cannot hold the same file name twice;
/// what slips through is a copy under a near-identical slug (`tokyo-line` and `tokyoline`) or
/// a copied file whose name was not changed. Residents then find two pages for one service.
enum DuplicateSlugs {
    static func check(_ content: LoadedContent) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func collide(_ kind: String, _ origins: [EntryOrigin]) {
            var first: [String: EntryOrigin] = [:]
            for o in origins.sorted(by: { $0.path < $1.path }) {
                // (Bytes, not Foundation's replacingOccurrences: that was most of this check.)
                let key = String(decoding: o.slug.utf8.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self)
                if let other = first[key] {
                    diagnostics.append(SourceLocation.file(o.path).warning(
                        "\(kind) slug '\(o.slug)' differs from '\(other.slug)' (\(other.path)) only by '-'",
                        hint: "merge the two files, or rename one so the URLs are clearly different"))
                } else {
                    first[key] = o
                }
            }
        }
        collide("window", content.windows.map(\.origin))
        collide("member group", content.members.map(\.origin))
        collide("case", content.cases.map(\.origin))
        collide("symposium", content.symposia.map(\.origin))
        collide("page", content.pages.map(\.origin))

        // The same name on two windows: usually a file copied for a new entry and not edited.
        var names: [String: EntryOrigin] = [:]
        for i in content.windows.indices.sorted(by: { content.windows[$0].origin.path < content.windows[$1].origin.path }) {
            let w = content.windows[i]
            if let other = names[w.name] {
                diagnostics.append(SourceLocation.file(w.origin.path).warning(
                    "window '\(w.origin.slug)' has the same name as '\(other.slug)' (\(other.path)): \(w.name)",
                    hint: "if they are one service, merge them; otherwise make the names tell them apart"))
            } else {
                names[w.name] = w.origin
            }
        }
        return diagnostics
    }
}
