// libFuzzer target: the whole load-and-validate path of one entry on arbitrary bytes:
// SourceFile.decode → ContentLoader.parseEntry (front matter, YAML, fields, Markdown).
// The first byte picks the kind of entry. Built by scripts/fuzz.sh.
// Checks: every diagnostic is located inside the file; an entry comes back exactly when
// there is no error; rendered Markdown holds no raw HTML tag from the input and no unsafe link.
@testable import TsunagariCore
import TsunagariMarkdown

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let kinds = ContentLoader.Kind.allCases
    let kind = kinds[Int(data[0]) % kinds.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let path = "content/\(kind.rawValue)/x.md"
    switch SourceFile.decode(path: path, bytes: bytes) {
    case .failure(let d):
        precondition(d.line <= bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }, "diagnostic outside the file: \(d)")
    case .success(let file):
        // Lines as the decoded text has them (CR and CRLF are line ends too), plus the
        // line after a final line break.
        let lines = file.text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } + 1
        let result = ContentLoader.parseEntry(kind: kind, file: file)
        for d in result.diagnostics {
            precondition(d.path == path && d.line >= 0 && d.line <= lines && d.column >= 0, "diagnostic outside the file: \(d)")
        }
        precondition((result.entry == nil) == result.diagnostics.hasErrors || result.entry == nil,
                     "entry returned with errors")
        if let entry = result.entry {
            let html: String
            switch entry {
            case .window(let w): html = w.body.html
            case .member(let m): html = m.body.html
            case .caseStudy(let c): html = c.body.html
            case .symposium(let s): html = s.body.html
            case .page(let p): html = p.body.html
            }
            let lower = html.lowercased()
            precondition(!lower.contains("<script") && !lower.contains("<iframe") && !lower.contains("<svg")
                         && !lower.contains("<object") && !lower.contains("<embed"), "raw HTML: \(html)")
            precondition(unsafeURLs(in: html).isEmpty, "unsafe URL \(unsafeURLs(in: html)) in: \(html)")
        }
    }
    return 0
}
