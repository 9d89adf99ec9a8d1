import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import ColmeiaStore
import Foundation

/// `colmeia audit`: who changed what, when and from where; and whether the trail is intact.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query, verify and export the audit trail",
        discussion: """
            Every change to the swarm is a record: its author (user, uid and process on the
            unix socket, address over TCP, certificate subject over TLS, or the reconciler),
            request id, user agent, the object and the JSON Patch from its previous version.
            The records form a hash chain that `colmeia audit verify` recomputes.
            Example:
              colmeia audit ls --service web --since 1h
              colmeia audit ls --actor root --format json
              colmeia audit verify
              colmeia audit export -o trail.ndjson && colmeia audit verify --file trail.ndjson
            """,
        subcommands: [AuditList.self, AuditVerify.self, AuditExport.self]
    )
}

/// `colmeia audit ls`.
struct AuditList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List audit records, newest first",
        discussion: "Example:\n  colmeia audit ls --service web --type service.updated\n  colmeia audit ls --follow",
        aliases: ["list"])

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "Records at or after this time (RFC 3339, Unix timestamp, or a duration back from now such as 1h)") var since: String?
    @Option(help: "Records at or before this time") var until: String?
    @Option(help: "Records by this actor (a user name, node id, or reconciler such as orchestrator)") var actor: String?
    @Option(help: "Records of this service and of its tasks (name or id)") var service: String?
    @Option(help: "An event type (service.updated) or a kind (service)") var type: String?
    @Option(help: "applied, refused or failed") var outcome: String?
    @Option(help: "How many records (1-1000)") var limit = 50
    @Flag(help: "Oldest first") var reverse = false
    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing records as they are applied") var follow = false
    @Option(help: "table (default) or json (one record a line)") var format: String?

    func validate() throws {
        if let format, format != "table", format != "json" {
            throw ValidationError("--format \(format): use table or json")
        }
    }

    func run() async throws {
        var parameters: [(String, String)] = []
        if let since { parameters.append(("since", try TimeArgument.parse(since, flag: "since"))) }
        if let until { parameters.append(("until", try TimeArgument.parse(until, flag: "until"))) }
        if let actor { parameters.append(("actor", actor)) }
        if let service { parameters.append(("service", service)) }
        if let type { parameters.append(("type", type)) }
        if let outcome { parameters.append(("outcome", outcome)) }
        let json = format == "json"
        if follow {
            if !json { Console.out(Self.header) }
            try await global.withClient { client in
                try await client.followAudit(parameters) { record in
                    Console.out(json ? try JSONText.compact(record) : Self.row(record))
                    Console.flush()
                }
            }
            return
        }
        parameters.append(("limit", String(limit)))
        parameters.append(("order", reverse ? "asc" : "desc"))
        let page = try await global.withClient { try await $0.auditPage(parameters) }
        let records = page["Records"]?.arrayValue ?? []
        if json {
            for record in records { Console.out(try JSONText.compact(record)) }
            return
        }
        Console.out(Self.header)
        for record in records { Console.out(Self.row(record)) }
    }

    static let header = pad("INDEX", 8) + pad("TIME", 32) + pad("ACTOR", 22) + pad("TYPE", 26) + pad("OBJECT", 30) + "CHANGE"

    static func row(_ record: JSONValue) -> String {
        let index = record["Index"].map(Self.text) ?? ""
        let time = record["Time"]?.stringValue ?? ""
        let actor = record["Actor"]?["ID"]?.stringValue ?? ""
        let type = record["Type"]?.stringValue ?? ""
        let name = record["Object"]?["Name"]?.stringValue ?? ""
        let object = name.isEmpty ? String((record["Object"]?["ID"]?.stringValue ?? "").prefix(12)) : name
        let change = (record["Patch"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
            .filter { !["/Version/Index", "/UpdatedAt"].contains($0) }.prefix(3).joined(separator: ", ")
        return pad(index, 8) + pad(time, 32) + pad(actor, 22) + pad(type, 26) + pad(object, 30) + change
    }

    static func text(_ value: JSONValue) -> String {
        if case .number(let number) = value, let integer = number.int64Value { return String(integer) }
        return value.stringValue ?? ""
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// `colmeia audit verify [--file EXPORT]`.
struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recompute the audit trail's hash chain",
        discussion: """
            Without --file, the manager recomputes its chain (archive included) and names the
            first record that does not match; with --file, an export is checked here, without a
            cluster, and its head printed (compare it with a manager's, or with --head).
            Example:
              colmeia audit verify
              colmeia audit verify --file trail.ndjson --head 3f2a…
            """)

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(help: "An export written by `colmeia audit export`") var file: String?
    @Option(help: "The head hash the export must end with") var head: String?

    func run() async throws {
        if let file {
            let result = try AuditExportCheck.verify(path: file)
            if let head, head.lowercased() != result.headHash {
                throw CLIError("\(file): the chain ends at \(result.headHash), not at the expected head \(head)")
            }
            Console.out("verified \(result.records) records of cluster \(result.clusterID) from \(file); head \(result.headIndex): \(result.headHash)")
            return
        }
        let result = try await global.withClient { try await $0.verifyAudit() }
        let headIndex = result["Head"]?["Index"].map(AuditList.text) ?? "?"
        let hash = result["HeadHash"]?.stringValue ?? ""
        guard result["Valid"] == .bool(true) else {
            let reason = result["Reason"]?.stringValue ?? "the chain does not hold"
            throw CLIError("audit trail broken: \(reason)")
        }
        let records = result["Records"].map(AuditList.text) ?? "?"
        let archived = result["ArchivedRecords"].map(AuditList.text) ?? "0"
        Console.out("audit trail verified: \(records) records (\(archived) archived); head \(headIndex): \(hash)")
    }
}

/// `colmeia audit export -o FILE`.
struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the whole audit trail, with its chain, to a file",
        discussion: "Example:\n  colmeia audit export -o trail.ndjson")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Option(name: [.customShort("o"), .customLong("output")], help: "The file to write (- for stdout)") var output: String

    func run() async throws {
        if output == "-" {
            try await global.withClient { client in
                try await client.exportAudit { Console.write(String(decoding: $0, as: UTF8.self)) }
            }
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: nil) , let handle = FileHandle(forWritingAtPath: output) else {
            throw CLIError("cannot write \(output)")
        }
        defer { try? handle.close() }
        try await global.withClient { client in
            try await client.exportAudit { try handle.write(contentsOf: $0) }
        }
        try handle.synchronize()
        let result = try AuditExportCheck.verify(path: output)
        Console.out("exported \(result.records) records to \(output); head \(result.headIndex): \(result.headHash)")
    }
}

