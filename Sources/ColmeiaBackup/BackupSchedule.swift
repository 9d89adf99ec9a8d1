import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import ColmeiaStore
import Foundation

/// The leader's scheduled backups (`colmeiad --backup-dir DIR --backup-interval 1h
/// --backup-keep 24`): each written aside and renamed into place once synced, so the
/// directory only ever holds whole backups, and the oldest beyond `keep` removed.
public struct BackupSchedule: Sendable {
    public var directory: String
    public var interval: Duration
    public var keep: Int
    /// nil: the swarm's unlock key (autolock) seals them.
    public var passphrase: String?

    public init(directory: String, interval: Duration, keep: Int, passphrase: String?) {
        self.directory = directory
        self.interval = interval
        self.keep = max(keep, 1)
        self.passphrase = passphrase
    }

    /// Writes one backup into the directory, on an idle-priority thread; returns its path
    /// and manifest.
    public func write(_ export: LogExport, clusterID: String, colmeiaVersion: String, passphrase: String,
                      sealedWith: String) async throws -> (path: String, manifest: BackupManifest) {
        try await IdleProducer.run {
            try self.writeNow(export, clusterID: clusterID, colmeiaVersion: colmeiaVersion, passphrase: passphrase, sealedWith: sealedWith)
        }
    }

    func writeNow(_ export: LogExport, clusterID: String, colmeiaVersion: String, passphrase: String,
                  sealedWith: String) throws(BackupError) -> (path: String, manifest: BackupManifest) {
        do {
            try PrivateDirectory.ensure(directory, what: "backup directory")
        } catch {
            throw .io(error.description)
        }
        let stamp = Timestamp.now().rfc3339Fixed.filter { $0.isNumber }.prefix(14)
        let name = "colmeia-\(clusterID.prefix(12))-\(stamp)-\(String(format: "%012llu", export.lastIndex)).cbk"
        let path = directory + "/" + name
        let partial = path + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot create \(partial): \(String(cString: strerror(errno)))") }
        var closed = false
        defer { if !closed { close(descriptor); unlink(partial) } }
        let manifest = try BackupWriter.write(export, clusterID: clusterID, colmeiaVersion: colmeiaVersion,
                                                    schemaVersion: ClusterStore.schemaVersion, passphrase: passphrase,
                                                    sealedWith: sealedWith) { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
                guard written > 0 else { throw BackupError.io("cannot write \(partial): \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw .io("cannot sync \(partial): \(String(cString: strerror(errno)))") }
        close(descriptor)
        closed = true
        // Room first, so the directory never holds more than `keep` whole backups.
        prune(keeping: keep - 1, writing: partial)
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw .io("cannot rename \(partial): \(String(cString: strerror(errno)))")
        }
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return (path, manifest)
    }

    /// Removes the oldest backups beyond `count` (names sort by time), and what writes cut
    /// short by a crash left (other than the one being written).
    func prune(keeping count: Int, writing current: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let backups = names.filter { $0.hasPrefix("colmeia-") && $0.hasSuffix(".cbk") }.sorted()
        for name in backups.dropLast(count) { unlink(directory + "/" + name) }
        for name in names where name.hasPrefix("colmeia-") && name.hasSuffix(".cbk.partial") && directory + "/" + name != current {
            unlink(directory + "/" + name)
        }
    }
}
