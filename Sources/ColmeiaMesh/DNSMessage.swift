/// The little of DNS the mesh's resolver needs (RFC 1035): one question in, A records out.
/// Parsing is bounded and never trusts a length or a pointer it reads.
struct DNSMessage: Sendable, Hashable {
    struct Question: Sendable, Hashable {
        /// Lowercased, without the trailing dot.
        var name: String
        var type: UInt16
        var `class`: UInt16
        /// Where the question ends in the query (answers copy the query up to here).
        var end: Int
    }

    static let typeA: UInt16 = 1
    static let typeAAAA: UInt16 = 28
    static let classIN: UInt16 = 1

    enum Code: UInt8 {
        case noError = 0
        case formatError = 1
        case serverFailure = 2
        case nameError = 3
        case refused = 5
    }

    /// The query's id, flags and single question; nil for anything that is not a
    /// standard query with exactly one question.
    static func question(in query: [UInt8]) -> (id: UInt16, recursionDesired: Bool, question: Question)? {
        guard query.count >= 12, query.count <= 4_096 else { return nil }
        let id = UInt16(query[0]) << 8 | UInt16(query[1])
        let flags = query[2]
        // QR must be 0 (a query), opcode 0 (standard).
        guard flags & 0x80 == 0, (flags >> 3) & 0x0F == 0 else { return nil }
        let questions = UInt16(query[4]) << 8 | UInt16(query[5])
        guard questions == 1 else { return nil }
        var offset = 12
        var labels: [String] = []
        var total = 0
        while true {
            guard offset < query.count else { return nil }
            let length = Int(query[offset])
            offset += 1
            if length == 0 { break }
            // No compression in a question; labels of at most 63 bytes, names of 255.
            guard length <= 63, offset + length <= query.count else { return nil }
            total += length + 1
            guard total <= 255 else { return nil }
            labels.append(String(decoding: query[offset..<(offset + length)], as: UTF8.self).lowercased())
            offset += length
        }
        guard offset + 4 <= query.count else { return nil }
        let type = UInt16(query[offset]) << 8 | UInt16(query[offset + 1])
        let qclass = UInt16(query[offset + 2]) << 8 | UInt16(query[offset + 3])
        return (id, flags & 0x01 != 0,
                Question(name: labels.joined(separator: "."), type: type, class: qclass, end: offset + 4))
    }

    /// The answer to `query`: its id and question, `code`, and an A record per address
    /// (as many as fit in a classic 512-byte message; the rest is left out, truncated).
    static func answer(to query: [UInt8], question: Question, recursionDesired: Bool, code: Code,
                       addresses: [[UInt8]] = [], ttl: UInt32 = 5) -> [UInt8] {
        var message = Array(query[0..<question.end])
        // QR, opcode 0, AA, RD as asked; RA.
        message[2] = 0x80 | 0x04 | (recursionDesired ? 0x01 : 0x00)
        message[3] = 0x80 | code.rawValue
        // One question; no authority or additional records.
        message[4] = 0; message[5] = 1
        message[8] = 0; message[9] = 0; message[10] = 0; message[11] = 0
        var count = 0
        for address in addresses where address.count == 4 {
            guard message.count + 16 <= 512 else {
                message[2] |= 0x02
                break
            }
            // A pointer to the question's name, type A, class IN, TTL, 4 bytes of address.
            message += [0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01,
                        UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xFF), UInt8(ttl >> 8 & 0xFF), UInt8(ttl & 0xFF),
                        0x00, 0x04] + address
            count += 1
        }
        message[6] = UInt8(count >> 8)
        message[7] = UInt8(count & 0xFF)
        return message
    }
}
