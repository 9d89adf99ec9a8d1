/// The record every segment starts with. It identifies the file as a Colmeia WAL,
/// carries the format version (which covers the layout of every record in the segment)
/// and repeats the name's numbers so a renamed or misplaced file is caught.
///
/// Layout: magic "CLMWAL" (6 bytes), version u16, sequence u64, first index u64.
/// Decoding does not judge the magic or version; the scanner does, so it can report
/// "not a WAL segment" and "unsupported version" precisely.
struct WALSegmentHeader: Sendable, Hashable, BinaryCodable {
    static let magic: [UInt8] = Array("CLMWAL".utf8)
    static let currentVersion: UInt16 = 1
    static let encodedSize = 6 + 2 + 8 + 8

    var magic: [UInt8]
    var version: UInt16
    var sequence: UInt64
    var firstIndex: UInt64

    init(sequence: UInt64, firstIndex: UInt64) {
        self.magic = Self.magic
        self.version = Self.currentVersion
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(contentsOf: magic)
        writer.write(version)
        writer.write(sequence)
        writer.write(firstIndex)
    }

    init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        magic = try reader.readBytes(count: Self.magic.count)
        version = try reader.read(UInt16.self)
        sequence = try reader.read(UInt64.self)
        firstIndex = try reader.read(UInt64.self)
    }
}