/// Checks an export without a cluster: every record's canonical bytes against its fields
/// and its hash, each hash against the one before, and the head line against the last.
enum AuditExportCheck {
    struct Result {
        var clusterID: String
        var records: Int
        var headIndex: UInt64
        var headHash: String
    }

    static func verify(path: String) throws -> Result {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        guard let last = lines.last, let headLine = try? JSONDecoder().decode(JSONValue.self, from: Data(last)),
              let head = headLine["Head"] else {
            throw CLIError("\(path): not an audit export (its last line must be the chain head)")
        }
        var previous = head["PreviousHash"]?.stringValue ?? AuditChain.hex(AuditChain.genesis)
        var count = 0
        for (number, line) in lines.dropLast().enumerated() {
            guard let entry = try? JSONDecoder().decode(JSONValue.self, from: Data(line)),
                  let canonical = entry["Canonical"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
                  let hash = entry["Record"]?["Hash"]?.stringValue,
                  let hashBytes = AuditChain.bytes(hex: hash),
                  let record = AuditChain.record(canonical: Array(canonical)[...], hash: hashBytes) else {
                throw CLIError("\(path): line \(number + 1) is not an exported audit record")
            }
            guard let fields = entry["Record"], fields == (try? shown(record)) else {
                throw CLIError("\(path): line \(number + 1) (record \(record.index).\(record.ordinal)) shows fields its canonical bytes do not hold")
            }
            guard let previousBytes = AuditChain.bytes(hex: previous), AuditChain.link(previousBytes, record) == hashBytes else {
                throw CLIError("\(path): line \(number + 1) (record \(record.index).\(record.ordinal)) does not match its hash: the chain breaks there")
            }
            previous = hash
            count += 1
        }
        guard head["HeadHash"]?.stringValue == previous, head["Records"].map(AuditList.text) == String(count) else {
            throw CLIError("\(path): the records end at \(previous), not at the head the export names (records were removed or added)")
        }
        let index = head["Index"].map(AuditList.text).flatMap { UInt64($0) } ?? 0
        return Result(clusterID: head["ClusterID"]?.stringValue ?? "", records: count, headIndex: index, headHash: previous)
    }

    /// The record as the export must show it, rebuilt from its canonical bytes.
    static func shown(_ record: AuditRecord) throws -> JSONValue {
        var object: [String: JSONValue] = [
            "Index": .number(.integer(Int64(record.index))), "Ordinal": .number(.integer(Int64(record.ordinal))),
            "Term": .number(.integer(Int64(record.term))), "Time": .string(record.time.rfc3339),
            "TimeNano": .number(.integer(Int64(record.time.seconds) * 1_000_000_000 + Int64(record.time.nanoseconds))),
            "CommandID": .string(record.commandID), "Type": .string(record.type), "Outcome": .string(record.outcome),
            "Object": .object(["Kind": .string(record.objectKind.rawValue), "ID": .string(record.objectID), "Name": .string(record.objectName)]),
            "Payload": try JSONDecoder().decode(JSONValue.self, from: Data(record.payload.utf8)),
            "Hash": .string(AuditChain.hex(record.hash)),
        ]
        var actor: [String: JSONValue] = ["Kind": .string(record.actor.kind.rawValue), "ID": .string(record.actor.id)]
        if !record.actor.details.isEmpty { actor["Details"] = .object(record.actor.details.mapValues { .string($0) }) }
        object["Actor"] = .object(actor)
        if let requestID = record.requestID { object["RequestID"] = .string(requestID) }
        if let agent = record.actor.details["userAgent"] { object["UserAgent"] = .string(agent) }
        if let service = record.serviceID { object["ServiceID"] = .string(service) }
        if let patch = record.patch { object["Patch"] = try JSONDecoder().decode(JSONValue.self, from: Data(patch.utf8)) }
        return .object(object)
    }
}
