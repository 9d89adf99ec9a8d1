import ColmeiaRaft

/// Layout: term u64, vote u64, commit u64 — 24 bytes.
extension HardState: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(term)
        writer.write(vote)
        writer.write(commit)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let term = try reader.read(UInt64.self)
        let vote = try reader.read(UInt64.self)
        let commit = try reader.read(UInt64.self)
        self.init(term: term, vote: vote, commit: commit)
    }
}
