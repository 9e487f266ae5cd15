import Foundation

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
        var names: [NameKey: EntryOrigin] = [:]
        names.reserveCapacity(content.windows.count)
        for i in content.windows.indices.sorted(by: { content.windows[$0].origin.path < content.windows[$1].origin.path }) {
            let w = content.windows[i]
            let key = NameKey(w.name)
            if let other = names[key] {
                diagnostics.append(SourceLocation.file(w.origin.path).warning(
                    "window '\(w.origin.slug)' has the same name as '\(other.slug)' (\(other.path)): \(w.name)",
                    hint: "if they are one service, merge them; otherwise make the names tell them apart"))
            } else {
                names[key] = w.origin
            }
        }
        return diagnostics
    }
}

/// A name as a dictionary key, equal when the Strings are (canonically equivalent), hashed
/// from UTF-8 bytes: Swift hashes a non-ASCII String through its NFC form, a scalar at a
/// time, which made this check 1.2 % of a build's instructions at 10,000 windows.
struct NameKey: Hashable {
    let name: String
    /// The NFC form's UTF-8: the name's own bytes when it can only be in NFC already.
    let canonical: [UInt8]

    init(_ name: String) {
        self.name = name
        canonical = NameKey.isNFCAlready(name) ? Array(name.utf8) : Array(name.precomposedStringWithCanonicalMapping.utf8)
    }

    static func == (a: NameKey, b: NameKey) -> Bool { a.canonical == b.canonical }

    func hash(into hasher: inout Hasher) {
        canonical.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Text of characters that NFC leaves alone and that nothing in the text can compose
    /// with: below U+0300 (no combining marks there), CJK punctuation, kana without the
    /// combining voicing marks, the CJK Unified Ideographs and the full-width forms. Any other
    /// character sends the name through Foundation's NFC.
    static func isNFCAlready(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { s in
            switch s.value {
            case 0..<0x300, 0x3000...0x3098, 0x309B...0x30FF, 0x4E00...0x9FFF, 0xFF01...0xFF9F: return true
            default: return false
            }
        }
    }
}
