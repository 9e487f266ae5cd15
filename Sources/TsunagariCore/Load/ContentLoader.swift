import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TsunagariMarkdown
import TsunagariYAML
import TsunagariTemplates

/// The site folder on disk: where files are read from, with every path kept inside it.
public struct SiteFolder: Sendable {
    public let root: URL

    /// `root.path`, kept: asking the URL for its path on every file read was a tenth of reading it.
    let rootPath: String

    /// The real path of the root, symbolic links resolved (computed once: every read checks it).
    let realRoot: String

    /// Folders whose real path was found inside the root (asked once per folder and SiteFolder).
    let insideFolders = InsideFolders()

    /// Every file read, with a fingerprint of its bytes (nil: not kept).
    let reads: ReadLog?

    /// Entry listings shared with other SiteFolders of the same build (nil: listed each time).
    let listings: Listings?

    /// `logReads`: keep a fingerprint of every file read (`reads`), for a build that keeps a
    /// record of what its files were made from (see OutputRecord). `listings`: each content
    /// folder listed once for all the SiteFolders given it (one build's).
    public init(root: URL, logReads: Bool = false, listings: Listings? = nil) {
        self.root = root.standardizedFileURL
        rootPath = self.root.path
        realRoot = SiteFolder.realPath(rootPath) ?? self.root.resolvingSymlinksInPath().path
        reads = logReads ? ReadLog() : nil
        self.listings = listings
    }

    /// The entry files of each content folder, listed once by the first SiteFolder to ask
    /// (another asking meanwhile waits for it). A build lists them on the thread that makes
    /// the output's folders early and again to load them: 0.4 % of its instructions.
    public final class Listings: @unchecked Sendable {
        private let condition = NSCondition()
        private var done: [String: ([String], [Diagnostic])] = [:]
        private var inProgress: Set<String> = []

        public init() {}

        func entryFiles(in folder: String, list: () -> ([String], [Diagnostic])) -> ([String], [Diagnostic]) {
            condition.lock()
            while inProgress.contains(folder) { condition.wait() }
            if let known = done[folder] {
                condition.unlock()
                return known
            }
            inProgress.insert(folder)
            condition.unlock()
            let result = list()
            condition.lock()
            done[folder] = result
            inProgress.remove(folder)
            condition.broadcast()
            condition.unlock()
            return result
        }
    }

    /// The files a load read and their bytes' fingerprints: what the site's content is, in one
    /// fingerprint (what open data, feeds and the sitemap are made from).
    final class ReadLog: @unchecked Sendable {
        private let lock = NSLock()
        private var files: [(path: String, bytes: Fingerprint128)] = []

        func add(_ path: String, _ bytes: [UInt8]) {
            var hasher = StableHasher()
            hasher.combine(bytes)
            let f = hasher.finalize()
            lock.withLock { files.append((path, f)) }
        }

        /// Of the files read (by path: they were read in any order, on several threads).
        var fingerprint: Fingerprint128 {
            var hasher = StableHasher()
            for file in lock.withLock({ files }).sorted(by: { $0.path < $1.path }) {
                hasher.combine(file.path)
                hasher.combine(file.bytes)
            }
            return hasher.finalize()
        }
    }

    final class InsideFolders: @unchecked Sendable {
        private let lock = NSLock()
        private var known: [String: Bool] = [:]

        /// Whether `folder` (relative, "" for the root) resolves to a folder inside the site.
        func contains(_ folder: String, of site: SiteFolder) -> Bool {
            if let answer = lock.withLock({ known[folder] }) { return answer }
            let answer = SiteFolder.realPath(folder.isEmpty ? site.rootPath : site.rootPath + "/" + folder).map(site.isInside) ?? false
            lock.withLock { known[folder] = answer }
            return answer
        }
    }

