import Foundation
import TsunagariTemplates

/// The whole pipeline: load → validate → link → render → index → write.
public struct Build {
    public struct Options: Sendable {
        public var source: URL
        /// nil: site.yml's `output` inside the source folder.
        public var output: URL?
        public var threads: Int = BuildThreads.count
        /// The date staleness and periods are judged against (default: SOURCE_DATE_EPOCH or today).
        public var today: SimpleDate? = nil
        /// Leave the deletion of the replaced output to a detached process (the CLI does).
        public var deleteOldInBackground = false
        /// Keep the replaced site beside the output and write the next build over it, changing
        /// only the files whose bytes differ (see RecycledTree); false: a new folder each time.
        public var recycleOutput = true
        /// Read back unchanged entry files' parses from the cache beside the output
        /// (`.NAME.cache`, see ParseCache) and write it after loading; false: parse every file.
        public var parseCache = true
        /// Told each stage and each file written (`build` on a terminal, or --verbose).
        public var progress: BuildProgress? = nil
        /// The process ends after this build (the CLI): the site and its view models are kept
        /// until then instead of being freed object by object on one core after the output is
        /// in place (about 20 ms at 10,000 windows). Never for a process that builds again.
        public var leaveSiteToExit = false

        public init(source: URL, output: URL? = nil) {
            self.source = source
            self.output = output
        }
    }

    public struct Report: Sendable {
        /// The diagnostics (warnings: a build with errors throws), as found. Sorted only when
        /// asked for (`diagnostics`): a build prints only their count, and sorting a generated
        /// site's 20,000 took 50 million instructions.
        public var unsortedDiagnostics: [Diagnostic]
        /// Sorted by file and position (see Diagnostic's order).
        public var diagnostics: [Diagnostic] { unsortedDiagnostics.sorted() }
        public var warningCount: Int { unsortedDiagnostics.count { $0.severity == .warning } }
        public var pages: Int
        public var files: Int
        public var bytes: Int
        /// Files whose bytes were written; the rest were already there (a recycled output).
        public var changedFiles: Int
        /// Entry files read back from the parse cache (unchanged since it was written) and parsed.
        public var entriesFromCache = 0
        public var entriesParsed = 0
        /// Files not made at all: their input was unchanged since the build that wrote them.
        public var keptFiles = 0
        public var output: URL?
    }

    /// Today in Japan, or the date of SOURCE_DATE_EPOCH for reproducible builds.
    public static func today() -> SimpleDate {
        var seconds = Date().timeIntervalSince1970
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let value = Double(epoch) { seconds = value }
        let days = Int((seconds + 9 * 3600) / 86400)
        return civilDate(daysSinceEpoch: days)
    }

