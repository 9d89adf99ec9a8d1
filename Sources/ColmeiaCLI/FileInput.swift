import Foundation

/// Reads the data of `secret create NAME FILE` / `config create`: a file, or `-` for stdin.
enum FileInput {
    static func read(_ path: String) throws(CLIError) -> Data {
        if path == "-" { return Console.readStandardInput() }
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("open \(path): no such file or directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("read \(path): permission denied or not a file") }
        return data
    }
}
