// libFuzzer target: raw bytes → SourceFile.decode → FrontMatterDocument.split.
// Built by scripts/fuzz.sh (not by SwiftPM). Checks, besides "no crash, no hang":
// every error is located inside the file, and a successful split keeps line numbers right.
@testable import TsunagariCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    let file: SourceFile
    switch SourceFile.decode(path: "content/windows/x.md", bytes: bytes) {
    case .failure(let d):
        precondition(d.line >= 0 && d.line <= lines && d.column >= 0, "decode error outside the file: \(d)")
        return 0
    case .success(let f): file = f
    }
    precondition(!file.text.contains("\r"), "CR left after decoding")
    switch FrontMatterDocument.split(file) {
    case .failure(let d):
        precondition(d.line >= 0 && d.line <= lines, "split error outside the file: \(d)")
    case .success(let doc):
        let textLines = file.text.split(separator: "\n", omittingEmptySubsequences: false).count
        precondition(doc.bodyFirstLine >= 3 && doc.bodyFirstLine <= textLines + 1, "body line \(doc.bodyFirstLine) of \(textLines)")
        // The front matter is exactly lines 2 ..< closing line of the file.
        let frontLines = doc.frontMatter.split(separator: "\n", omittingEmptySubsequences: false).count
        precondition(doc.bodyFirstLine - 3 == (doc.frontMatter.isEmpty && doc.bodyFirstLine == 3 ? 0 : frontLines),
                     "front matter lines \(frontLines) vs body line \(doc.bodyFirstLine)")
    }
    return 0
}