    /// Days since 1970-01-01 to a calendar date (proleptic Gregorian).
    static func civilDate(daysSinceEpoch: Int) -> SimpleDate {
        let z = daysSinceEpoch + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return SimpleDate(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Everything up to and including linking: what `check` runs. Returns nil when there
    /// are errors (they are in the diagnostics).
    public static func check(_ options: Options, cache: EntryCache? = nil) -> (LinkedSite?, Theme?, [Diagnostic]) {
        let (site, theme, diagnostics, parseCache, _) = checkWritingCache(options, cache: cache)
        parseCache?.waitUntilSaved()
        return (site, theme, diagnostics.sorted())
    }

    /// As `check`, with the parse cache still being written: `wait` before the process ends.
    /// `recordInputs`: when the output keeps a record of what its files were made from (see
    /// OutputRecord), also gives a fingerprint of every content file read.
    static func checkWritingCache(_ options: Options, cache: EntryCache? = nil, recordInputs: Bool = false,
                                  listings: SiteFolder.Listings? = nil)
        -> (LinkedSite?, Theme?, [Diagnostic], ParseCache?, contentInput: Fingerprint128?) {
        var folder = SiteFolder(root: options.source, listings: listings)
        let today = options.today ?? Build.today()
        let (config, configProblems) = ContentLoader.loadConfig(folder)
        // As the output's record is kept: once the site has been built in this place.
        if recordInputs && options.recycleOutput && FileManager.default.fileExists(atPath: cachePath(options, config: config).output) {
            folder = SiteFolder(root: options.source, logReads: true, listings: listings)
            _ = folder.read("site.yml")   // (read again to be logged: the content includes it)
        }
        var diagnostics = configProblems
        options.progress?.stage("loading", total: nil)
        // (Not beside the preview server's EntryCache, which keeps parses in memory.)
        let parseCache = options.parseCache && cache == nil ? ParseCache.forBuild(at: cachePath(options, config: config)) : nil
        let (content, loadProblems) = StageTimer.measure("load") {
            ContentLoader.load(folder, threads: options.threads, cache: cache, parseCache: parseCache)
        }
        diagnostics += loadProblems
        if let parseCache {
            // Beside the rest of the build; for a large site first, so that the cache's bytes
            // and the pages are not held at once (the limit the index beside the pages keeps).
            if parseCache.paths.count > SiteRenderer.indexBesidePagesLimit { parseCache.saveNow() } else { parseCache.saveInBackground() }
        }
        // Checks and linking read the same content and nothing else: the checks run on a thread
        // of their own while it is linked (each was a serial stage on one core).
        let checks = Background {
            StageTimer.measure("validate") { ContentChecks.check(content, config: config, today: today) + DuplicateSlugs.check(content) }
        }
        options.progress?.stage("linking", total: nil)
        let (site, linkProblems) = StageTimer.measure("link") { Linker.link(content, config: config, today: today) }
        diagnostics += checks.wait() + linkProblems
        // With errors, a misspelt reference would also make its term look unused: one message is enough.
        if !diagnostics.hasErrors { diagnostics += UnusedDeclarations.check(site, municipalities: content.municipalities) }
        var theme: Theme? = nil
        switch Theme.load(folder, name: config.theme) {
        case .success(let t): theme = t
        case .failure(let d): diagnostics.append(d)
        }
        // (Not sorted here: `check` sorts them, and `run` beside the pages.)
        return (diagnostics.hasErrors ? nil : site, theme, diagnostics, parseCache, folder.reads?.fingerprint)
    }

    static func outputURL(_ options: Options, config: SiteConfig) -> URL {
        options.output ?? options.source.appendingPathComponent(config.output)
    }

    /// The output folders of every entry's page (each kind's folder first), from the content's
    /// file names alone.
    static func entryFolders(_ site: SiteFolder) -> [String] {
        var folders: [String] = []
        for kind in ContentLoader.Kind.allCases {
            let files = site.entryFiles(in: kind.folder).0
            guard !files.isEmpty else { continue }
            // (Cut by UTF-8 offsets: splitting at Characters cost more than the listing.)
            let page = SiteURLs.entry(kind, slug: "")   // "windows//"
            let prefix = String(page.utf8.dropLast())!    // "windows/"
            folders.append(String(prefix.utf8.dropLast())!)
            let skip = kind.folder.utf8.count + 1         // "content/windows/"
            for file in files {
                let name = file.utf8
                folders.append(prefix + String(name.dropFirst(skip).dropLast(3))!)   // (".md")
            }
        }
        return folders
    }

    /// The parse cache's file: beside the output, as its spare copy is.
    static func cachePath(_ options: Options, config: SiteConfig) -> (cache: String, output: String) {
        let output = outputURL(options, config: config).standardizedFileURL
        return (output.deletingLastPathComponent().path + "/.\(output.lastPathComponent).cache", output.path)
    }

    /// Builds the site in memory: every output file, or BuildFailure on any error.
    public static func render(_ options: Options) throws -> (files: [OutputFile], config: SiteConfig, diagnostics: [Diagnostic]) {
        let (linked, loadedTheme, diagnostics) = check(options)
        guard let site = linked, let theme = loadedTheme else { throw BuildFailure(diagnostics) }
        do {
            let files = try SiteRenderer(site: site, theme: theme).render(threads: options.threads)
            return (files, site.config, diagnostics)
        } catch let error as TemplateError {
            throw BuildFailure(diagnostics + [renderingError(error, theme: site.config.theme)])
        }
    }

    /// A template error, located in the theme's template file.
    static func renderingError(_ error: TemplateError, theme: String) -> Diagnostic {
        SourceLocation(path: "themes/\(theme)/templates/\(error.template).mustache", line: error.line, column: error.column)
            .error("while rendering: \(error.message)")
    }

    /// Builds and writes the site, each page written to the staging folder as soon as it is
    /// rendered. Throws BuildFailure on any error: the output is left as it was and the staging
    /// folder is removed (what the staging folder's making clears is, as on every build: a
    /// spare copy that cannot be reused, trash a killed build left, a stale record).
    public static func run(_ options: Options) throws -> Report {
        defer { options.progress?.finish() }
        // The staging folder first, so that the entries' folders are made while the content
        // loads (see Staging.makeFoldersEarly). When it cannot be made, the same error is
        // thrown below, after the content's problems, as before. Only in a folder that is
        // there already: a build that fails makes no folder.
        let earlyOutput = outputURL(options, config: ContentLoader.loadConfig(SiteFolder(root: options.source)).0)
        var isFolder: ObjCBool = false
        let early = FileManager.default.fileExists(atPath: earlyOutput.standardizedFileURL.deletingLastPathComponent().path, isDirectory: &isFolder) && isFolder.boolValue
            ? try? OutputWriter.Staging(output: earlyOutput, deleteOldInBackground: options.deleteOldInBackground, recycle: options.recycleOutput)
            : nil
        // (The content folders are listed once, by whichever of the two asks first.)
        let listings = SiteFolder.Listings()
        early?.makeFoldersEarly { entryFolders(SiteFolder(root: options.source, listings: listings)) }
        let (linked, loadedTheme, unsorted, parseCache, contentInput) = checkWritingCache(options, recordInputs: true, listings: listings)
        defer { parseCache?.waitUntilSaved() }
        guard let site = linked, let theme = loadedTheme else {
            early?.abandon()
            throw BuildFailure(unsorted)
        }
        let output = outputURL(options, config: site.config)
        let staging: OutputWriter.Staging
        if let early, early.outputPath == output.standardizedFileURL.path {
            staging = early
        } else {
            early?.abandon()
            staging = try OutputWriter.Staging(output: output, deleteOldInBackground: options.deleteOldInBackground,
                                               recycle: options.recycleOutput)
        }
        let counter = CountingSink(staging, progress: options.progress)
        options.progress?.stage("indexing", total: nil)
        let renderer = SiteRenderer(site: site, theme: theme, contentInput: contentInput)
        if options.leaveSiteToExit { LeftToExit.keep(renderer) }
        do {
            try StageTimer.measure("render") { try renderer.render(threads: options.threads, into: counter) }
            options.progress?.stage("replacing \(output.lastPathComponent)/", total: nil)
            try StageTimer.measure("swap") { try staging.commit() }
        } catch let error as TemplateError {
            staging.abandon()
            throw BuildFailure(unsorted + [renderingError(error, theme: site.config.theme)])
        } catch {
            staging.abandon()
            throw error
        }
        var report = Report(unsortedDiagnostics: unsorted, pages: counter.pages, files: counter.files, bytes: counter.bytes,
                            changedFiles: staging.changedFiles, output: output)
        report.keptFiles = counter.kept
        let entries = site.windows.count + site.members.count + site.cases.count + site.symposia.count + site.pages.count
        report.entriesFromCache = parseCache?.hits ?? 0
        report.entriesParsed = parseCache?.misses ?? entries
        return report
    }
}

/// What a process that is about to end keeps instead of freeing (`Options.leaveSiteToExit`).
enum LeftToExit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) { lock.withLock { kept.append(value) } }

    static var count: Int { lock.withLock { kept.count } }
}
