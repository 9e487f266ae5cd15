// libFuzzer target: raw bytes → YAML.parse(bytes:) → the typed tree → FieldReader (the
// YAML-to-value conversion every entry goes through). Built by scripts/fuzz.sh.
// Checks: only YAMLError is thrown, every mark (node or error) lies inside the input, the
// tree respects the limits (depth, nodes).
@testable import TsunagariCore
import TsunagariYAML
import TsunagariMarkdown

private let limits = YAMLLimits(maxDepth: 64, maxNodes: 20_000, maxBytes: 1 << 20)

private func walk(_ node: YAMLNode, depth: Int, lines: Int, count: inout Int) {
    precondition(node.mark.line >= 1 && node.mark.line <= lines && node.mark.column >= 1, "mark \(node.mark) outside \(lines) lines")
    count += 1
    switch node.value {
    case .sequence(let items):
        precondition(depth < limits.maxDepth, "depth over the limit")
        for item in items { walk(item, depth: depth + 1, lines: lines, count: &count) }
    case .mapping(let pairs):
        precondition(depth < limits.maxDepth, "depth over the limit")
        for pair in pairs {
            walk(pair.key, depth: depth + 1, lines: lines, count: &count)
            walk(pair.value, depth: depth + 1, lines: lines, count: &count)
        }
    default: break
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lines = bytes.reduce(1) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) }
    do {
        let node = try YAML.parse(bytes: bytes, limits: limits)
        var count = 0
        walk(node, depth: 0, lines: lines, count: &count)
        precondition(count <= limits.maxNodes, "\(count) nodes")
        // The conversion to typed fields: every reader on the same tree.
        let reader = FieldReader(path: "x.yml", node: node, what: "front matter")
        _ = EntryDecoding.window(reader, origin: EntryOrigin(path: "x.md", slug: "x"), body: CommonMark.render(""))
        for d in reader.diagnostics { precondition(d.line >= 1 && d.line <= lines, "diagnostic outside: \(d)") }
        _ = EntryDecoding.term(FieldReader(path: "x.yml", node: node, what: "a term"))
        _ = EntryDecoding.municipality(FieldReader(path: "x.yml", node: node, what: "a municipality"))
        _ = SiteConfig.decode(SourceFile(path: "site.yml", text: String(decoding: bytes, as: UTF8.self)))
    } catch let error as YAMLError {
        precondition(error.mark.line >= 1 && error.mark.line <= lines && error.mark.column >= 1, "error mark \(error.mark) outside \(lines) lines: \(error.message)")
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
    return 0
}
