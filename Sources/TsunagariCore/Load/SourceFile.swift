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
        if let index = firstIndex(of: 0, in: content) {
            let (line, column) = position(of: index, in: content)
            return .failure(SourceLocation(path: path, line: line, column: column).error(
                "NUL character in text file", hint: "remove it; the file may be binary"))
        }
        if firstIndex(of: 0x0D, in: content) != nil {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        return .success(SourceFile(path: path, text: text))
    }

    /// Index of the first `byte` (memchr: a byte-by-byte loop was a tenth of reading a file).
    static func firstIndex(of byte: UInt8, in bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let found = memchr(base, Int32(byte), buffer.count) else { return nil }
            return bytes.startIndex + (UnsafeRawPointer(found) - UnsafeRawPointer(base))
        }
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
        var text = file.text
        // Compared as bytes: String's hasPrefix compares Characters with Unicode's rules, which
        // was a tenth of splitting a file. The same answer: these end with a newline, always a
        // Character of its own, and no other characters are canonically equivalent to them.
        guard text.utf8.starts(with: "---\n".utf8) || text.utf8.elementsEqual("---".utf8) || text.utf8.starts(with: "--- \n".utf8) else {
            return .failure(SourceLocation.file(file.path).error(
                "missing front matter",
                hint: "start the file with a line '---', the fields, and another line '---'"))
        }
        guard let lines = text.withUTF8(FrontMatterDocument.frontMatterLines) else {
            return .failure(SourceLocation.file(file.path).error(
                "front matter is not closed",
                hint: "add a line '---' after the last field"))
        }
        let utf8 = text.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(text.startIndex, offsetBy: offset) }
        // The lines between, without the newline that ends the last one.
        let frontMatter = lines.end > lines.start ? String(text[index(lines.start)..<index(lines.end - 1)]) : ""
        return .success(FrontMatterDocument(
            frontMatter: frontMatter,
            frontMatterLineOffset: 1,
            body: String(text[index(lines.body)...]),
            bodyFirstLine: lines.closingLine + 1))
    }

    /// Byte offsets of the front matter's first line, of its closing line and of the body after
    /// it, and the closing line's number; nil when no line closes it. Lines are found with
    /// memchr on the bytes: a Character-wise search paid for grapheme breaking on every
    /// Japanese character, and comparing each line as a String took Unicode's slow path.
    static func frontMatterLines(_ bytes: UnsafeBufferPointer<UInt8>) -> (start: Int, end: Int, body: Int, closingLine: Int)? {
        let count = bytes.count
        /// Where the line from `i` ends: its newline, or the end of the text.
        func lineEnd(from i: Int) -> Int {
            guard i < count, let p = memchr(bytes.baseAddress! + i, 0x0A, count - i) else { return count }
            return UnsafeRawPointer(p) - UnsafeRawPointer(bytes.baseAddress!)
        }
        let start = min(count, lineEnd(from: 0) + 1)
        var lineNumber = 1
        var index = start
        while index < count {
            lineNumber += 1
            let end = lineEnd(from: index)
            let next = min(count, end + 1)
            if isClosing(UnsafeBufferPointer(rebasing: bytes[index..<end])) { return (start, index, next, lineNumber) }
            index = next
        }
        return nil
    }

    /// `---`, `...`, or `--- ` followed by nothing but dashes and spaces.
    static func isClosing(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        if line.count == 3 && (line.allSatisfy { $0 == 0x2D } || line.allSatisfy { $0 == 0x2E }) { return true }
        return line.count >= 4 && line[0] == 0x2D && line[1] == 0x2D && line[2] == 0x2D && line[3] == 0x20
            && line.allSatisfy { $0 == 0x2D || $0 == 0x20 }
    }
}
