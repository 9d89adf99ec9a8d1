import Testing
@testable import ColmeiaMesh

@Suite("the mesh resolver's DNS messages")
struct DNSMessageTests {
    /// A query for `name` (type A, recursion desired), as a stub resolver sends it.
    static func query(_ name: String, type: UInt16 = 1, id: UInt16 = 0xBEEF) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") { bytes += [UInt8(label.utf8.count)] + Array(label.utf8) }
        return bytes + [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
    }

    @Test("a question is read (lowercased), answered with its id, the question and one A record per address")
    func answers() throws {
        let query = Self.query("Tasks.API")
        let (id, recursion, question) = try #require(DNSMessage.question(in: query))
        #expect(id == 0xBEEF && recursion && question.name == "tasks.api" && question.type == DNSMessage.typeA)
        let answer = DNSMessage.answer(to: query, question: question, recursionDesired: recursion, code: .noError,
                                       addresses: [[10, 0, 1, 2], [10, 0, 1, 3]])
        #expect(Array(answer[0..<2]) == [0xBE, 0xEF])
        #expect(answer[2] & 0x80 != 0 && answer[3] & 0x0F == 0)
        #expect(Array(answer[6..<8]) == [0, 2])
        #expect(Array(answer.suffix(4)) == [10, 0, 1, 3])
        #expect(answer.count == query.count + 2 * 16)
    }

    @Test("answers stop at 512 bytes and say they were truncated")
    func truncates() throws {
        let query = Self.query("tasks.big")
        let (_, _, question) = try #require(DNSMessage.question(in: query))
        let many = (0..<100).map { [10, 0, 0, UInt8($0)] }
        let answer = DNSMessage.answer(to: query, question: question, recursionDesired: true, code: .noError, addresses: many)
        #expect(answer.count <= 512)
        #expect(answer[2] & 0x02 != 0)
    }

    @Test("what is not one well-formed question is ignored: short, a response, two questions, a label past the end, a pointer, a name over 255 bytes")
    func hostile() {
        var response = Self.query("api")
        response[2] |= 0x80
        var two = Self.query("api")
        two[5] = 2
        var pastEnd = Self.query("api")
        pastEnd[12] = 60
        var pointer = Self.query("api")
        pointer[12] = 0xC0
        let long = Self.query(Array(repeating: String(repeating: "a", count: 63), count: 5).joined(separator: "."))
        for bytes in [[UInt8](repeating: 0, count: 5), response, two, pastEnd, pointer, long] {
            #expect(DNSMessage.question(in: bytes) == nil)
        }
    }
}
