#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, for checking IPAM configurations.
struct IPAddress: Hashable, Sendable {
    /// 4 or 16 bytes, network order.
    var bytes: [UInt8]

    init?(_ text: String) {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }
}

/// A CIDR block such as `10.0.9.0/24`, parsed like Go's `net.ParseCIDR`.
struct IPNetwork: Hashable, Sendable {
    var address: IPAddress
    var prefixLength: Int

    init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"),
            let address = IPAddress(String(text[..<slash])),
            let length = Int(text[text.index(after: slash)...]),
            !text[text.index(after: slash)...].isEmpty,
            text[text.index(after: slash)...].allSatisfy({ $0.isASCII && $0.isNumber }),
            length >= 0, length <= address.bytes.count * 8
        else { return nil }
        self.address = address
        self.prefixLength = length
    }

    /// Whether `ip` lies inside this block (same family, same leading `prefixLength` bits).
    func contains(_ ip: IPAddress) -> Bool {
        guard ip.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.bytes.count where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[index] & mask != ip.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
