import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia service history NAME`: every spec the service has had, who set it and what changed.
struct ServiceHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List every version of a service's spec",
        discussion: "Example:\n  colmeia service history web\n  colmeia service rollback web --to-version 2")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "table (default) or json") var format: String?
    @Argument(help: "The service (name or id; a removed service by its last name)") var service: String

    func run() async throws {
        let history = try await global.withClient { try await $0.serviceHistory(service) }
        if format == "json" {
            Console.write(try JSONText.pretty(history) + "\n")
            return
        }
        var rows: [[String]] = []
        for version in history["Versions"]?.arrayValue ?? [] {
            let paths = (version["Patch"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
            rows.append([version["Version"].map(AuditList.text) ?? "", version["Index"].map(AuditList.text) ?? "",
                         version["Time"]?.stringValue ?? "", version["Actor"]?["ID"]?.stringValue ?? "",
                         paths.isEmpty ? "-" : paths.prefix(4).joined(separator: ", ") + (paths.count > 4 ? ", …" : "")])
        }
        Console.write(TextTable(headers: ["VERSION", "INDEX", "TIME", "AUTHOR", "CHANGED"], rows: rows).render())
    }
}

/// `colmeia service diff NAME --from N --to M`: the JSON Patch between two versions.
struct ServiceDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show what changed between two versions of a service's spec",
        discussion: "Example:\n  colmeia service diff web --from 1 --to 3")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "The older version (default: the one before --to)") var from: Int?
    @Option(help: "The newer version (default: the newest)") var to: Int?
    @Argument(help: "The service") var service: String

    func run() async throws {
        let diff = try await global.withClient { try await $0.serviceDiff(service, from: from, to: to) }
        let older = diff["From"].map(AuditList.text) ?? "?"
        let newer = diff["To"].map(AuditList.text) ?? "?"
        Console.out("version \(older) → \(newer):")
        for operation in diff["Patch"]?.arrayValue ?? [] {
            let path = operation["path"]?.stringValue ?? ""
            switch operation["op"]?.stringValue {
            case "remove": Console.out("- \(path)")
            case "add": Console.out("+ \(path): \(try JSONText.compact(operation["value"] ?? .null))")
            default: Console.out("~ \(path): \(try JSONText.compact(operation["value"] ?? .null))")
            }
        }
    }
}

/// `--at INDEX|TIME`: digits alone are a log index; anything else a time (RFC 3339, Unix
/// seconds with a fraction, or a duration back from now).
enum AtArgument {
    static func parse(_ text: String?) throws -> String? {
        guard let text else { return nil }
        if !text.isEmpty, text.allSatisfy(\.isNumber) { return text }
        return try TimeArgument.parse(text, flag: "at")
    }
}
