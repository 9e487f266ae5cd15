import Foundation

/// Reads the index files back and ranks a query as the browser does (search.js `search` and
/// `rank`): the reference the unit tests hold the format and the scoring to, and a way to
/// try a query from Swift.
public struct SearchReader: Sendable {
    public struct Manifest: Sendable {
        public var documents: Int
        public var kinds: [Int]
        public var crisis: Int
        public var folder: String
        public var shards: Int
        public var categories: [String]
        public var stages: [String]
        public var regions: [String]
        public var attributes: [String]
    }

    public let manifest: Manifest
    /// Each shard: token → entry.
    public let shards: [[String: SearchIndexer.Entry]]
    /// Every group's documents, in global group order (categories, stages, regions, attributes).
    public let groups: [[Int]]

    /// The ranking constants search.js uses.
    public static let crisisBoost = 1.5
    /// Member groups, case studies, reports and pages count for less than windows: a resident
    /// looking for help sees the windows first.
    public static let otherKinds = 0.3
    public static let coverage = 0.5

    struct FormatError: Error, CustomStringConvertible { var description: String }

    /// `files`: the index's files (paths below the site's base), `manifestPath` among them.
    public init(files: [OutputFile], manifestPath: String) throws {
        var byPath: [String: [UInt8]] = [:]
        for f in files { byPath[f.path] = f.bytes }
        guard let bytes = byPath[manifestPath],
              let json = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw FormatError(description: "no manifest at \(manifestPath)")
        }
        func strings(_ key: String) -> [String] { json[key] as? [String] ?? [] }
        manifest = Manifest(documents: json["n"] as? Int ?? 0, kinds: json["k"] as? [Int] ?? [], crisis: json["x"] as? Int ?? 0,
                            folder: json["d"] as? String ?? "", shards: json["t"] as? Int ?? 0,
                            categories: strings("c"), stages: strings("s"), regions: SearchIndexer.expandRegionCodes(json["r"] as? String ?? ""), attributes: strings("a"))
        let base = SearchIndexer.folder + manifest.folder
        var shards: [[String: SearchIndexer.Entry]] = []
        for i in 0..<manifest.shards {
            guard let bytes = byPath[base + "t/\(i).bin"] else { throw FormatError(description: "no shard \(i)") }
            shards.append(try SearchReader.decodeShard(bytes))
        }
        self.shards = shards
        var groups: [[Int]] = []
        for kind in SearchGroup.Kind.allCases {
            guard let bytes = byPath[base + "\(kind.rawValue).bin"] else { throw FormatError(description: "no group file \(kind.rawValue)") }
            groups += SearchReader.decodeGroups(bytes)
        }
        self.groups = groups
    }

    public static func decodeShard(_ bytes: [UInt8]) throws -> [String: SearchIndexer.Entry] {
        var o = 0
        var out: [String: SearchIndexer.Entry] = [:]
        let count = VarInt.read(bytes, &o)
        for _ in 0..<count {
            let length = VarInt.read(bytes, &o)
            guard o + length <= bytes.count, let token = String(bytes: bytes[o..<(o + length)], encoding: .utf8) else {
                throw FormatError(description: "bad token at \(o)")
            }
            o += length
            let df = VarInt.read(bytes, &o)
            var hits: [(group: Int, level: Int)] = []
            for _ in 0..<VarInt.read(bytes, &o) {
                let g = VarInt.read(bytes, &o)
                hits.append((g, Int(bytes[o]))); o += 1
            }
            var postings: [(doc: Int, level: Int)] = []
            var doc = -1
            for _ in 0..<VarInt.read(bytes, &o) {
                let x = VarInt.read(bytes, &o)
                doc += (x >> 5) + 1
                postings.append((doc, x & 31))
            }
            out[token] = SearchIndexer.Entry(df: df, groupHits: hits, postings: postings)
        }
        return out
    }

    public static func decodeGroups(_ bytes: [UInt8]) -> [[Int]] {
        var o = 0
        var groups: [[Int]] = []
        for _ in 0..<VarInt.read(bytes, &o) {
            let head = VarInt.read(bytes, &o)
            var docs: [Int] = []
            if head & 1 == 1 {
                let length = head >> 1
                for j in 0..<length {
                    for bit in 0..<8 where bytes[o + j] & UInt8(1 << bit) != 0 { docs.append(j * 8 + bit) }
                }
                o += length
            } else if head & 2 == 2 {
                var previous = -1
                for _ in 0..<(head >> 2) {
                    previous += VarInt.read(bytes, &o) + 1
                    docs.append(previous)
                }
            } else {
                var end = 0
                for _ in 0..<(head >> 2) {
                    let start = end + VarInt.read(bytes, &o)
                    let length = VarInt.read(bytes, &o) + 1
                    docs += Array(start..<(start + length))
                    end = start + length
                }
            }
            groups.append(docs)
        }
        return groups
    }

    public func shard(of token: String) -> Int { SearchIndexer.shard(of: token, count: manifest.shards) }

    public func entry(_ token: String) -> SearchIndexer.Entry? { shards[shard(of: token)][token] }

    static func weight(_ level: Int) -> Double { pow(2, Double(level) / 4) }

    /// Document ids for `query`, best first: BM25 impacts summed over the query's tokens
    /// (the last word completed as a prefix while typing), crisis lines boosted, other kinds
    /// of entry than windows weighed less, documents
    /// holding under half the query's idf left out; ties go to windows, then lower ids.
    public func search(_ query: String) -> [Int] {
        let n = manifest.documents
        let tokens = SearchText.queryTokens(query)
        let runs = SearchText.runs(normalized: SearchText.normalize(query))
        var prefix: String? = nil
        if let last = runs.last, !last.japanese, !(query.last?.isWhitespace ?? false) { prefix = last.text }
        var scores = [Double](repeating: 0, count: n)
        var cover = [Double](repeating: 0, count: n)
        var total = 0.0
        for token in tokens {
            var entries: [SearchIndexer.Entry] = []
            if token == prefix {
                entries = shards[shard(of: token)].filter { $0.key.hasPrefix(token) }.sorted { $0.key < $1.key }.map(\.value)
            } else if let e = entry(token) {
                entries = [e]
            }
            guard !entries.isEmpty else { continue }
            let df = entries.map(\.df).max()!
            let idf = log(1 + (Double(n) - Double(df) + 0.5) / (Double(df) + 0.5))
            total += idf
            var best: [Int: Double] = [:]
            for e in entries { for p in e.postings { best[p.doc] = max(best[p.doc] ?? 0, SearchReader.weight(p.level)) } }
            var hit: [Int: Double] = [:]
            for e in entries { for h in e.groupHits { for d in groups[h.group] { hit[d] = max(hit[d] ?? 0, SearchReader.weight(h.level)) } } }
            for (d, w) in hit { best[d, default: 0] += w }
            for (d, w) in best { scores[d] += w; cover[d] += idf }
        }
        for d in 0..<min(manifest.crisis, n) { scores[d] *= SearchReader.crisisBoost }
        let windows = manifest.kinds.first ?? 0
        for d in windows..<max(windows, n) { scores[d] *= SearchReader.otherKinds }
        return (0..<n).filter { cover[$0] > 0 && cover[$0] >= total * SearchReader.coverage - 1e-9 }.sorted { a, b in
            if scores[a] != scores[b] { return scores[a] > scores[b] }
            let wa = a < windows ? 0 : 1, wb = b < windows ? 0 : 1
            return wa != wb ? wa < wb : a < b
        }
    }
}
