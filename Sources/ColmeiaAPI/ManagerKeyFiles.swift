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

    /// Writes the file owner-only and atomically, sealed when `unlockKey` is given.
    static func write(_ bytes: [UInt8], _ dataDirectory: String, _ name: String, sealedWith unlockKey: UnlockKey?) throws {
        let stored = try unlockKey.map { sealedHeader + (try $0.seal(bytes, label: name)) } ?? bytes
        let target = path(dataDirectory, name)
        try FileManager.default.createDirectory(atPath: ClusterCertificates.directory(dataDirectory),
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(atPath: target + ".tmp", contents: Data(stored),
                                             attributes: [.posixPermissions: 0o600]),
              rename(target + ".tmp", target) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
        }
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
