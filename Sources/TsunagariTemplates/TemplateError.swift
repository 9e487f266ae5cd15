/// A template that does not compile, a partial or template name that names no template, or a
/// partial nesting that exceeds `TemplateSet.maxPartialDepth`.
///
/// `line` and `column` are 1-based and point at the start of the offending tag (its opening
/// delimiter); the column counts Unicode scalars. Errors that belong to no position (an unknown
/// template name passed to `render`, an unreadable directory) have line 0, column 0.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var template: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(template: String, line: Int, column: Int, message: String) {
        self.template = template
        self.line = line
        self.column = column
        self.message = message
    }

    /// `page:3:7: unclosed section 'posts'`, or `page: message` when there is no position.
    public var description: String {
        if line > 0 { return "\(template):\(line):\(column): \(message)" }
        return "\(template): \(message)"
    }
}

/// 1-based line and column (in Unicode scalars) of byte `offset` in `bytes`.
func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    var i = 0
    let end = min(offset, bytes.count)
    while i < end {
        let b = bytes[i]
        if b == 10 {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
            column += 1
        }
        i += 1
    }
    return (line, column)
}
