import ColmeiaRaft

/// Durable Raft storage: a ``WAL`` in `wal/` and a ``SnapshotStore`` in `snap/`.
///
///     <directory>/wal/wal.lock                 flock held while open
///     <directory>/wal/<sequence>-<index>.wal   segments, %016x each
///     <directory>/snap/<term>-<index>.snap     snapshots, %016x each
///
/// The WAL is the authority. A snapshot file counts only once the WAL holds a marker
/// for it, so snapshots are always saved before their marker; on open the marked
/// snapshot must exist and verify, and unmarked newer files are deleted.
///
/// With a ``PayloadCipher``, entry and snapshot data are encrypted on disk (framing,
/// indexes and checksums stay in the clear, so recovery works as without it).
public final class RaftDiskStorage {
    /// The storage root.
    public let directory: String
    /// How many snapshot files ``compact(to:)`` keeps.
    public let snapshotsToKeep: Int
    /// The underlying log, for inspection.
    public let wal: WAL
    /// The underlying snapshot files, for inspection.
    public let snapshots: SnapshotStore
    /// Encrypts entry and snapshot data at rest; nil stores them as they are.
    public let cipher: (any PayloadCipher)?

    private init(directory: String, snapshotsToKeep: Int, wal: WAL, snapshots: SnapshotStore, cipher: (any PayloadCipher)?) {
        self.directory = directory
        self.cipher = cipher
        self.snapshotsToKeep = snapshotsToKeep
        self.wal = wal
        self.snapshots = snapshots
    }

    /// Opens (or creates) the storage under `directory` and recovers a consistent state:
    /// the snapshot the WAL's newest marker names, the last hard state, and the entries
    /// after that snapshot.
    public static func open(
        directory: String,
        segmentSize: Int = WAL.defaultSegmentSize,
        snapshotsToKeep: Int = 2,
        cipher: (any PayloadCipher)? = nil
    ) throws(RaftDiskStorageError) -> (RaftDiskStorage, RecoveredState) {
        guard snapshotsToKeep >= 1 else {
            throw .inconsistent("snapshotsToKeep must be at least 1, got \(snapshotsToKeep)")
        }
        do {
            try FileSystem.createDirectory(directory)
        } catch {
            throw .io(error)
        }
        let snapshots: SnapshotStore
        let wal: WAL
        let contents: WALContents
        do {
            snapshots = try SnapshotStore(directory: FileSystem.join(directory, "snap"))
        } catch {
            throw .snapshots(error)
        }
        do {
            (wal, contents) = try WAL.open(directory: FileSystem.join(directory, "wal"), segmentSize: segmentSize)
        } catch {
            throw .wal(error)
        }

        var recovered = RecoveredState(
            hardState: contents.hardState, entries: try cipher?.open(contents.entries) ?? contents.entries,
            repairedTail: contents.repairedTail
        )
        let marker = contents.snapshot
        if let marker {
            recovered.snapshot = try loadMarkedSnapshot(marker, from: snapshots, cipher: cipher)
        }
        do {
            let markerIndex = marker?.index ?? 0
            let unmarked = try snapshots.files().filter { $0.index > markerIndex }
            recovered.removedSnapshotFiles = try snapshots.remove(unmarked)
        } catch {
            throw .snapshots(error)
        }

        let snapshotIndex = marker?.index ?? 0
        if let first = recovered.entries.first, first.index != snapshotIndex + 1 {
            throw .inconsistent("log starts at index \(first.index) but the snapshot ends at \(snapshotIndex)")
        }
        if recovered.hardState.commit > recovered.lastIndex {
            throw .inconsistent(
                "hard state commit index \(recovered.hardState.commit) is beyond "
                    + "the last log index \(recovered.lastIndex)"
            )
        }
        let storage = RaftDiskStorage(
            directory: directory, snapshotsToKeep: snapshotsToKeep, wal: wal, snapshots: snapshots, cipher: cipher
        )
        return (storage, recovered)
    }

    /// The snapshot the WAL's marker names, verified. A file of format version 2 (written
    /// in chunks, see ``SnapshotFileWriter``) is read through once to verify it, and its
    /// data is left on disk: the snapshot comes back with empty data (see
    /// ``openSnapshot(_:)``). A version 1 file comes back whole, as it always did.
    private static func loadMarkedSnapshot(
        _ marker: SnapshotMetadata,
        from snapshots: SnapshotStore,
        cipher: (any PayloadCipher)?
    ) throws(RaftDiskStorageError) -> Snapshot {
        let name = SnapshotFileName(term: marker.term, index: marker.index)
        let path = snapshots.path(for: name)
        let version: UInt16?
        do {
            version = try snapshots.formatVersion(of: name)
        } catch {
            if case .notFound = error { throw .missingSnapshot(path: path, index: marker.index, term: marker.term) }
            throw .snapshots(error)
        }
        if version == SnapshotFileWriter.version {
            let reader = try SnapshotFileReader.open(path: path, cipher: cipher)
            guard reader.metadata == marker else {
                throw .snapshotMismatch(path: path, marker: marker, file: reader.metadata)
            }
            try reader.verify()
            return Snapshot(metadata: marker, data: [])
        }
        let snapshot: Snapshot
        do {
            snapshot = try snapshots.load(name)
        } catch {
            if case let .notFound(path) = error {
                throw .missingSnapshot(path: path, index: marker.index, term: marker.term)
            }
            throw .snapshots(error)
        }
        guard snapshot.metadata == marker else {
            throw .snapshotMismatch(path: path, marker: marker, file: snapshot.metadata)
        }
        return try cipher?.open(snapshot) ?? snapshot
    }