    /// realpath(3): a few system calls, where Foundation's resolvingSymlinksInPath costs far more
    /// on every one of tens of thousands of files.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Reads a file given by a path relative to the root, refusing anything that ends up
    /// outside the site folder (a symbolic link leading out, say).
    func read(_ relative: String) -> Result<SourceFile, Diagnostic> {
        // A file that is no symbolic link (O_NOFOLLOW) in a folder known to be inside is read
        // at once: resolving each of 10,000 paths cost a readlink per part of the path.
        // O_NONBLOCK: a FIFO is refused below instead of blocking the open.
        var fd: Int32 = -1
        // The last '/' found in the UTF-8 bytes: a Character-wise search was an eighth of a read.
        let folder = relative.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(relative[..<$0]) } ?? ""
        if insideFolders.contains(folder, of: self) {
            fd = open(rootPath + "/" + relative, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        }
        if fd < 0 {
            guard let real = SiteFolder.realPath(rootPath + "/" + relative) else {
                return .failure(SourceLocation.file(relative).error("cannot read file"))
            }
            guard isInside(real) else {
                return .failure(SourceLocation.file(relative).error("path leads outside the site folder", hint: "replace the symbolic link by the file itself"))
            }
            fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { return .failure(SourceLocation.file(relative).error("cannot read file")) }
        }
        defer { close(fd) }
        // Size and kind before reading: a huge (or endless) file is never read in full.
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(SourceLocation.file(relative).error("cannot read file"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(SourceLocation.file(relative).error("not a regular file", hint: "content files must be plain files"))
        }
        if Int(info.st_size) > SourceFile.maxBytes {
            return .failure(SourceLocation.file(relative).error(
                "file is \(info.st_size) bytes, over the limit of \(SourceFile.maxBytes)", hint: "split it into smaller entries"))
        }
        guard let bytes = SiteFolder.readBytes(fd, size: Int(info.st_size)) else {
            return .failure(SourceLocation.file(relative).error("cannot read file"))
        }
        reads?.add(relative, bytes)
        return SourceFile.decode(path: relative, bytes: bytes)
    }

    func isInside(_ real: String) -> Bool { real == realRoot || real.hasPrefix(realRoot + "/") }

    /// The whole file with POSIX read (no Data or URL in between).
    static func readBytes(_ fd: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, size - filled) }
            if n < 0 { return nil }
            if n == 0 { break }
            filled += n
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// False when a part of `relative` that exists is a symbolic link leading out of the site
    /// folder (or nowhere): site.yml's `output: out/public` with `out -> /elsewhere` would
    /// otherwise write outside it.
    func staysInside(_ relative: String) -> Bool {
        var path = rootPath
        for part in relative.split(separator: "/") {
            path += "/" + part
            var info = stat()
            guard lstat(path, &info) == 0 else { return true }   // nothing below exists
            guard info.st_mode & S_IFMT == S_IFLNK else { continue }
            guard let resolved = realpath(path, nil) else { return false }   // dangling
            let real = String(cString: resolved)
            free(resolved)
            guard isInside(real) else { return false }
        }
        return true
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relative).path)
    }

    /// Entry files of a content folder: `*.md` whose names are slugs, sorted. Other names are
    /// reported, hidden files are skipped.
    func entryFiles(in folder: String) -> ([String], [Diagnostic]) {
        guard let listings else { return listEntryFiles(in: folder) }
        return listings.entryFiles(in: folder) { listEntryFiles(in: folder) }
    }

    private func listEntryFiles(in folder: String) -> ([String], [Diagnostic]) {
        // readdir with the entry's type: the preview server lists every folder on each
        // rebuild, and a stat and a URL per file were a tenth of a one-file edit at 10,000.
        guard let names = FolderListing.read(rootPath + "/" + folder) else { return ([], []) }
        var files: [String] = []
        var problems: [Diagnostic] = []
        let prefix = folder + "/"
        // (Names tested by their bytes: String's hasPrefix, hasSuffix and dropLast go by
        // Characters, and were most of listing 10,000 files.)
        let dot = UInt8(ascii: "."), md: [UInt8] = Array(".md".utf8)
        for (name, isDirectory) in names where name.utf8.first != dot {
            let path = prefix + name
            if isDirectory {
                problems.append(SourceLocation.file(path).error("unexpected folder in \(folder)/", hint: "entries are files directly in \(folder)/"))
                continue
            }
            guard name.utf8.count > 3, name.utf8.suffix(3).elementsEqual(md) else {
                problems.append(SourceLocation.file(path).warning("ignored: only .md files are entries"))
                continue
            }
            let slug = String(name.utf8.dropLast(3))!
            guard Slug.isValid(slug) else {
                problems.append(SourceLocation.file(path).error("file name '\(slug)' is not a valid slug: it becomes the URL",
                                                               hint: Slug.suggestionHint(slug).hasPrefix("for example") ? "use lower-case ASCII letters, digits and '-'; \(Slug.suggestionHint(slug))" : Slug.suggestionHint(slug)))
                continue
            }
            files.append(path)
        }
        return (files, problems)
    }
}

/// Stage 1: files → front matter → typed entries. Every problem is collected.
public enum ContentLoader {
    public enum Kind: String, CaseIterable, Sendable {
        case windows, members, cases, symposia, pages
        var folder: String { "content/" + rawValue }
    }

    public static func loadConfig(_ site: SiteFolder) -> (SiteConfig, [Diagnostic]) {
        guard site.exists("site.yml") else {
            return (SiteConfig(), [SourceLocation.file("site.yml").error("site.yml not found", hint: "run in a site folder or pass --source")])
        }
        switch site.read("site.yml") {
        case .failure(let d): return (SiteConfig(), [d])
        case .success(let file):
            var (config, problems) = SiteConfig.decode(file)
            if let at = config.outputLocation, !site.staysInside(config.output) {
                problems.append(at.error("output '\(config.output)' leads outside the site folder through a symbolic link"))
                config.output = SiteConfig().output
            }
            return (config, problems)
        }
    }

