import ColmeiaRaft

/// The wire form of a Raft message between managers.
///
/// Layout: version u8 (1), type u8, to u64, from u64, term u64, logTerm u64, index u64,
/// commit u64, reject u8, rejectHint u64, context (u32 length + bytes), entry count u32,
/// entries, snapshot flag u8, then the snapshot's metadata and data when the flag is 1.
/// Unlike WAL records, messages cross versions of the program, so they carry a version.
extension Message: BinaryCodable {
    static let wireVersion: UInt8 = 1

    public func encode(to writer: inout BinaryWriter) {
        writer.write(Self.wireVersion)
        writer.write(type.rawValue)
        writer.write(to)
        writer.write(from)
        writer.write(term)
        writer.write(logTerm)
        writer.write(index)
        writer.write(commit)
        writer.write(UInt8(reject ? 1 : 0))
        writer.write(rejectHint)
        writer.writeLengthPrefixed(context)
        writer.write(UInt32(truncatingIfNeeded: entries.count))
        for entry in entries { entry.encode(to: &writer) }
        if let snapshot {
            writer.write(UInt8(1))
            snapshot.metadata.encode(to: &writer)
            writer.writeLengthPrefixed(snapshot.data)
        } else {
            writer.write(UInt8(0))
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let versionOffset = reader.offset
        let version = try reader.readUInt8()
        guard version == Self.wireVersion else {
            throw .invalidValue(field: "message version", value: UInt64(version), offset: versionOffset)
        }
        let typeOffset = reader.offset
        let rawType = try reader.readUInt8()
        // Local message kinds never travel: a peer sending one is broken or hostile.
        guard let type = MessageType(rawValue: rawType), !type.isLocal else {
            throw .invalidValue(field: "message type", value: UInt64(rawType), offset: typeOffset)
        }
        let to = try reader.read(UInt64.self)
        let from = try reader.read(UInt64.self)
        let term = try reader.read(UInt64.self)
        let logTerm = try reader.read(UInt64.self)
        let index = try reader.read(UInt64.self)
        let commit = try reader.read(UInt64.self)
        let rejectOffset = reader.offset
        let rawReject = try reader.readUInt8()
        guard rawReject <= 1 else { throw .invalidValue(field: "reject flag", value: UInt64(rawReject), offset: rejectOffset) }
        let rejectHint = try reader.read(UInt64.self)
        let context = try reader.readLengthPrefixed()
        let countOffset = reader.offset
        let count = Int(try reader.read(UInt32.self))
        // Every entry takes at least 21 bytes: a garbage count cannot force a huge allocation.
        guard count <= reader.remaining / 21 else {
            throw .truncated(offset: countOffset + 4, needed: count * 21, available: reader.remaining)
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try Entry(from: &reader)) }
        let flagOffset = reader.offset
        let flag = try reader.readUInt8()
        var snapshot: Snapshot?
        switch flag {
        case 0: break
        case 1:
            let metadata = try SnapshotMetadata(from: &reader)
            snapshot = Snapshot(metadata: metadata, data: try reader.readLengthPrefixed())
        default:
            throw .invalidValue(field: "snapshot flag", value: UInt64(flag), offset: flagOffset)
        }
        self.init(type: type, to: to, from: from, term: term, logTerm: logTerm, index: index, entries: entries,
                  commit: commit, snapshot: snapshot, reject: rawReject == 1, rejectHint: rejectHint, context: context)
    }
}

/// A batch of messages for one peer, the body of one transport request:
/// count u32, then each message length-prefixed.
public enum MessageBatch {
    public static func encode(_ messages: [Message]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt32(truncatingIfNeeded: messages.count))
        for message in messages { writer.writeLengthPrefixed(message.binaryEncoded()) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> [Message] {
        var reader = BinaryReader(bytes)
        let countOffset = reader.offset
        let count = Int(try reader.read(UInt32.self))
        guard count <= reader.remaining / 4 else {
            throw .truncated(offset: countOffset + 4, needed: count * 4, available: reader.remaining)
        }
        var messages: [Message] = []
        messages.reserveCapacity(count)
        for _ in 0..<count { messages.append(try Message(binaryEncoded: try reader.readLengthPrefixed())) }
        try reader.expectEnd()
        return messages
    }
}
