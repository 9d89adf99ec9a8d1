/// An IPv4 block (`10.0.1.0/24`) and the arithmetic the allocator needs: containment,
/// overlap, the gateway (the first address) and the host addresses after it.
public struct IPv4Subnet: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The network address, host bits cleared.
    public let base: UInt32
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = Self.parse(String(parts[0])), let length = Int(parts[1]),
              (0...32).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public init(address: UInt32, prefixLength: Int) {
        self.prefixLength = prefixLength
        base = address & Self.mask(prefixLength)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length)) }

    /// How many addresses the block spans.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }
    public var last: UInt32 { base | ~Self.mask(prefixLength) }

    public func contains(_ address: UInt32) -> Bool { address & Self.mask(prefixLength) == base }

    public func overlaps(_ other: IPv4Subnet) -> Bool { contains(other.base) || other.contains(base) }

    /// The gateway: the first address after the network address.
    public var gateway: UInt32 { base &+ 1 }

    /// The addresses tasks and virtual IPs may take: after the gateway, before broadcast.
    public var hostRange: ClosedRange<UInt32>? {
        guard prefixLength <= 30 else { return nil }
        return (base + 2)...(last - 1)
    }

    /// `a.b.c.d/len` with `address` in place of the network address.
    public func cidr(of address: UInt32) -> String { Self.format(address) + "/\(prefixLength)" }

    public var description: String { Self.format(base) + "/\(prefixLength)" }

    public static func < (lhs: IPv4Subnet, rhs: IPv4Subnet) -> Bool {
        (lhs.base, lhs.prefixLength) < (rhs.base, rhs.prefixLength)
    }

    /// `10.0.1.5` → its number; nil for anything else.
    public static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isNumber), let byte = UInt32(octet), byte <= 255 else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    /// The address of `a.b.c.d/len` (the part before the slash).
    public static func address(ofCIDR text: String) -> UInt32? {
        parse(String(text.split(separator: "/").first ?? ""))
    }

    /// The first block of `size` bits' prefix in `pool` that overlaps none of `taken`.
    public static func firstFree(in pool: IPv4Subnet, prefixLength: Int, avoiding taken: [IPv4Subnet]) -> IPv4Subnet? {
        guard prefixLength >= pool.prefixLength, prefixLength <= 30 else { return nil }
        let step = UInt64(1) << UInt64(32 - prefixLength)
        var candidate = UInt64(pool.base)
        let end = UInt64(pool.base) + pool.size
        let sorted = taken.sorted()
        while candidate < end {
            let block = IPv4Subnet(address: UInt32(candidate), prefixLength: prefixLength)
            if let clash = sorted.first(where: { $0.overlaps(block) }) {
                // Skip past the clash (a block may be larger than the step).
                let next = max(UInt64(clash.last) + 1, candidate + step)
                candidate = (next + step - 1) / step * step
                continue
            }
            return block
        }
        return nil
    }
}
