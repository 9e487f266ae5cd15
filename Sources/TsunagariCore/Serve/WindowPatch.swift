#if canImport(Glibc)
import Glibc
#endif

/// The preview's fast path for the commonest edit: the text of windows that already exist
/// changed, but not what links them to the rest of the site (the slug, reading and crisis flag
/// that order them; their categories, life stages, regions and operator). The last linked site
/// is kept with those windows replaced, so nothing else is read, checked or linked again.
/// Any other change (a new or deleted file, a taxonomy, site.yml, the theme, a changed link,
/// an error) returns nil and takes the full path.
///
/// Warnings that compare windows with each other (the same phone number or name twice) are
/// those of the last full rebuild, less the edited files'; the pages are exactly a build's.
enum WindowPatch {
    static func apply(changed: Set<String>, to last: LinkedSite, diagnostics: [Diagnostic],
                      folder: SiteFolder, cache: EntryCache) -> (LinkedSite, [Diagnostic])? {
        var site = last
        var patched: Set<String> = []
        var fresh: [Diagnostic] = []
        for path in changed.sorted() {
            // A folder's own time changes when a file in it is added, removed or renamed: those
            // files are in `changed` themselves.
            if isFolder(folder.root.path + "/" + path) { continue }
            let stamp = EntryCache.stamp(folder.root.path + "/" + path)
            guard let slug = windowSlug(path), let i = last.windowIndex[slug], let stamp else {
                // A file that is gone and never counted (an editor's temporary or backup file).
                if stamp == nil, !cache.knows(path), !diagnostics.contains(where: { $0.path == path }) { continue }
                return nil
            }
            let result = ContentLoader.loadEntry(kind: .windows, path: path, site: folder)
            guard !result.diagnostics.hasErrors, case .window(let window)? = result.decoded,
                  sameLinks(last.windows[i], window) else { return nil }
            cache.store(path, stamp: stamp, result: result)
            site.windows[i] = window
            var alone = LoadedContent()
            alone.windows = [window]
            fresh += result.diagnostics + ContentChecks.check(alone, config: last.config, today: last.today)
            patched.insert(path)
        }
        cache.finishPatch(parsed: patched.count)
        var all = diagnostics.filter { !patched.contains($0.path) } + fresh
        all.sort()
        return (site, all)
    }

    static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// `content/windows/<slug>.md` → slug.
    static func windowSlug(_ path: String) -> String? {
        let prefix = ContentLoader.Kind.windows.folder + "/"
        guard path.hasPrefix(prefix), path.hasSuffix(".md") else { return nil }
        let name = path.dropFirst(prefix.count).dropLast(3)
        return name.isEmpty || name.contains("/") || name.hasPrefix(".") ? nil : String(name)
    }

    /// True when the two versions of a window sit at the same place in every list and index.
    static func sameLinks(_ a: SupportWindow, _ b: SupportWindow) -> Bool {
        a.origin.slug == b.origin.slug && a.reading == b.reading && a.crisis == b.crisis
            && a.categories.map(\.value) == b.categories.map(\.value)
            && a.lifeStages.map(\.value) == b.lifeStages.map(\.value)
            && a.regions.map(\.value) == b.regions.map(\.value)
            && a.member?.value == b.member?.value
    }
}