    public static func load(_ site: SiteFolder, threads: Int = BuildThreads.count, cache: EntryCache? = nil) -> (LoadedContent, [Diagnostic]) {
        load(site, threads: threads, cache: cache, parseCache: nil)
    }

    /// As `load`; with `parseCache`, an entry file whose text is unchanged is read back from it
    /// (and every entry's parse is recorded in it; `ParseCache.save` writes it).
    static func load(_ site: SiteFolder, threads: Int, cache: EntryCache?, parseCache: ParseCache?) -> (LoadedContent, [Diagnostic]) {
        var content = LoadedContent()
        var diagnostics: [Diagnostic] = []

        // The taxonomies on a thread of their own, beside the listing and the entries (the
        // municipalities' file alone is a few milliseconds on one core before the parsing).
        let taxonomies = Background { () -> (taxonomies: Taxonomies, diagnostics: [Diagnostic]) in
            var diagnostics: [Diagnostic] = []
            func terms(_ name: String) -> [Term] {
                let (list, problems) = readList("content/taxonomies/\(name).yml", site: site, what: "a term", EntryDecoding.term)
                diagnostics += problems
                return list.sorted { ($0.order, $0.slug) < ($1.order, $1.slug) }
            }
            let categories = terms("categories"), lifeStages = terms("life-stages"), points = terms("points")
            let (municipalities, problems) = readList("content/taxonomies/municipalities.yml", site: site, what: "a municipality", EntryDecoding.municipality)
            diagnostics += problems
            return (Taxonomies(categories: categories, lifeStages: lifeStages, points: points, municipalities: municipalities), diagnostics)
        }

        // Every entry file of every kind, parsed in parallel; results keep file order.
        var jobs: [(Kind, String)] = []
        for kind in Kind.allCases {
            let (files, problems) = site.entryFiles(in: kind.folder)
            diagnostics += problems
            jobs += files.map { (kind, $0) }
        }
        let results = parallelMap(jobs, threads: threads) { job in
            if let parseCache { return loadEntry(kind: job.0, path: job.1, site: site, parseCache: parseCache) }
            guard let cache, let stamp = EntryCache.stamp(site.rootPath + "/" + job.1) else {
                return loadEntry(kind: job.0, path: job.1, site: site)
            }
            if let known = cache.cached(job.1, stamp: stamp) { return known }
            let result = loadEntry(kind: job.0, path: job.1, site: site)
            cache.store(job.1, stamp: stamp, result: result)
            return result
        }
        cache?.finishLoad(keeping: Set(jobs.map(\.1)))
        parseCache?.finishLoad(paths: jobs.map(\.1))
        for (job, result) in zip(jobs, results) {
            diagnostics += result.diagnostics
            if result.diagnostics.hasErrors { content.pathsWithErrors.insert(job.1) }
            switch result.decoded {
            case .window(let w)?: content.windows.append(w)
            case .member(let m)?: content.members.append(m)
            case .caseStudy(let c)?: content.cases.append(c)
            case .symposium(let s)?: content.symposia.append(s)
            case .page(let p)?: content.pages.append(p)
            case nil: break
            }
        }
        // (The taxonomies' problems first, as when they were read first.)
        let (read, problems) = taxonomies.wait()
        content.categories = read.categories
        content.lifeStages = read.lifeStages
        content.points = read.points
        content.municipalities = read.municipalities
        return (content, problems + diagnostics)
    }

    struct Taxonomies: Sendable {
        var categories: [Term], lifeStages: [Term], points: [Term], municipalities: [Municipality]
    }

    enum AnyEntry: Sendable, Codable {
        case window(SupportWindow), member(MemberGroup), caseStudy(CaseStudy), symposium(Symposium), page(Page)

        // Written as the kind, then the entry (a form any coder can read without key names).
        private enum Tag: Int, Codable { case window, member, caseStudy, symposium, page }

