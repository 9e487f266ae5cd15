import ArgumentParser
import Foundation
import TsunagariCore

@main
struct Tsunagari: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsunagari",
        abstract: "Builds a support-directory website from a folder of Markdown and YAML.",
        version: VersionText.text,
        subcommands: [BuildCommand.self, CheckCommand.self, ServeCommand.self, NewCommand.self],
        defaultSubcommand: BuildCommand.self)

    /// A synchronous main: only `serve` uses Swift concurrency. An async main ends the main
    /// thread in libdispatch's `dispatch_main`, whose signal wait Valgrind cannot run (it writes
    /// into the read-only signal mask libdispatch passes, and crashes), so `build` under
    /// callgrind needs a plain process (see bench/instructions.py).
    static func main() {
        do {
            var command = try parseAsRoot()
            if let asyncCommand = command as? AsyncParsableCommand {
                try AsyncRun.waiting(for: asyncCommand)
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Runs an async command to its end on the concurrency runtime's threads while the main
/// thread waits.
enum AsyncRun {
    private final class Outcome: @unchecked Sendable {
        var error: Error?
        let done = DispatchSemaphore(value: 0)
    }

    static func waiting(for command: AsyncParsableCommand) throws {
        let outcome = Outcome()
        nonisolated(unsafe) var command = command
        Task.detached {
            do { try await command.run() } catch { outcome.error = error }
            outcome.done.signal()
        }
        outcome.done.wait()
        if let error = outcome.error { throw error }
    }
}

struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site folder (with site.yml, content/, themes/).")
    var source: String = "."

    @Option(name: .long, help: "Threads to use (default: all cores).")
    var threads: Int?

    func buildOptions(output: String? = nil) -> Build.Options {
        var options = Build.Options(source: URL(fileURLWithPath: source),
                                    output: output.map { URL(fileURLWithPath: $0) })
        if let threads { options.threads = max(1, threads) }
        options.deleteOldInBackground = true
        return options
    }
}

/// Prints diagnostics the way compilers do, on standard error.
func report(_ diagnostics: [Diagnostic], json: Bool = false) {
    if json {
        print(DiagnosticJSON.encode(diagnostics))
        return
    }
    for d in diagnostics { FileHandle.standardError.write(Data((d.description + "\n").utf8)) }
}

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the site into the output folder.")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "Output folder (default: site.yml's output, public/).")
    var output: String?

    @Flag(name: .long, help: "Print warnings too, and each stage when standard error is not a terminal.")
    var verbose = false

    @Flag(name: .long, help: "Write every file into a new folder and delete the replaced site (by default it is kept as .NAME.spare beside the output and the next build changes only the files that differ).")
    var noSpare = false

    @Flag(name: .long, help: "Parse every entry file (by default, once the site has been built in this place, the parses of unchanged files are read back from .NAME.cache beside the output).")
    var noCache = false

    func run() throws {
        let start = Date()
        var options = site.buildOptions(output: output)
        options.recycleOutput = !noSpare
        options.parseCache = !noCache
        options.leaveSiteToExit = true   // (the process ends after this build)
        // A redrawn line on a terminal; in CI logs, nothing unless asked for.
        if isatty(STDERR_FILENO) != 0 {
            options.progress = TerminalProgress()
        } else if verbose {
            options.progress = LogProgress()
        }
        do {
            let result = try Build.run(options)
            if verbose { report(result.diagnostics.filter { $0.severity == .warning }) }
            let warnings = result.warningCount
            let seconds = Date().timeIntervalSince(start)
            let summary = "built \(result.pages) pages, \(result.files) files (\(result.bytes / 1024) KiB, \(result.changedFiles) changed, \(result.keptFiles) not remade; \(result.entriesParsed) entries parsed, \(result.entriesFromCache) from the cache) in \(String(format: "%.2f", seconds)) s"
                + (warnings == 0 || verbose ? "" : "; \(warnings) warnings (tsunagari check shows them)")
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        } catch let failure as BuildFailure {
            report(failure.diagnostics.filter { $0.severity == .error || verbose })
            let errors = failure.diagnostics.filter { $0.severity == .error }.count
            FileHandle.standardError.write(Data("build failed: \(errors) error\(errors == 1 ? "" : "s"); nothing was written\n".utf8))
            throw ExitCode(1)
        } catch let error as OutputWriter.WriteError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the content without writing the site.")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
        let (_, _, diagnostics) = Build.check(site.buildOptions())
        report(diagnostics, json: format == "json")
        let errors = diagnostics.filter { $0.severity == .error }.count
        if format == "text" {
            FileHandle.standardError.write(Data("\(errors) error\(errors == 1 ? "" : "s"), \(diagnostics.count - errors) warning\(diagnostics.count - errors == 1 ? "" : "s")\n".utf8))
        }
        if errors > 0 { throw ExitCode(1) }
    }
}
