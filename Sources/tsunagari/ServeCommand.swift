import ArgumentParser
import FlyingFox
import Foundation
import TsunagariCore

/// `tsunagari serve`: builds into memory, serves on 127.0.0.1, rebuilds when a watched file
/// changes and reloads open tabs. A content error is shown in the page and the terminal; the
/// server keeps running, and the fixed file brings the site back.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Preview the site locally with live reload.")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: UInt16 = 8080

    @Option(name: .long, help: "Address to bind: 127.0.0.1 unless you mean to share the preview.")
    var host: String = "127.0.0.1"

    func run() async throws {
        let preview = PreviewSite(options: site.buildOptions())
        _ = preview.rebuildIfChanged()
        reportBuild(preview.current)

        let server = HTTPServer(address: try .inet(ip4: host, port: port), timeout: 60, logger: .disabled)
        await server.appendRoute("GET /__tsunagari/reload.js") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .init("Cache-Control"): "no-store"],
                         body: Data(ServeCommand.reloadScript.utf8))
        }
        await server.appendRoute("GET /__tsunagari/wait") { request in
            // Long poll: answers when the version differs from the page's, or after 25 s.
            let since = Int(request.query["v"] ?? "") ?? -1
            for _ in 0..<250 {
                if preview.current.version != since { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json", .init("Cache-Control"): "no-store"],
                                body: Data("{\"version\":\(preview.current.version)}".utf8))
        }
        await server.appendRoute("GET *") { request in
            ServeCommand.respond(to: request.path, preview: preview)
        }

        // inotify wakes a rebuild as soon as a file is saved; without it, poll the files.
        let changes = ChangeWatcher(root: preview.options.source)
        Thread {
            while true {
                if let changes {
                    if changes.wait(milliseconds: 1000) {
                        preview.rebuild(changed: changes.takeChanges())
                        reportBuild(preview.current)
                    }
                } else {
                    Thread.sleep(forTimeInterval: 0.2)
                    if preview.rebuildIfChanged() { reportBuild(preview.current) }
                }
            }
        }.start()
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        if let address = await server.listeningAddress, case let .ip4(ip, listeningPort) = address {
            print("serving http://\(ip):\(listeningPort)/ (Ctrl-C to stop)")
            fflush(stdout)
        }
        try await task.value
    }

    static func respond(to path: String, preview: PreviewSite) -> HTTPResponse {
        let state = preview.current
        let headers: (String) -> HTTPHeaders = { type in [.contentType: type, .init("Cache-Control"): "no-store"] }
        // Every page request, whatever form its path takes (the server hands "/windows/x/" over
        // as "/windows/x"), gets the error page while the content has errors.
        if state.failed && contentType(path).hasPrefix("text/html") {
            let page = inject(PreviewSite.errorPage(state.diagnostics), version: state.version)
            return HTTPResponse(statusCode: .internalServerError, headers: headers("text/html; charset=utf-8"), body: Data(page.utf8))
        }
        let found: [UInt8]?
        do {
            found = try preview.file(for: path)
        } catch let failure as BuildFailure {
            // Pages render on request: a template error shows up on the page that hits it.
            report(failure.diagnostics)
            let page = inject(PreviewSite.errorPage(failure.diagnostics), version: state.version)
            return HTTPResponse(statusCode: .internalServerError, headers: headers("text/html; charset=utf-8"), body: Data(page.utf8))
        } catch {
            return HTTPResponse(statusCode: .internalServerError, headers: headers("text/plain; charset=utf-8"), body: Data("\(error)".utf8))
        }
        guard let bytes = found else {
            let notFound = (try? preview.file(for: "/404.html")).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? "not found"
            return HTTPResponse(statusCode: .notFound, headers: headers("text/html; charset=utf-8"), body: Data(inject(notFound, version: state.version).utf8))
        }
        let type = contentType(path)
        if type.hasPrefix("text/html") {
            return HTTPResponse(statusCode: .ok, headers: headers(type), body: Data(inject(String(decoding: bytes, as: UTF8.self), version: state.version).utf8))
        }
        return HTTPResponse(statusCode: .ok, headers: headers(type), body: Data(bytes))
    }

    /// Adds the reload script to a page (an external file, so the page's CSP allows it).
    static func inject(_ html: String, version: Int) -> String {
        let tag = "<script src=\"/__tsunagari/reload.js?v=\(version)\" defer></script>"
        if let range = html.range(of: "</body>", options: .backwards) {
            return html.replacingCharacters(in: range, with: tag + "</body>")
        }
        return html + tag
    }

    static func contentType(_ path: String) -> String {
        let clean = path.split(separator: "?").first.map(String.init) ?? path
        if clean.hasSuffix("/") || clean.hasSuffix(".html") || !clean.split(separator: "/").last.map({ $0.contains(".") }).map({ $0 })! {
            return "text/html; charset=utf-8"
        }
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "json": "application/json",
                     "xml": "application/xml", "csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8",
                     "svg": "image/svg+xml", "png": "image/png"]
        let ext = clean.split(separator: ".").last.map(String.init) ?? ""
        return types[ext] ?? "application/octet-stream"
    }

    static let reloadScript = """
    (function () {
      var script = document.currentScript;
      var version = script ? new URL(script.src).searchParams.get("v") : "0";
      function wait() {
        fetch("/__tsunagari/wait?v=" + version, { cache: "no-store" })
          .then(function (r) { return r.json(); })
          .then(function (data) { if (String(data.version) !== String(version)) { location.reload(); } else { wait(); } })
          .catch(function () { setTimeout(wait, 1000); });
      }
      wait();
    })();
    """
}

func reportBuild(_ state: PreviewSite.State) {
    if state.failed {
        report(state.diagnostics.filter { $0.severity == .error })
        FileHandle.standardError.write(Data("build failed; serving the error page until it is fixed\n".utf8))
    } else {
        let pages = state.pages
        FileHandle.standardError.write(Data("checked and planned \(pages) pages in \(String(format: "%.2f", state.seconds)) s (version \(state.version))\n".utf8))
    }
}
