import Testing
@testable import ColmeiaMesh

@Suite("PROXY protocol v2 header")
struct ProxyProtocolHeaderTests {
    @Test("IPv4 TCP: signature, PROXY command, TCP over IPv4, 12 address bytes, addresses and ports in network order")
    func ipv4() {
        let header = ProxyProtocolHeader.encode(source: ("192.168.1.10", 51000), destination: ("10.0.0.2", 8080))
        #expect(Array(header.prefix(12)) == [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A])
        #expect(Array(header[12..<16]) == [0x21, 0x11, 0x00, 12])
        #expect(Array(header[16..<20]) == [192, 168, 1, 10])
        #expect(Array(header[20..<24]) == [10, 0, 0, 2])
        #expect(Array(header[24..<28]) == [0xC7, 0x38, 0x1F, 0x90])
        #expect(header.count == 28)
    }

    @Test("an IPv4 client seen on an IPv6 socket is sent as IPv4; IPv6 gets 36 bytes; unknown addresses a LOCAL header")
    func otherFamilies() {
        let mapped = ProxyProtocolHeader.encode(source: ("::ffff:127.0.0.1", 1), destination: ("127.0.0.1", 2))
        #expect(mapped[13] == 0x11)
        let six = ProxyProtocolHeader.encode(source: ("::1", 1), destination: ("::1", 2))
        #expect(Array(six[12..<16]) == [0x21, 0x21, 0x00, 36])
        #expect(six.count == 16 + 36)
        let unknown = ProxyProtocolHeader.encode(source: ("", 0), destination: ("10.0.0.1", 80))
        #expect(Array(unknown[12..<16]) == [0x20, 0x00, 0x00, 0x00])
    }
}
