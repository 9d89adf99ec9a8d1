import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation

/// Replays a backup's log onto its snapshot in a scratch store, through any index it
/// covers: what `backup verify` counts and `swarm restore` writes.
public enum BackupReplay {
    /// Objects of each kind in a replayed store.
    public struct Counts: Sendable, Hashable, Codable {
        public var services = 0
        public var tasks = 0
        public var nodes = 0
        public var secrets = 0
        public var configs = 0
        public var networks = 0
    }

    /// The last index whose state the cluster had at `time`: everything up to the first
    /// command made after `time` (by its proposer's clock).
    public static func index(at time: Timestamp, in contents: BackupContents) throws(BackupError) -> UInt64 {
        let base = contents.manifest.base.index
        var chosen = base
        var sawCommand = false
        for entry in contents.entries {
            if let payload = entry.payload, let made = BackupWriter.commandTime(payload), made > time {
                guard sawCommand else {
                    throw .outOfRange(base > 0
                        ? "\(time.rfc3339) is before the first moment this backup covers: it starts from the state at index \(base), and its first later change was made at \(made.rfc3339)"
                        : "\(time.rfc3339) is before the swarm's first change (\(made.rfc3339)): there is nothing to restore")
                }
                return chosen
            }
            if entry.payload != nil { sawCommand = true }
            chosen = entry.index
        }
        return chosen
    }

    /// The store at `index` (between the backup's base and last index), in a new database
    /// at `path`.
    public static func replay(_ contents: BackupContents, through index: UInt64, storePath path: String) throws(BackupError) -> ClusterStore {
        let manifest = contents.manifest
        guard index >= manifest.base.index, index <= manifest.last.index else {
            throw .outOfRange("index \(index) is outside this backup, which covers \(manifest.base.index) to \(manifest.last.index)")
        }
        do {
            let store = try ClusterStore(path: path)
            if !contents.baseData.isEmpty { try store.restore(snapshotData: contents.baseData) }
            let machine = ClusterStateMachine(store: store)
            var batch: [CommittedEntry] = []
            for entry in contents.entries where entry.index <= index {
                batch.append(entry)
                if batch.count == 1000 {
                    _ = try machine.apply(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { _ = try machine.apply(batch) }
            guard store.applied.index == index else {
                throw BackupError.replay("the replayed store is at index \(store.applied.index), not \(index)")
            }
            return store
        } catch let error as BackupError {
            throw error
        } catch {
            throw .replay("\(error)")
        }
    }

    public static func counts(of store: ClusterStore) throws(BackupError) -> Counts {
        do {
            return Counts(services: try store.count(.service), tasks: try store.count(.task), nodes: try store.count(.node),
                          secrets: try store.count(.secret), configs: try store.count(.config), networks: try store.count(.network))
        } catch {
            throw .replay("cannot count the replayed objects: \(error)")
        }
    }

    /// A private scratch directory (0700) for a replay, removed by the caller: in memory
    /// (`/dev/shm`) where there is one, as the daemon keeps its read models (they hold
    /// secrets in the clear, and a replay should not wait on a disk), else in the
    /// temporary directory.
    public static func scratchDirectory() throws(BackupError) -> String {
        var isDirectory: ObjCBool = false
        let memory = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
        var template = Array(((memory ? "/dev/shm" : NSTemporaryDirectory()) + "/colmeia-backup.XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
            return String(cString: made)
        }
        guard let path else {
            throw .io("cannot create a scratch directory in \(NSTemporaryDirectory())")
        }
        return path
    }
}
