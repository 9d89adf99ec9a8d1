#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The PROXY protocol's version 2 header (HAProxy's binary form): sent first on a
/// connection toward a task so it learns the client's address, not the node's.
public enum ProxyProtocolHeader {
    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// The header for a connection from `source` to `destination` (`IP`, port). Mixed or
    /// unparsable families give a `LOCAL` header (addresses unknown), as the spec asks.
    public static func encode(source: (ip: String, port: Int), destination: (ip: String, port: Int),
                              udp: Bool = false) -> [UInt8] {
        var bytes = signature
        if let src = ipv4(source.ip), let dst = ipv4(destination.ip) {
            bytes += [0x21, udp ? 0x12 : 0x11, 0x00, 12]
            bytes += src + dst + port(source.port) + port(destination.port)
        } else if let src = ipv6(source.ip), let dst = ipv6(destination.ip) {
            bytes += [0x21, udp ? 0x22 : 0x21, 0x00, 36]
            bytes += src + dst + port(source.port) + port(destination.port)
        } else {
            bytes += [0x20, 0x00, 0x00, 0x00]
        }
        return bytes
    }

    private static func port(_ value: Int) -> [UInt8] {
        let clamped = UInt16(clamping: value)
        return [UInt8(clamped >> 8), UInt8(clamped & 0xFF)]
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else {
            // An IPv4 client on an IPv6 socket (`::ffff:a.b.c.d`).
            if text.hasPrefix("::ffff:"), !text.dropFirst(7).contains(":") { return ipv4(String(text.dropFirst(7))) }
            return nil
        }
        return withUnsafeBytes(of: address.s_addr) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
