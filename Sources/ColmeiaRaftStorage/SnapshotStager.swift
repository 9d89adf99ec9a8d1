import ColmeiaRaft

/// Writes snapshot files from any thread while the thread that owns the
/// ``RaftDiskStorage`` goes on: the files go to staging names in the snapshot directory
/// (removed on open when a crash leaves them), sealed with the storage's cipher, and
/// become snapshots of the storage only through ``RaftDiskStorage/compact(toStaged:metadata:)``.
///
/// ```swift
/// let stager = storage.stager                       // on the storage's thread
/// let path = stager.stagingPath(named: "build-1")   // then, on any thread:
/// try stager.stage(snapshot, at: path)
/// try storage.compact(toStaged: path, metadata: snapshot.metadata)  // back on its thread
/// ```
public struct SnapshotStager: Sendable {
    let snapshots: SnapshotStore
    let cipher: (any PayloadCipher)?

    /// A path for a file being built, removed when the storage is opened after a crash.
    public func stagingPath(named name: String) -> String {
        snapshots.stagingPath(named: name)
    }

    /// Seals `snapshot` (when the storage encrypts) and writes it durably at `path`.
    public func stage(_ snapshot: Snapshot, at path: String) throws(RaftDiskStorageError) {
        let stored = try cipher?.seal(snapshot) ?? snapshot
        do {
            try snapshots.stage(stored, at: path)
        } catch {
            throw .snapshots(error)
        }
    }

    /// Writes a snapshot whose data is the file at `source` durably at `path`, as a stream
    /// of (sealed) chunks: the data is never held in memory whole. Returns the data's size.
    @discardableResult
    public func stage(_ metadata: SnapshotMetadata, dataFile source: String, at path: String) throws(RaftDiskStorageError) -> UInt64 {
        guard metadata.index > 0 else { throw .snapshots(.invalidArgument("cannot save a snapshot at index 0")) }
        do {
            return try SnapshotFileWriter.write(metadata, fromFile: source, to: path, cipher: cipher)
        } catch {
            discard(path)
            throw error
        }
    }

    /// Removes a staged file that will not be adopted (nothing if it is gone).
    public func discard(_ path: String) {
        try? FileSystem.removeFile(path)
    }
}
