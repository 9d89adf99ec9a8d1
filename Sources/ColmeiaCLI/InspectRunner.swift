import ArgumentParser
import ColmeiaClient

/// Fetches each named object and prints them; names that are not found are reported after
/// the others (`Error: No such service: web`) with exit status 1, as docker does.
enum InspectRunner {
    static func run<T: Encodable & Sendable>(_ references: [String], kind: String, format: String?, pretty isPretty: Bool,
                                            fetch: (String) async throws -> T, render: (T) -> String) async throws {
        var found: [T] = []
        var missing: [String] = []
        for reference in references {
            do {
                found.append(try await fetch(reference))
            } catch let error as ColmeiaClientError where error.status == 404 {
                missing.append(reference)
            }
        }
        if isPretty {
            if format != nil { throw CLIError("--format is incompatible with human friendly format") }
            Console.write(found.map(render).joined(separator: "\n"))
        } else if !found.isEmpty || missing.isEmpty {
            Console.write(try InspectOutput.render(found, format: format))
        }
        guard missing.isEmpty else {
            for reference in missing { Console.error("Error: No such \(kind): \(reference)") }
            throw ExitCode(1)
        }
    }
}
