/// How a proposal travels in a log entry: who proposed it (node and a per-node sequence,
/// so the proposer recognises its own entry when it is applied) and the payload.
///
/// Layout (little-endian): version `1` (1 byte), proposer node id (8), sequence (8), payload.
struct ProposalFrame: Equatable {
    static let version: UInt8 = 1
    static let headerSize = 17

    var proposer: UInt64
    var sequence: UInt64
    var payload: [UInt8]

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = [Self.version]
        bytes.reserveCapacity(Self.headerSize + payload.count)
        withUnsafeBytes(of: proposer.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: sequence.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Nil when `bytes` is not a frame of a version this build understands.
    init?(decoding bytes: [UInt8]) {
        guard bytes.count >= Self.headerSize, bytes[0] == Self.version else { return nil }
        proposer = Self.readUInt64(bytes, at: 1)
        sequence = Self.readUInt64(bytes, at: 9)
        payload = Array(bytes[Self.headerSize...])
    }

    init(proposer: UInt64, sequence: UInt64, payload: [UInt8]) {
        self.proposer = proposer
        self.sequence = sequence
        self.payload = payload
    }

    private static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for position in 0..<8 { value |= UInt64(bytes[offset + position]) << (8 * UInt64(position)) }
        return value
    }
}
