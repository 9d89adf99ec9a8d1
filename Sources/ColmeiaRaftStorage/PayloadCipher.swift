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
            guard !entry.data.isEmpty else { return entry }
            var sealed = entry
            do {
                sealed.data = try seal(entry.data, context: Self.context(term: entry.term, index: entry.index))
            } catch {
                throw .encryption("cannot encrypt entry \(entry.index): \(error)")
            }
            return sealed
        }
    }

    func open(_ entries: [Entry]) throws(RaftDiskStorageError) -> [Entry] {
        try entries.map { (entry) throws(RaftDiskStorageError) -> Entry in
            guard !entry.data.isEmpty else { return entry }
            var opened = entry
            do {
                opened.data = try open(entry.data, context: Self.context(term: entry.term, index: entry.index))
            } catch {
                throw .encryption("cannot decrypt entry \(entry.index) of the Raft log: wrong data key, or the entry was tampered with")
            }
            return opened
        }
    }

    func seal(_ snapshot: Snapshot) throws(RaftDiskStorageError) -> Snapshot {
        var sealed = snapshot
        do {
            sealed.data = try seal(snapshot.data, context: Self.context(term: snapshot.metadata.term, index: snapshot.metadata.index))
        } catch {
            throw .encryption("cannot encrypt the snapshot at \(snapshot.metadata.index): \(error)")
        }
        return sealed
    }

    func open(_ snapshot: Snapshot) throws(RaftDiskStorageError) -> Snapshot {
        var opened = snapshot
        do {
            opened.data = try open(snapshot.data, context: Self.context(term: snapshot.metadata.term, index: snapshot.metadata.index))
        } catch {
            throw .encryption("cannot decrypt the snapshot at \(snapshot.metadata.index): wrong data key, or the file was tampered with")
        }
        return opened
    }

    static func context(term: UInt64, index: UInt64) -> [UInt8] {
        var writer = BinaryWriter(capacity: 16)
        writer.write(term)
        writer.write(index)
        return writer.bytes
    }
}
