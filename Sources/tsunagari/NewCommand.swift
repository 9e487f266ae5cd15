import ArgumentParser
import Foundation
import TsunagariCore

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "Create a new entry with every field, ready to fill in.")

    @Option(name: .long, help: "The site folder.")
    var source: String = "."

    @Argument(help: "window, member, case, symposium or page")
    var kind: String

    @Argument(help: "The slug: lower-case ASCII letters, digits and '-'; it becomes the file name and URL.")
    var slug: String

    func validate() throws {
        guard Scaffold.Kind(rawValue: kind) != nil else {
            throw ValidationError("unknown kind '\(kind)': use window, member, case, symposium or page")
        }
    }

    func run() throws {
        do {
            let path = try Scaffold.create(Scaffold.Kind(rawValue: kind)!, slug: slug, in: URL(fileURLWithPath: source))
            print("created \(path): fill in the required fields, then run tsunagari check")
        } catch let error as Scaffold.ScaffoldError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
