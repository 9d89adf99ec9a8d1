import Foundation

/// A failure of the chaos run, in words for its user.
public struct ChaosError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the system tools a run needs (`ip`, `iptables`, `mount`).
public enum Shell {
    /// Runs `arguments`; throws with its output when it fails.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ChaosError("could not start \(arguments.first ?? "?"): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ChaosError("`\(arguments.joined(separator: " "))` failed (\(process.terminationStatus)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return text
    }

    /// Runs `arguments` and ignores a failure (for clean-up of what may already be gone).
    public static func tryRun(_ arguments: [String]) {
        _ = try? run(arguments)
    }
}
