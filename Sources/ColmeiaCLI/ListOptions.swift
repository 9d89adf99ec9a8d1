import ArgumentParser

/// `--filter`, `--format` and `--quiet`, shared by the listing commands.
struct ListOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("filter")], help: "Filter output based on conditions provided (key=value)")
    var filter: [String] = []
    @Option(help: "Format output: table (default), json, or a template such as '{{.ID}} {{.Name}}'")
    var format: String?
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Only display IDs")
    var quiet = false

    /// Docker filters from `key=value` flags.
    func filters() throws(CLIError) -> [String: [String]] {
        var filters: [String: [String]] = [:]
        for entry in filter {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw CLIError("bad format of filter (expected name=value): \(entry)") }
            filters[parts[0], default: []].append(parts[1])
        }
        return filters
    }
}
