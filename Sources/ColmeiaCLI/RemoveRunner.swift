import ArgumentParser
import ColmeiaClient

/// Removes each named object, printing its name on success and the daemon's error
/// otherwise; exits 1 when any removal failed (docker's `rm` behaviour).
enum RemoveRunner {
    static func run(_ references: [String], remove: (String) async throws -> Void) async throws {
        var failed = false
        for reference in references {
            do {
                try await remove(reference)
                Console.out(reference)
            } catch let error as ColmeiaClientError {
                if case .cannotConnect = error { throw error }
                Console.error(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
