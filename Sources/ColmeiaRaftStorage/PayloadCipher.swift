import ColmeiaRaft

/// Encrypts what Raft stores on disk: the data of every WAL entry and of every snapshot
/// (encryption at rest). Storage stays free of any crypto library; the node supplies the
/// cipher with its data key.
///
/// `context` binds a sealed payload to where it was written (the entry's term and index,
/// or the snapshot's), so that a payload moved elsewhere in the log does not open.
public protocol PayloadCipher: Sendable {
    func seal(_ plaintext: [UInt8], context: [UInt8]) throws -> [UInt8]
    func open(_ sealed: [UInt8], context: [UInt8]) throws -> [UInt8]
}

extension PayloadCipher {
    func seal(_ entries: [Entry]) throws(RaftDiskStorageError) -> [Entry] {
        try entries.map { (entry) throws(RaftDiskStorageError) -> Entry in
            var sealed = entry
            sealed.data = try transform(entry.data, sealing: true, term: entry.term, index: entry.index, what: "entry")
            return sealed
        }
    }

    func open(_ entries: [Entry]) throws(RaftDiskStorageError) -> [Entry] {
        try entries.map { (entry) throws(RaftDiskStorageError) -> Entry in
            var opened = entry
            opened.data = try transform(entry.data, sealing: false, term: entry.term, index: entry.index, what: "entry")
            return opened
        }
    }

    func seal(_ snapshot: Snapshot) throws(RaftDiskStorageError) -> Snapshot {
        var sealed = snapshot
        sealed.data = try transform(snapshot.data, sealing: true, term: snapshot.metadata.term,
                                    index: snapshot.metadata.index, what: "snapshot")
        return sealed
    }

    func open(_ snapshot: Snapshot) throws(RaftDiskStorageError) -> Snapshot {
        var opened = snapshot
        opened.data = try transform(snapshot.data, sealing: false, term: snapshot.metadata.term,
                                    index: snapshot.metadata.index, what: "snapshot")
        return opened
    }

    /// Seals or opens one chunk of a streamed snapshot file, bound to the snapshot, to its
    /// place among the chunks and to whether it is the last (so chunks cannot be moved,
    /// dropped or cut off unnoticed).
    func transformChunk(_ data: [UInt8], sealing: Bool, metadata: SnapshotMetadata, chunk: UInt64,
                        isLast: Bool) throws(RaftDiskStorageError) -> [UInt8] {
        var writer = BinaryWriter(capacity: 25)
        writer.write(metadata.term)
        writer.write(metadata.index)
        writer.write(chunk)
        writer.write(UInt8(isLast ? 1 : 0))
        do {
            return sealing ? try seal(data, context: writer.bytes) : try open(data, context: writer.bytes)
        } catch {
            throw .encryption(sealing
                ? "cannot encrypt part \(chunk) of the snapshot at index \(metadata.index): \(error)"
                : "cannot decrypt part \(chunk) of the snapshot at index \(metadata.index): wrong data key, or it was tampered with")
        }
    }

    /// Seals or opens one payload bound to its place in the log; an empty entry (a
    /// leader's no-op) stays empty.
    private func transform(_ data: [UInt8], sealing: Bool, term: UInt64, index: UInt64,
                           what: String) throws(RaftDiskStorageError) -> [UInt8] {
        guard !data.isEmpty || what == "snapshot" else { return data }
        var writer = BinaryWriter(capacity: 16)
        writer.write(term)
        writer.write(index)
        do {
            return sealing ? try seal(data, context: writer.bytes) : try open(data, context: writer.bytes)
        } catch {
            throw .encryption(sealing
                ? "cannot encrypt the \(what) at index \(index): \(error)"
                : "cannot decrypt the \(what) at index \(index) of the Raft log: wrong data key, or it was tampered with")
        }
    }
}
