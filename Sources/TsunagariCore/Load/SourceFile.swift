import Foundation

/// A text file of the site, read as bytes and checked before anything parses it:
/// size limit, valid UTF-8 (located), BOM dropped, CRLF folded to LF.
public struct SourceFile: Sendable {
    /// Path relative to the site folder, '/'-separated: the name diagnostics use.
    public var path: String
    public var text: String

    public static let maxBytes = 1 << 20

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// Decodes `bytes`, reporting invalid UTF-8 at the line and column of the first bad byte.
    public static func decode(path: String, bytes: [UInt8]) -> Result<SourceFile, Diagnostic> {
        if bytes.count > maxBytes {
            return .failure(SourceLocation.file(path).error(
                "file is \(bytes.count) bytes, over the limit of \(maxBytes)",
                hint: "split it into smaller entries"))
        }
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let content = bytes[start...]
        // One validating pass makes the text; only invalid input is scanned again for the place.
        guard var text = String(validating: content, as: UTF8.self) else {
            let bad = firstInvalidUTF8(content) ?? content.startIndex
            let (line, column) = position(of: bad, in: content)
            return .failure(SourceLocation(path: path, line: line, column: column).error(
                "invalid UTF-8 byte 0x\(String(content[bad], radix: 16, uppercase: true))",
                hint: "save the file as UTF-8"))
        }
        if content.contains(0) {
            let index = content.firstIndex(of: 0)!
            let (line, column) = position(of: index, in: content)
            return .failure(SourceLocation(path: path, line: line, column: column).error(
                "NUL character in text file", hint: "remove it; the file may be binary"))
        }
        if content.contains(0x0D) {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        return .success(SourceFile(path: path, text: text))
    }

    /// Index of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var minScalar: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07); minScalar = 0x10000
            default: return i
            }
            if i + length > end { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                if c & 0xC0 != 0x80 { return i }
                scalar = (scalar << 6) | UInt32(c & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += length
        }
        return nil
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func position(of index: Int, in bytes: ArraySlice<UInt8>) -> (Int, Int) {
        var line = 1
        var column = 1
        var i = bytes.startIndex
        while i < index {
            let b = bytes[i]
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}

/// A Markdown file split into its YAML front matter and its body.
public struct FrontMatterDocument: Sendable {
    public var frontMatter: String
    /// Lines before the front matter's first line (the opening `---`): add to YAML lines.
    public var frontMatterLineOffset: Int
    public var body: String
    public var bodyFirstLine: Int

    /// The file must start with a `---` line; the front matter ends at the next `---` or `...` line.
    public static func split(_ file: SourceFile) -> Result<FrontMatterDocument, Diagnostic> {
        let text = file.text
        guard text.hasPrefix("---\n") || text == "---" || text.hasPrefix("--- \n") else {
            return .failure(SourceLocation.file(file.path).error(
                "missing front matter",
                hint: "start the file with a line '---', the fields, and another line '---'"))
        }
        // Lines are found by their UTF-8 newline bytes (a Character-wise search pays for
        // grapheme breaking on every Japanese character).
        let utf8 = text.utf8
        let end = text.endIndex
        func lineEnd(from i: String.Index) -> String.Index { utf8[i...].firstIndex(of: 0x0A) ?? end }
        func next(after lineEnd: String.Index) -> String.Index { lineEnd < end ? utf8.index(after: lineEnd) : end }
        var lineNumber = 1
        var bodyStart: String.Index? = nil
        let frontStart = next(after: lineEnd(from: text.startIndex))   // after the opening line
        var frontEnd = frontStart
        var index = frontStart
        while index < end {
            lineNumber += 1
            let lineEnd = lineEnd(from: index)
            let line = text[index..<lineEnd]
            if line == "---" || line == "..." || line.hasPrefix("--- ") && line.allSatisfy({ $0 == "-" || $0 == " " }) {
                bodyStart = next(after: lineEnd)
                frontEnd = index
                break
            }
            index = next(after: lineEnd)
        }
        guard let bodyStart else {
            return .failure(SourceLocation.file(file.path).error(
                "front matter is not closed",
                hint: "add a line '---' after the last field"))
        }
        // The lines between, without the newline that ends the last one.
        let frontMatter = frontEnd > frontStart ? String(text[frontStart..<utf8.index(before: frontEnd)]) : ""
        return .success(FrontMatterDocument(
            frontMatter: frontMatter,
            frontMatterLineOffset: 1,
            body: String(text[bodyStart...]),
            bodyFirstLine: lineNumber + 1))
    }
}
