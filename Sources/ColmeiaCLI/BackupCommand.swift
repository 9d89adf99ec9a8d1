import ArgumentParser
import ColmeiaBackup
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia backup`: check a backup file without a cluster.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Check backups of the swarm's event log (no cluster needed)",
        discussion: "Example:\n  colmeia backup verify --passphrase-file pass.txt swarm.cbk\n  colmeia backup inspect swarm.cbk",
        subcommands: [BackupVerify.self, BackupInspect.self])
}

/// Where a backup's passphrase comes from: a file (`-`: standard input) or
/// `COLMEIA_BACKUP_PASSPHRASE`. A trailing newline is not part of it.
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-file"), help: "File holding the backup's passphrase (- for stdin; default: $COLMEIA_BACKUP_PASSPHRASE)")
    var passphraseFile: String?

    func passphrase(required: Bool) throws(CLIError) -> String? {
        var text: String?
        if let passphraseFile {
            text = String(decoding: try FileInput.read(passphraseFile), as: UTF8.self)
        } else if let value = ProcessInfo.processInfo.environment["COLMEIA_BACKUP_PASSPHRASE"] {
            text = value
        }
        while let last = text?.last, last == "\n" || last == "\r" { text?.removeLast() }
        if required && (text ?? "").isEmpty {
            throw CLIError("a passphrase is needed: --passphrase-file FILE or COLMEIA_BACKUP_PASSPHRASE")
        }
        return text.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// `colmeia backup verify FILE`: every checksum, then (with the passphrase) decryption
/// and a replay of the log, with the counts of objects at its last index.
struct BackupVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check a backup's checksums, decrypt it and replay its log")

    @OptionGroup var secret: PassphraseOptions
    @Argument(help: "The backup file") var file: String

    func run() async throws {
        let backup = try BackupFile(path: file)
        Console.out("checksums: OK (\(backup.manifest.parts.map { "\($0.name) \($0.storedBytes) bytes" }.joined(separator: ", ")))")
        guard let passphrase = try secret.passphrase(required: false) else {
            Console.out("not decrypted: give the passphrase to replay the log")
            return
        }
        let contents = try backup.open(passphrase: passphrase)
        let scratch = try BackupReplay.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let store = try BackupReplay.replay(contents, through: backup.manifest.last.index, storePath: scratch + "/state.db")
        let counts = try BackupReplay.counts(of: store)
        Console.out("replayed: indexes \(backup.manifest.base.index) to \(backup.manifest.last.index) (\(backup.manifest.entries) entries)")
        Console.out("services: \(counts.services)\ntasks: \(counts.tasks)\nnodes: \(counts.nodes)\nsecrets: \(counts.secrets)\nconfigs: \(counts.configs)\nnetworks: \(counts.networks)")
        Console.out("backup OK")
    }
}

/// `colmeia backup inspect FILE`: the manifest, as JSON.
struct BackupInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print a backup's manifest")

    @Argument(help: "The backup file") var file: String

    func run() async throws {
        let backup = try BackupFile(path: file)
        var manifest = backup.manifest
        // Thousands of chunk checksums say nothing to a reader; their count does.
        for index in manifest.parts.indices { manifest.parts[index].chunks = ["\(manifest.parts[index].chunks.count) chunks"] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Console.out(String(decoding: try encoder.encode(manifest), as: UTF8.self))
    }
}

/// `colmeia swarm backup -o FILE`: an online backup from the manager the CLI talks to.
struct SwarmBackup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up the swarm's event log while it runs",
        discussion: "Example:\n  colmeia swarm backup --passphrase-file pass.txt -o swarm.cbk")

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var secret: PassphraseOptions
    @Option(name: [.customShort("o"), .customLong("output")], help: "The file to write (written aside, then renamed)") var output: String
    @Option(help: "Wait until this log index is committed, so the backup holds it (default: what is committed now)") var follow: UInt64?

    func run() async throws {
        let passphrase = try secret.passphrase(required: false)
        let partial = output + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("open \(partial): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var bytes = 0
        do {
            let range = try await global.withClient { client in
                try await client.backup(passphrase: passphrase, follow: follow) { chunk in
                    try handle.write(contentsOf: chunk)
                    bytes += chunk.count
                }
            }
            try handle.synchronize()
            try handle.close()
            _ = try BackupFile(path: partial)
            guard rename(partial, output) == 0 else { throw CLIError("rename \(partial): \(String(cString: strerror(errno)))") }
            Console.out("Backup written to \(output): log indexes \(range.first) to \(range.last), \(bytes) bytes")
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}

/// `colmeia swarm restore FILE --data-dir DIR`: a new manager data directory from a
/// backup, as of its last index or an earlier point.
struct SwarmRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Write a manager data directory from a backup (offline)",
        discussion: """
        Then start it: colmeiad --data-dir DIR, and docker swarm init --force-new-cluster (or colmeiad --force-new-cluster).
        Example:
          colmeia swarm restore swarm.cbk --data-dir /var/lib/colmeia --at-time 2026-12-07T10:00:00Z --passphrase-file pass.txt
        """)

    @OptionGroup var secret: PassphraseOptions
    @Option(name: .customLong("data-dir"), help: "The new data directory (must not exist or be empty)") var dataDir: String
    @Option(name: .customLong("at-index"), help: "Restore the state as of this log index") var atIndex: UInt64?
    @Option(name: .customLong("at-time"), help: "Restore the state as of this time (RFC 3339, Unix timestamp, or a duration back from now)") var atTime: String?
    @Argument(help: "The backup file") var file: String

    func validate() throws {
        if atIndex != nil && atTime != nil { throw ValidationError("--at-index and --at-time cannot be used together") }
    }

    func run() async throws {
        let passphrase = try secret.passphrase(required: true) ?? ""
        let backup = try BackupFile(path: file)
        let contents = try backup.open(passphrase: passphrase)
        var index = backup.manifest.last.index
        if let atIndex { index = atIndex }
        if let atTime { index = try BackupReplay.index(at: try Self.timestamp(atTime), in: contents) }
        let restored = try RestoredSwarm.write(contents, through: index, dataDirectory: dataDir)
        Console.out("Restored swarm \(restored.clusterID) as of log index \(restored.index)\(restored.time.map { " (last change \($0))" } ?? "") into \(dataDir).")
        Console.out("Start it with: colmeiad --data-dir \(dataDir) --force-new-cluster (or docker swarm init --force-new-cluster)")
    }

    static func timestamp(_ text: String) throws(CLIError) -> Timestamp {
        if let exact = Timestamp(rfc3339: text) { return exact }
        let seconds = try TimeArgument.parse(text, flag: "at-time")
        guard let value = Double(seconds) else { throw CLIError("invalid argument \"\(text)\" for \"--at-time\" flag") }
        return Timestamp(nanosecondsSince1970: Int64(value * 1e9))
    }
}
