import ColmeiaRaft

/// The replicated application of the simulation: a hash chain over every applied entry,
/// so two nodes that applied different entries at any index end with different digests.
struct SimulatedStateMachine {
    private(set) var appliedIndex: UInt64 = 0
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    init() {}

    init?(snapshotData data: [UInt8]) {
        guard data.count == 16 else { return nil }
        appliedIndex = Self.readUInt64(data, at: 0)
        digest = Self.readUInt64(data, at: 8)
    }

    var snapshotData: [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: appliedIndex.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: digest.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    mutating func apply(_ entry: Entry) {
        appliedIndex = entry.index
        digest = Self.mix(digest, entry.term, UInt64(entry.kind.rawValue), Self.hash(entry.data))
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01B3
        }
        return value
    }

    static func mix(_ values: UInt64...) -> UInt64 {
        var value: UInt64 = 0x9E37_79B9_7F4A_7C15
        for item in values {
            value ^= item &+ 0x9E37_79B9_7F4A_7C15 &+ (value << 6) &+ (value >> 2)
            value = value &* 0xBF58_476D_1CE4_E5B9
        }
        return value
    }

    private static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for position in 0..<8 { value |= UInt64(bytes[offset + position]) << (8 * UInt64(position)) }
        return value
    }
}