        func encode(to encoder: Encoder) throws {
            var c = encoder.unkeyedContainer()
            switch self {
            case .window(let e): try c.encode(Tag.window); try c.encode(e)
            case .member(let e): try c.encode(Tag.member); try c.encode(e)
            case .caseStudy(let e): try c.encode(Tag.caseStudy); try c.encode(e)
            case .symposium(let e): try c.encode(Tag.symposium); try c.encode(e)
            case .page(let e): try c.encode(Tag.page); try c.encode(e)
            }
        }

        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            switch try c.decode(Tag.self) {
            case .window: self = .window(try c.decode(SupportWindow.self))
            case .member: self = .member(try c.decode(MemberGroup.self))
            case .caseStudy: self = .caseStudy(try c.decode(CaseStudy.self))
            case .symposium: self = .symposium(try c.decode(Symposium.self))
            case .page: self = .page(try c.decode(Page.self))
            }
        }
    }

    struct EntryResult: Sendable, Codable {
        /// The entry as far as its fields could be read, also when some had errors: its
        /// references are still checked, so one run reports every problem.
        var decoded: AnyEntry?
        var diagnostics: [Diagnostic]
        /// The entry, when it had no errors.
        var entry: AnyEntry? { diagnostics.hasErrors ? nil : decoded }
    }

    static func loadEntry(kind: Kind, path: String, site: SiteFolder) -> EntryResult {
        let file: SourceFile
        switch site.read(path) {
        case .failure(let d): return EntryResult(decoded: nil, diagnostics: [d])
        case .success(let f): file = f
        }
        return parseEntry(kind: kind, file: file)
    }

    /// The entry at `path`, read back from `parseCache` when its text is the one cached.
    static func loadEntry(kind: Kind, path: String, site: SiteFolder, parseCache: ParseCache) -> EntryResult {
        let file: SourceFile
        switch site.read(path) {
        case .failure(let d): return EntryResult(decoded: nil, diagnostics: [d])
        case .success(let f): file = f
        }
        let key = ParseCache.key(kind: kind, text: file.text)
        if let cached = parseCache.lookup(path, key: key) { return cached }
        let result = parseEntry(kind: kind, file: file)
        parseCache.store(path, key: key, result: result)
        return result
    }

    /// Parses one entry file that is already in memory (also used by the fuzz targets).
    static func parseEntry(kind: Kind, file: SourceFile) -> EntryResult {
        let document: FrontMatterDocument
        switch FrontMatterDocument.split(file) {
        case .failure(let d): return EntryResult(decoded: nil, diagnostics: [d])
        case .success(let doc): document = doc
        }
        let node: YAMLNode
        do {
            node = try YAML.parse(document.frontMatter, lineOffset: document.frontMatterLineOffset)
        } catch let error as YAMLError {
            return EntryResult(decoded: nil, diagnostics: [SourceLocation(path: file.path, line: error.mark.line, column: error.mark.column).error(error.message)])
        } catch {
            return EntryResult(decoded: nil, diagnostics: [SourceLocation.file(file.path).error("\(error)")])
        }
        let reader = FieldReader(path: file.path, node: node, what: "front matter")
        let origin = EntryOrigin(entryPath: file.path)
        if document.body.utf8.count > 256 * 1024 {
            return EntryResult(decoded: nil, diagnostics: [SourceLocation(path: file.path, line: document.bodyFirstLine, column: 1)
                .error("body is over 256 KiB", hint: "split the text into several pages")])
        }
        let body = CommonMark.render(document.body)
        let entry: AnyEntry?
        switch kind {
        case .windows: entry = EntryDecoding.window(reader, origin: origin, body: body).map(AnyEntry.window)
        case .members: entry = EntryDecoding.member(reader, origin: origin, body: body).map(AnyEntry.member)
        case .cases: entry = EntryDecoding.caseStudy(reader, origin: origin, body: body).map(AnyEntry.caseStudy)
        case .symposia: entry = EntryDecoding.symposium(reader, origin: origin, body: body).map(AnyEntry.symposium)
        case .pages: entry = EntryDecoding.page(reader, origin: origin, body: body).map(AnyEntry.page)
        }
        return EntryResult(decoded: entry, diagnostics: reader.diagnostics)
    }

    /// A YAML data file holding a list of mappings.
    static func readList<T>(_ path: String, site: SiteFolder, what: String, _ decode: (FieldReader) -> T?) -> ([T], [Diagnostic]) {
        guard site.exists(path) else { return ([], []) }
        let file: SourceFile
        switch site.read(path) {
        case .failure(let d): return ([], [d])
        case .success(let f): file = f
        }
        let node: YAMLNode
        do {
            node = try YAML.parse(file.text)
        } catch let error as YAMLError {
            return ([], [SourceLocation(path: path, line: error.mark.line, column: error.mark.column).error(error.message)])
        } catch {
            return ([], [SourceLocation.file(path).error("\(error)")])
        }
        guard case .sequence(let items) = node.value else {
            if case .null = node.value { return ([], []) }
            return ([], [SourceLocation(path: path, line: node.mark.line, column: node.mark.column).error("\(path) must be a list", hint: "start each item with '- '")])
        }
        var list: [T] = []
        var diagnostics: [Diagnostic] = []
        for item in items {
            let reader = FieldReader(path: path, node: item, what: what)
            if let value = decode(reader) { list.append(value) }
            diagnostics += reader.diagnostics
        }
        return (list, diagnostics)
    }
}
