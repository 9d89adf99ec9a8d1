import ColmeiaRaft

/// Layout: index u64, term u64, then the ``ConfState``.
extension SnapshotMetadata: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(index)
        writer.write(term)
        confState.encode(to: &writer)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let index = try reader.read(UInt64.self)
        let term = try reader.read(UInt64.self)
        let confState = try ConfState(from: &reader)
        self.init(index: index, term: term, confState: confState)
    }
}