    /// Opens the snapshot file for `metadata` to read its data from any thread, as a
    /// stream (the file stays readable through the reader even once it is purged).
    public func openSnapshot(_ metadata: SnapshotMetadata) throws(RaftDiskStorageError) -> SnapshotFileReader {
        let path = snapshots.path(for: SnapshotFileName(term: metadata.term, index: metadata.index))
        let reader: SnapshotFileReader
        do {
            reader = try SnapshotFileReader.open(path: path, cipher: cipher)
        } catch {
            if case .snapshots(.notFound) = error {
                throw .missingSnapshot(path: path, index: metadata.index, term: metadata.term)
            }
            throw error
        }
        guard reader.metadata == metadata else {
            throw .snapshotMismatch(path: path, marker: metadata, file: reader.metadata)
        }
        return reader
    }

    /// Makes a Raft `Ready` batch durable: the snapshot file first (if any), then one WAL
    /// write of its marker, the entries and the hard state, flushed once. Pass
    /// `sync: false` for batches Raft does not need on disk yet (`Ready.mustSync` false);
    /// the next synced batch flushes them too.
    public func persist(
        hardState: HardState?,
        entries: [Entry],
        snapshot: Snapshot?,
        sync: Bool = true
    ) throws(RaftDiskStorageError) {
        var marker: SnapshotMetadata?
        if let snapshot, !snapshot.isEmpty, wal.snapshotMarker != snapshot.metadata {
            try checkNotStale(snapshot.metadata)
            let stored = try cipher?.seal(snapshot) ?? snapshot
            do {
                try snapshots.save(stored)
            } catch {
                throw .snapshots(error)
            }
            marker = snapshot.metadata
        }
        let stored = try cipher?.seal(entries) ?? entries
        do {
            try wal.save(hardState: hardState, entries: stored, snapshotMarker: marker, sync: sync)
        } catch {
            throw .wal(error)
        }
    }

    /// Compacts the log: saves `snapshot` (unless it is already the recorded one), records its marker,
    /// releases WAL segments it covers and deletes all but ``snapshotsToKeep`` snapshot files.
    public func compact(to snapshot: Snapshot) throws(RaftDiskStorageError) {
        guard !snapshot.isEmpty else { throw .inconsistent("cannot compact to an empty snapshot") }
        try checkNotStale(snapshot.metadata)
        let metadata = snapshot.metadata
        let stored = wal.snapshotMarker != metadata ? try cipher?.seal(snapshot) ?? snapshot : snapshot
        do {
            // A marked snapshot was verified or written by us; any other file with the
            // same name is rewritten rather than trusted.
            if wal.snapshotMarker != metadata {
                try snapshots.save(stored)
            }
        } catch {
            throw .snapshots(error)
        }
        try recordCompaction(to: metadata)
    }

    /// Once the snapshot file is in place: its marker in the WAL, the segments it covers
    /// released, and all but ``snapshotsToKeep`` snapshot files deleted.
    private func recordCompaction(to metadata: SnapshotMetadata) throws(RaftDiskStorageError) {
        do {
            try wal.saveSnapshotMarker(metadata)
            try wal.releaseSegments(before: metadata.index)
        } catch {
            throw .wal(error)
        }
        do {
            try snapshots.purge(keeping: snapshotsToKeep)
        } catch {
            throw .snapshots(error)
        }
    }

    /// Writes snapshot files from any thread, for ``compact(toStaged:metadata:)``.
    public var stager: SnapshotStager { SnapshotStager(snapshots: snapshots, cipher: cipher) }

    /// Compacts the log to a snapshot file that a ``SnapshotStager`` wrote at `path` (off
    /// the thread that owns this storage): renames it to its place, records its marker,
    /// releases the WAL segments it covers and deletes all but ``snapshotsToKeep`` snapshot
    /// files.
    public func compact(toStaged path: String, metadata: SnapshotMetadata) throws(RaftDiskStorageError) {
        guard metadata.index > 0 else { throw .inconsistent("cannot compact to an empty snapshot") }
        try checkNotStale(metadata)
        guard wal.snapshotMarker != metadata else {
            throw .inconsistent("the snapshot at index \(metadata.index) is already recorded")
        }
        do {
            try snapshots.adopt(stagedAt: path, as: metadata)
        } catch {
            throw .snapshots(error)
        }
        try recordCompaction(to: metadata)
    }

    /// Closes the WAL and releases its lock.
    public func close() {
        wal.close()
    }

    /// Closes after a failed persist, cutting the WAL back to what was last synced (see
    /// ``WAL/closeDiscardingUnsyncedTail()``); false when even that cut failed.
    public func closeAfterFailure() -> Bool {
        wal.closeDiscardingUnsyncedTail()
    }

    private func checkNotStale(_ metadata: SnapshotMetadata) throws(RaftDiskStorageError) {
        if let current = wal.snapshotMarker, metadata.index < current.index {
            throw .staleSnapshot(index: metadata.index, current: current.index)
        }
    }
}
