import ColmeiaRaft

/// Layout: term u64, index u64, kind u8, data (u32 length + bytes) — 21 bytes + data.
extension Entry: BinaryCodable {
    /// Size of the encoded form without building it, used to size write buffers.
    static func encodedSize(dataCount: Int) -> Int { 21 + dataCount }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(term)
        writer.write(index)
        writer.write(kind.rawValue)
        writer.writeLengthPrefixed(data)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let term = try reader.read(UInt64.self)
        let index = try reader.read(UInt64.self)
        let kindOffset = reader.offset
        let rawKind = try reader.readUInt8()
        guard let kind = EntryKind(rawValue: rawKind) else {
            throw .invalidValue(field: "entry kind", value: UInt64(rawKind), offset: kindOffset)
        }
        let data = try reader.readLengthPrefixed()
        self.init(term: term, index: index, kind: kind, data: data)
    }
}
