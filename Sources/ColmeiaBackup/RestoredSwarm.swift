import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import ColmeiaRaft
import ColmeiaRaftStorage
import ColmeiaStore
import Foundation

/// A manager data directory written from a backup (`colmeia swarm restore`): the Raft log
/// as one snapshot of the state at the chosen index, sealed with a new data key, and this
/// record of where it came from. It has no node identity yet: `docker swarm init
/// --force-new-cluster` (or `colmeiad --force-new-cluster`) gives it one, with a new node
/// certificate from the swarm's own CA and fresh join tokens, and removes the record.
public struct RestoredSwarm: Codable, Sendable, Hashable {
    public static let fileName = "restored-from-backup.json"

    public var clusterID: String
    /// The restored state is the log through this index.
    public var index: UInt64
    public var term: UInt64
    /// The time of the last command restored, if any.
    public var time: String?
    /// When the backup was made, and when it was restored.
    public var backupCreatedAt: String
    public var restoredAt: String
    /// The swarm's root CA certificate and key, sealed with the directory's data key (as
    /// the log is), base64: see ``authority(dataKey:)``.
    public var sealedAuthority: String

    static let authorityContext = Array("colmeia restored authority".utf8)

    /// The record in `dataDirectory`, nil when it holds none.
    public static func read(dataDirectory: String) -> RestoredSwarm? {
        guard let data = FileManager.default.contents(atPath: dataDirectory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(RestoredSwarm.self, from: data)
    }

    /// Once the node has its identity, the directory is an ordinary manager's.
    public static func clear(dataDirectory: String) {
        try? FileManager.default.removeItem(atPath: dataDirectory + "/" + fileName)
    }

    /// Writes a new manager data directory at `dataDirectory` (which must not exist or be
    /// empty) holding the backup's state at `index`.
    @discardableResult
    public static func write(_ contents: BackupContents, through index: UInt64, dataDirectory: String) throws(BackupError) -> RestoredSwarm {
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: dataDirectory), !existing.isEmpty {
            throw .io("\(dataDirectory) is not empty: a restore writes a new data directory and never overwrites one")
        }
        do {
            try PrivateDirectory.ensure(dataDirectory, what: "data directory")
        } catch {
            throw .io(error.description)
        }
        let scratch = try BackupReplay.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let image: [UInt8]
        let swarm: Swarm
        do {
            let store = try BackupReplay.replay(contents, through: index, storePath: scratch + "/state.db")
            guard let found = try store.list(Swarm.self).first else {
                throw BackupError.outOfRange("the state at index \(index) holds no swarm yet: choose a later point")
            }
            swarm = found
            image = try store.snapshotData()
        } catch let error as BackupError {
            throw error
        } catch {
            throw .replay("\(error)")
        }
        let term = contents.entries.first(where: { $0.index == index })?.term ?? contents.manifest.base.term
        let time = contents.entries.last(where: { $0.index <= index && $0.payload != nil })
            .flatMap { $0.payload.flatMap(BackupWriter.commandTime) }
        guard let caKey = swarm.rootCAKey else {
            throw .outOfRange("the swarm at index \(index) holds no root CA key: a new manager's certificate could not be issued")
        }
        let key = DataEncryptionKey()
        let record: RestoredSwarm
        do {
            let authority = try key.seal(Array(try JSONEncoder().encode([swarm.tlsInfo.trustRoot, caKey])), context: Self.authorityContext)
            record = RestoredSwarm(clusterID: swarm.id, index: index, term: term, time: time?.rfc3339,
                                   backupCreatedAt: contents.manifest.createdAt, restoredAt: Timestamp.now().rfc3339,
                                   sealedAuthority: Data(authority).base64EncodedString())
        } catch {
            throw .io("cannot seal the restored swarm's CA: \(error)")
        }
        do {
            let certificates = dataDirectory + "/certificates"
            try PrivateDirectory.ensure(certificates, what: "certificates directory")
            try writePrivate(key.bytes, to: certificates + "/raft-dek")
            let (storage, _) = try RaftDiskStorage.open(directory: dataDirectory + "/raft", cipher: LogCipher(key: key))
            defer { storage.close() }
            let membership = ConfState(voters: contents.manifest.voters, learners: contents.manifest.learners)
            try storage.persist(hardState: HardState(term: term, vote: 0, commit: index), entries: [],
                                snapshot: Snapshot(metadata: SnapshotMetadata(index: index, term: term, confState: membership), data: image),
                                sync: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writePrivate(Array(try encoder.encode(record)), to: dataDirectory + "/" + fileName)
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("cannot write the restored data directory \(dataDirectory): \(error)")
        }
        return record
    }

    /// The swarm's root CA (certificate and key), opened with the directory's data key:
    /// what the new manager's certificate is issued from, without loading the state.
    public func authority(dataKey: DataEncryptionKey) throws(BackupError) -> (certificatePEM: String, keyPEM: String) {
        do {
            guard let sealed = Data(base64Encoded: sealedAuthority) else { throw BackupError.malformed("the sealed CA is not base64") }
            let opened = try dataKey.open([UInt8](sealed), context: Self.authorityContext)
            let pair = try JSONDecoder().decode([String].self, from: Data(opened))
            guard pair.count == 2 else { throw BackupError.malformed("the sealed CA is not a certificate and a key") }
            return (pair[0], pair[1])
        } catch let error as BackupError {
            throw error
        } catch {
            throw .malformed("cannot open the restored swarm's CA with the data key: \(error)")
        }
    }

    /// Owner-only, synced.
    private static func writePrivate(_ bytes: [UInt8], to path: String) throws(BackupError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw .io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
