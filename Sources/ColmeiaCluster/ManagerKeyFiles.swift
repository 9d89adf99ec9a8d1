import ColmeiaPKI
import Foundation

/// A node's keys on disk, in `certificates/`: its TLS key (`swarm-node.key`) and, on a
/// manager, the data key its Raft log and snapshots are encrypted with (`raft-dek`). With
/// autolock each is sealed with the unlock key, so a copied data directory reveals
/// neither the log nor the node's identity without it.
package enum ManagerKeyFiles {
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
    /// A `.next` copy left by a ``reseal(_:_:sealedWith:)`` cut short is taken (and put in
    /// place) when `unlockKey` opens it.
    static func read(_ dataDirectory: String, _ name: String, unlockKey: UnlockKey?) throws -> [UInt8]? {
        let next = path(dataDirectory, name) + nextSuffix
        if let data = FileManager.default.contents(atPath: next), let bytes = try? unseal(Array(data), name, unlockKey) {
            if rename(next, path(dataDirectory, name)) == 0 { try syncFolder(dataDirectory) }
            return bytes
        }
        guard let data = FileManager.default.contents(atPath: path(dataDirectory, name)) else { return nil }
        return try unseal(Array(data), name, unlockKey)
    }

    private static func unseal(_ bytes: [UInt8], _ name: String, _ unlockKey: UnlockKey?) throws -> [UInt8] {
        guard Array(bytes.prefix(sealedHeader.count)) == sealedHeader else { return bytes }
        guard let unlockKey else { throw DockerAPIError.locked }
        return try unlockKey.open(Array(bytes.dropFirst(sealedHeader.count)), label: name)
    }

    static let nextSuffix = ".next"

    /// Seals several key files with a new unlock key (nil: in the clear) so that a crash at
    /// any point leaves them openable with one key: every new file is first written aside
    /// (`.next`), then each is renamed into place. Cut short before the renames, the old
    /// key still opens everything; during them, the new key does (``read(_:_:unlockKey:)``
    /// takes a `.next` copy it can open).
    static func reseal(_ files: [(name: String, bytes: [UInt8])], _ dataDirectory: String, sealedWith unlockKey: UnlockKey?) throws {
        for file in files {
            try write(file.bytes, dataDirectory, file.name + nextSuffix, sealedWith: unlockKey, label: file.name)
        }
        for file in files {
            let next = path(dataDirectory, file.name) + nextSuffix
            guard rename(next, path(dataDirectory, file.name)) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: next])
            }
        }
        try syncFolder(dataDirectory)
    }

    private static func syncFolder(_ dataDirectory: String) throws {
        let folder = ClusterCertificates.directory(dataDirectory)
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder]) }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder]) }
    }

    /// Writes the file owner-only, atomically and durably (file and folder synced), sealed
    /// when `unlockKey` is given: the WAL is synced, so a data key lost to a power cut
    /// would lose the log it encrypts.
    /// `label` binds the sealed bytes to the file they belong in (default: `name`).
    static func write(_ bytes: [UInt8], _ dataDirectory: String, _ name: String, sealedWith unlockKey: UnlockKey?,
                      label: String? = nil) throws {
        let stored = try unlockKey.map { sealedHeader + (try $0.seal(bytes, label: label ?? name)) } ?? bytes
        let folder = ClusterCertificates.directory(dataDirectory)
        let target = path(dataDirectory, name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let failure = CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
        // A copy left aside by an interrupted reseal must not be read instead of this one.
        if !name.hasSuffix(nextSuffix) { unlink(target + nextSuffix) }
        let descriptor = open(target + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure }
        let written = stored.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == stored.count, synced == 0, rename(target + ".tmp", target) == 0 else { throw failure }
        try syncFolder(dataDirectory)
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
