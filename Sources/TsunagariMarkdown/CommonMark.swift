import Foundation
import CCmark

/// A Markdown body rendered by libcmark in its safe mode.
/// This file is the only place that sees libcmark's C types.
public struct RenderedMarkdown: Sendable, Equatable, Codable {
    /// HTML with raw HTML omitted, unsafe link targets emptied and ids on headings.
    public var html: String
    /// The text of the body without markup, for the search index and summaries.
    public var plainText: String
    /// Headings in order, with the id each got.
    public var headings: [Heading]
    /// Link destinations as written (after the scheme filter), for reference checks.
    public var links: [String]

    public struct Heading: Sendable, Equatable, Codable {
        public var level: Int
        public var text: String
        public var id: String
    }
}

public enum CommonMark {
    /// The version of the libcmark the process runs with (a system library: it can change
    /// between two runs of the same executable).
    public static var libraryVersion: String { String(cString: cmark_version_string()) }

    /// URL schemes a link or image in content may use. Anything else (javascript:, data:,
    /// vbscript:, file:, …) is emptied before rendering.
    public static let allowedSchemes: Set<String> = ["http", "https", "mailto", "tel"]

    /// Renders `markdown` to safe HTML. Smart punctuation stays off: it would turn
    /// Japanese quotation and dashes into Western forms.
    public static func render(_ markdown: String) -> RenderedMarkdown {
        var source = markdown
        let document: OpaquePointer? = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // No CMARK_OPT_VALIDATE_UTF8: a String's bytes are valid UTF-8 already.
                cmark_parse_document(chars.baseAddress, chars.count, CMARK_OPT_DEFAULT)
            }
        }
        guard let document else {
            return RenderedMarkdown(html: "", plainText: "", headings: [], links: [])
        }
        defer { cmark_node_free(document) }

        var headings: [RenderedMarkdown.Heading] = []
        var links: [String] = []
        // The plain text and a heading's text gathered as UTF-8 bytes (libcmark's are valid) and
        // made Strings once: a String for every text node was a tenth of rendering the Markdown.
        var plain: [UInt8] = []
        plain.reserveCapacity(markdown.utf8.count)
        var headingText: [UInt8]? = nil
        var headingLevel = 0
        var usedIDs: [String: Int] = [:]

        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            switch (type, event) {
            case (CMARK_NODE_LINK, CMARK_EVENT_ENTER), (CMARK_NODE_IMAGE, CMARK_EVENT_ENTER):
                let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
                if isSafeURL(url) {
                    links.append(url)
                } else {
                    cmark_node_set_url(node, "")
                }
            case (CMARK_NODE_HEADING, CMARK_EVENT_ENTER):
                headingText = []
                headingLevel = Int(cmark_node_get_heading_level(node))
            case (CMARK_NODE_HEADING, CMARK_EVENT_EXIT):
                let text = String(decoding: headingText ?? [], as: UTF8.self)
                let id = uniqueID(for: text, used: &usedIDs)
                headings.append(.init(level: headingLevel, text: text, id: id))
                headingText = nil
                plain.append(0x0A)
            case (CMARK_NODE_TEXT, _), (CMARK_NODE_CODE, _), (CMARK_NODE_CODE_BLOCK, _):
                if let literal = cmark_node_get_literal(node) {
                    let bytes = UnsafeRawBufferPointer(start: literal, count: strlen(literal))
                    plain.append(contentsOf: bytes)
                    if headingText != nil { headingText!.append(contentsOf: bytes) }
                }
            case (CMARK_NODE_SOFTBREAK, _), (CMARK_NODE_LINEBREAK, _):
                plain.append(0x20)
                if headingText != nil { headingText!.append(0x20) }
            case (CMARK_NODE_PARAGRAPH, CMARK_EVENT_EXIT), (CMARK_NODE_ITEM, CMARK_EVENT_EXIT):
                plain.append(0x0A)
            default:
                break
            }
        }

        // The HTML and the plain text are made Strings once each, from the bytes, reusing the
        // source's text (see ReusedUTF8).
        var html = ""
        if let rendered = cmark_render_html(document, CMARK_OPT_DEFAULT) {
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(rendered).assumingMemoryBound(to: UInt8.self),
                                            count: strlen(rendered))
            if headings.isEmpty {
                html = ReusedUTF8.string(bytes, reusing: markdown)
            } else {
                html = addHeadingIDs(bytes, headings).withUnsafeBufferPointer { ReusedUTF8.string($0, reusing: markdown) }
            }
            free(rendered)
        }
        let trimmedPlain = nonEmptyTrimmedLines(plain).withUnsafeBufferPointer { ReusedUTF8.string($0, reusing: markdown) }
        return RenderedMarkdown(html: html, plainText: trimmedPlain, headings: headings, links: links)
    }

    /// True for relative references and the allowed schemes. A scheme is what comes before
    /// the first ':' when no '/', '?' or '#' precedes it (RFC 3986).
    public static func isSafeURL(_ url: String) -> Bool {
        let trimmed = url.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard let colon = trimmed.firstIndex(of: ":") else { return !hasControlCharacters(url) }
        let head = trimmed[..<colon]
        if head.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return !hasControlCharacters(url) }
        return allowedSchemes.contains(head.lowercased()) && !hasControlCharacters(url)
    }

    private static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// A stable id from the heading text: letters and digits kept (Japanese included),
    /// spaces to '-', everything else dropped; repeats get -2, -3, …
    static func uniqueID(for text: String, used: inout [String: Int]) -> String {
        var base = ""
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                base.unicodeScalars.append(scalar)
            } else if scalar == " " || scalar == "-" || scalar == "_" || scalar == "\u{3000}" {
                if !base.isEmpty && !base.hasSuffix("-") { base += "-" }
            }
        }
        while base.hasSuffix("-") { base.removeLast() }
        if base.isEmpty { base = "section" }
        let count = (used[base] ?? 0) + 1
        used[base] = count
        return count == 1 ? base : "\(base)-\(count)"
    }

    /// libcmark writes headings as a bare `<hN>`; in safe mode no other `<hN>` can appear
    /// (raw HTML is omitted, code is escaped), so the n-th one is the n-th heading.
    static func addHeadingIDs(_ bytes: UnsafeBufferPointer<UInt8>, _ headings: [RenderedMarkdown.Heading]) -> [UInt8] {
        // One pass over the bytes: searching the rest of the string for each heading's tag
        // was quadratic (tens of thousands of headings took seconds). libcmark's bytes, not a
        // String of them: making one validated the HTML a second time.
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + headings.count * 24)
        var next = 0
        var i = 0
        while i < bytes.count {
            if next < headings.count, bytes[i] == UInt8(ascii: "<"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "h"),
               bytes[i + 2] == UInt8(ascii: "0") + UInt8(truncatingIfNeeded: headings[next].level), bytes[i + 3] == UInt8(ascii: ">") {
                out += Array("<h\(headings[next].level) id=\"\(escapeAttribute(headings[next].id))\">".utf8)
                next += 1
                i += 4
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    static func escapeAttribute(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// The lines of `text` without leading and trailing spaces and tabs, empty ones dropped,
/// joined by newlines, as UTF-8 bytes. Works on bytes: splitting by Character pays for
/// grapheme breaking on every Japanese character of every body.
func nonEmptyTrimmedLines(_ text: [UInt8]) -> [UInt8] {
    text.withUnsafeBufferPointer { bytes in
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var start = 0
        let count = bytes.count
        while start < count {
            // (The line's end found with memchr: a loop over the bytes was 0.6 % of a build.)
            let end = memchr(bytes.baseAddress! + start, 0x0A, count - start)
                .map { UnsafeRawPointer($0) - UnsafeRawPointer(bytes.baseAddress!) } ?? count
            var first = start
            var last = end
            while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
            while last > first && (bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) { last -= 1 }
            if first < last {
                if !out.isEmpty { out.append(0x0A) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[first..<last]))
            }
            start = end + 1
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
