/// One problem found in the site, located in the compiler style editors understand:
/// `content/windows/foo.md:12:7: error: unknown category 'kosodatee' (did you mean 'kosodate'?)`
public struct Diagnostic: Error, Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public enum Severity: String, Sendable, Hashable, Codable { case error, warning }

    /// Path relative to the site folder, with '/' separators.
    public var path: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    /// What to do about it, when there is something useful to say.
    public var hint: String?

    public init(path: String, line: Int, column: Int, severity: Severity, message: String, hint: String? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(path):\(line):\(column): \(severity.rawValue): \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }

    /// Sorted by path, then position, errors before warnings at the same place.
    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        if a.path != b.path { return a.path < b.path }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        if a.severity != b.severity { return a.severity == .error }
        return a.message < b.message
    }
}

/// A source position inside a file of the site.
public struct SourceLocation: Sendable, Hashable, Codable {
    public var path: String
    public var line: Int
    public var column: Int
    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }
    public static func file(_ path: String) -> SourceLocation { .init(path: path, line: 1, column: 1) }

    public func error(_ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(path: path, line: line, column: column, severity: .error, message: message, hint: hint)
    }
    public func warning(_ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(path: path, line: line, column: column, severity: .warning, message: message, hint: hint)
    }
}

/// Thrown by a build that found errors: carries every diagnostic of the run.
public struct BuildFailure: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics.sorted() }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
