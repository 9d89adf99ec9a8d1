import ArgumentParser
import ColmeiaClient

/// Fetches each named object and prints them; names that are not found are reported after
/// the others (`Error: No such service: web`) with exit status 1, as docker does.
enum InspectRunner {
    static func run<T: Encodable & Sendable>(_ references: [String], kind: String, options: InspectOptions,
                                            fetch: (String) async throws -> T, pretty: (T) -> String) async throws {
        var found: [T] = []
        var missing: [String] = []
        for reference in references {
            do {
                found.append(try await fetch(reference))
            } catch let error as ColmeiaClientError where error.status == 404 {
                missing.append(reference)
            }
        }
        if options.pretty {
            if options.format != nil { throw CLIError("--format is incompatible with human friendly format") }
            Console.write(found.map(pretty).joined(separator: "\n"))
        } else if !found.isEmpty || missing.isEmpty {
            Console.write(try InspectOutput.render(found, format: options.format))
        }
        guard missing.isEmpty else {
            for reference in missing { Console.error("Error: No such \(kind): \(reference)") }
            throw ExitCode(1)
        }
    }
}
