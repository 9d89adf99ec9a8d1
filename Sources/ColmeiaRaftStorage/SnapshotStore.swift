import ColmeiaRaft
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Snapshot files in one directory, one file per snapshot named `%016x-%016x.snap`
/// (term, index). Files are written through a temp file, fsync, rename and directory
/// fsync, so a crash leaves either no file or a complete one; every load verifies the
/// CRC-32C over metadata and data.
public struct SnapshotStore: Sendable {
    static let temporarySuffix = ".tmp"

    /// The directory holding the snapshot files.
    public let directory: String

    /// Opens the store, creating the directory if needed and removing temp files that a
    /// crash during ``save(_:)`` left behind.
    public init(directory: String) throws(SnapshotStoreError) {
        self.directory = directory
        do {
            try FileSystem.createDirectory(directory)
            var removed = false
            for name in try FileSystem.listDirectory(directory)
            where name.hasSuffix(SnapshotFileName.suffix + Self.temporarySuffix) {
                try FileSystem.removeFile(FileSystem.join(directory, name))
                removed = true
            }
            if removed { try FileSystem.syncDirectory(directory) }
        } catch {
            throw .io(error)
        }
    }

    /// Durably writes `snapshot`, replacing any file with the same term and index.
    /// Returns the file's path.
    @discardableResult
    public func save(_ snapshot: Snapshot) throws(SnapshotStoreError) -> String {
        guard !snapshot.isEmpty else { throw .invalidArgument("cannot save a snapshot at index 0") }
        let path = self.path(for: SnapshotFileName(term: snapshot.metadata.term, index: snapshot.metadata.index))
        do {
            try FileSystem.writeAtomically(SnapshotFileFormat.encode(snapshot), to: path)
        } catch {
            throw .io(error)
        }
        return path
    }

    /// A path in the directory for a snapshot file being written off the thread that owns
    /// the storage: its name ends in `.snap.tmp`, so that opening the store after a crash
    /// removes it.
    public func stagingPath(named name: String) -> String {
        FileSystem.join(directory, name + SnapshotFileName.suffix + Self.temporarySuffix)
    }

    /// Durably writes `snapshot` at `path` (a ``stagingPath(named:)``) without making it a
    /// snapshot of the store: ``adopt(stagedAt:)`` does, later, with one rename.
    public func stage(_ snapshot: Snapshot, at path: String) throws(SnapshotStoreError) {
        guard !snapshot.isEmpty else { throw .invalidArgument("cannot save a snapshot at index 0") }
        do {
            let file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
            defer { file.close() }
            try file.write(SnapshotFileFormat.encode(snapshot), at: 0)
            try file.sync()
        } catch {
            try? FileSystem.removeFile(path)
            throw .io(error)
        }
    }

    /// Makes the file staged at `path` the snapshot file for `metadata` (replacing any file
    /// of that name), durably. Returns its path.
    @discardableResult
    public func adopt(stagedAt path: String, as metadata: SnapshotMetadata) throws(SnapshotStoreError) -> String {
        guard metadata.index > 0 else { throw .invalidArgument("cannot save a snapshot at index 0") }
        let destination = self.path(for: SnapshotFileName(term: metadata.term, index: metadata.index))
        do {
            try FileSystem.rename(path, to: destination)
            try FileSystem.syncDirectory(directory)
        } catch {
            throw .io(error)
        }
        return destination
    }

    /// The format version of the file for `name` (nil when it is too short to say), read
    /// from its first bytes only.
    public func formatVersion(of name: SnapshotFileName) throws(SnapshotStoreError) -> UInt16? {
        let path = self.path(for: name)
        let head: [UInt8]
        do {
            let file = try FileDescriptor.open(path, flags: O_RDONLY)
            head = try file.read(count: 10, at: 0)
        } catch {
            if error.code == ENOENT { throw .notFound(path: path) }
            throw .io(error)
        }
        guard head.count == 10 else { return nil }
        guard Array(head[0..<8]) == SnapshotFileFormat.magic else { throw .badMagic(path: path) }
        return UInt16(head[8]) | UInt16(head[9]) << 8
    }

    /// Loads and verifies the snapshot with this term and index.
    public func load(term: UInt64, index: UInt64) throws(SnapshotStoreError) -> Snapshot {
        try load(SnapshotFileName(term: term, index: index))
    }

    /// Loads and verifies one snapshot file.
    public func load(_ name: SnapshotFileName) throws(SnapshotStoreError) -> Snapshot {
        let path = self.path(for: name)
        let bytes: [UInt8]
        do {
            let file = try FileDescriptor.open(path, flags: O_RDONLY)
            bytes = try file.readAll()
        } catch {
            if error.code == ENOENT { throw .notFound(path: path) }
            throw .io(error)
        }
        let snapshot = try SnapshotFileFormat.decode(bytes, path: path)
        guard snapshot.metadata.term == name.term, snapshot.metadata.index == name.index else {
            throw .nameMismatch(path: path, term: snapshot.metadata.term, index: snapshot.metadata.index)
        }
        return snapshot
    }

    /// The newest snapshot that verifies. Newer files that fail verification are skipped
    /// in favour of older ones and listed in the result; I/O errors other than a failed
    /// verification are thrown, since they say nothing about the file's contents.
    public func loadNewest() throws(SnapshotStoreError) -> SnapshotLoadResult {
        var result = SnapshotLoadResult()
        for name in try files().reversed() {
            let path = self.path(for: name)
            do {
                result.snapshot = try load(name)
                result.path = path
                return result
            } catch {
                if case .io = error { throw error }
                result.skipped.append(SkippedSnapshot(path: path, error: error))
            }
        }
        return result
    }

    /// Whether a file exists for this term and index (its contents are not verified).
    public func contains(term: UInt64, index: UInt64) -> Bool {
        FileSystem.fileExists(path(for: SnapshotFileName(term: term, index: index)))
    }

    /// Snapshot files present, oldest first. Other files in the directory are ignored.
    public func files() throws(SnapshotStoreError) -> [SnapshotFileName] {
        do {
            return try FileSystem.listDirectory(directory).compactMap(SnapshotFileName.init(fileName:)).sorted()
        } catch {
            throw .io(error)
        }
    }

    /// Deletes all but the `count` newest snapshot files. Returns the paths removed.
    @discardableResult
    public func purge(keeping count: Int) throws(SnapshotStoreError) -> [String] {
        guard count >= 0 else { throw .invalidArgument("cannot keep \(count) snapshots") }
        let all = try files()
        return try remove(Array(all.dropLast(count)))
    }

    /// Deletes the given snapshot files. Returns the paths removed.
    @discardableResult
    public func remove(_ names: [SnapshotFileName]) throws(SnapshotStoreError) -> [String] {
        guard !names.isEmpty else { return [] }
        var removed: [String] = []
        do {
            for name in names {
                let path = self.path(for: name)
                try FileSystem.removeFile(path)
                removed.append(path)
            }
            try FileSystem.syncDirectory(directory)
        } catch {
            throw .io(error)
        }
        return removed
    }

    /// Where the file for `name` lives.
    public func path(for name: SnapshotFileName) -> String {
        FileSystem.join(directory, name.fileName)
    }
}
