import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia events`: the cluster's events as docker prints them, live until `--until`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Get real time events from the server",
        discussion: "Example:\n  colmeia events --since 10m --until 0s --filter type=service")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Show all events created since timestamp") var since: String?
    @Option(help: "Stream events until this timestamp") var until: String?
    @Option(name: [.customShort("f"), .customLong("filter")], help: "Filter output based on conditions provided") var filter: [String] = []
    @Option(help: "Format the output: json, or a template such as '{{.Type}} {{.Action}}'") var format: String?

    /// One event as docker's default line: `TIME TYPE ACTION ID (k=v, …)`.
    static func line(_ event: JSONValue) -> String {
        var time = ""
        if let nanos = Int64(InspectOutput.plain(event["timeNano"])) {
            time = Timestamp(nanosecondsSince1970: nanos).rfc3339
        } else if let seconds = Int64(InspectOutput.plain(event["time"])) {
            time = Timestamp(seconds: seconds).rfc3339
        }
        let type = event["Type"]?.stringValue ?? ""
        let action = event["Action"]?.stringValue ?? ""
        let id = event["Actor"]?["ID"]?.stringValue ?? ""
        let attributes = event["Actor"]?["Attributes"]?.objectValue ?? [:]
        var text = "\(time) \(type) \(action) \(id)"
        if !attributes.isEmpty {
            text += " (" + attributes.keys.sorted().map { "\($0)=\(attributes[$0]?.stringValue ?? "")" }.joined(separator: ", ") + ")"
        }
        return text
    }

    func run() async throws {
        let filters = try ListOptions.parse(filter.flatMap { ["--filter", $0] }).filters()
        let sinceValue = try since.map { text throws(CLIError) in try TimeArgument.parse(text, flag: "since") }
        let untilValue = try until.map { text throws(CLIError) in try TimeArgument.parse(text, flag: "until") }
        try await global.withClient { client in
            try await client.events(since: sinceValue, until: untilValue, filters: filters) { event in
                switch format {
                case nil, "": Console.out(Self.line(event))
                case "json": Console.out(try JSONText.compact(event))
                case let template?: Console.out(try InspectOutput.expand(template, event))
                }
            }
        }
    }
}
