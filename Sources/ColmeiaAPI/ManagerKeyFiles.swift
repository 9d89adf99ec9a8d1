import ColmeiaPKI
import Foundation

/// A node's keys on disk, in `certificates/`: its TLS key (`swarm-node.key`) and, on a
/// manager, the data key its Raft log and snapshots are encrypted with (`raft-dek`). With
/// autolock each is sealed with the unlock key, so a copied data directory reveals
/// neither the log nor the node's identity without it.
enum ManagerKeyFiles {
    static let sealedHeader = Array("COLMEIA-SEALED-1\n".utf8)
    static let dataKeyName = "raft-dek"

    static func path(_ dataDirectory: String, _ name: String) -> String {
        ClusterCertificates.directory(dataDirectory) + "/" + name
    }

    /// Whether a key file is sealed: the node starts locked.
    static func isSealed(_ dataDirectory: String) -> Bool {
        ["swarm-node.key", dataKeyName].contains { name in
            guard let data = FileManager.default.contents(atPath: path(dataDirectory, name)) else { return false }
            return Array(data.prefix(sealedHeader.count)) == sealedHeader
        }
    }

    /// The file's bytes, unsealed with `unlockKey` when sealed; nil when it does not exist.
    static func read(_ dataDirectory: String, _ name: String, unlockKey: UnlockKey?) throws -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(dataDirectory, name)) else { return nil }
        let bytes = Array(data)
        guard Array(bytes.prefix(sealedHeader.count)) == sealedHeader else { return bytes }
        guard let unlockKey else { throw DockerAPIError.locked }
        return try unlockKey.open(Array(bytes.dropFirst(sealedHeader.count)), label: name)
    }

    /// Writes the file owner-only, atomically and durably (file and folder synced), sealed
    /// when `unlockKey` is given: the WAL is synced, so a data key lost to a power cut
    /// would lose the log it encrypts.
    static func write(_ bytes: [UInt8], _ dataDirectory: String, _ name: String, sealedWith unlockKey: UnlockKey?) throws {
        let stored = try unlockKey.map { sealedHeader + (try $0.seal(bytes, label: name)) } ?? bytes
        let folder = ClusterCertificates.directory(dataDirectory)
        let target = path(dataDirectory, name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let failure = CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
        let descriptor = open(target + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure }
        let written = stored.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == stored.count, synced == 0, rename(target + ".tmp", target) == 0 else { throw failure }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw failure }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw failure }
    }

    /// The manager's data key. A manager without one gets a new one, unless its log was
    /// written before encryption at rest (then the log stays as it is, and nil is returned).
    static func dataKey(_ dataDirectory: String, unlockKey: UnlockKey?) throws -> DataEncryptionKey? {
        if let bytes = try read(dataDirectory, dataKeyName, unlockKey: unlockKey) {
            return try DataEncryptionKey(bytes: bytes)
        }
        let wal = dataDirectory + "/raft/wal"
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: wal), existing.contains(where: { $0.hasSuffix(".wal") }) {
            return nil
        }
        let key = DataEncryptionKey()
        try write(key.bytes, dataDirectory, dataKeyName, sealedWith: unlockKey)
        return key
    }
}
