import ColmeiaRaft

/// Layout: voter count u32, voters (u64 each), learner count u32, learners (u64 each).
extension ConfState: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(UInt32(truncatingIfNeeded: voters.count))
        for voter in voters { writer.write(voter) }
        writer.write(UInt32(truncatingIfNeeded: learners.count))
        for learner in learners { writer.write(learner) }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let voters = try Self.readIDs(&reader)
        let learners = try Self.readIDs(&reader)
        self.init(voters: voters, learners: learners)
    }

    private static func readIDs(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [NodeID] {
        let countOffset = reader.offset
        let count = Int(try reader.read(UInt32.self))
        // A garbage count must not turn into a multi-gigabyte allocation.
        guard count <= reader.remaining / 8 else {
            throw .truncated(offset: countOffset + 4, needed: count * 8, available: reader.remaining)
        }
        var ids: [NodeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try reader.read(UInt64.self)) }
        return ids
    }
}
