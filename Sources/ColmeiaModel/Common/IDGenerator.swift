/// Makes Docker-style object ids (25 lowercase base-36 characters, like SwarmKit's
/// `identity.NewID`) from a caller-supplied random source, so that proposers choose ids and
/// apply code never draws randomness of its own.
public struct IDGenerator<Source: RandomNumberGenerator> {
    /// The random source ids are drawn from.
    public private(set) var source: Source

    public init(_ source: Source) { self.source = source }

    /// The next id.
    public mutating func next() -> String { ObjectID.generate(using: &source) }
}

extension IDGenerator: Sendable where Source: Sendable {}

/// Docker-style object ids.
public enum ObjectID {
    /// Length of a generated id.
    public static let length = 25

    /// A new id: 17 random bytes with the top bit set, written in base 36, first digit dropped.
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        var bytes = [UInt8](repeating: 0, count: 17)
        var word: UInt64 = 0
        for index in bytes.indices {
            if index % 8 == 0 { word = generator.next() }
            bytes[index] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
        }
        bytes[0] |= 0x80
        let digits = Array(base36(bytes).utf8)
        return String(decoding: digits[1...length], as: UTF8.self)
    }

    /// Whether `id` has the shape of a generated id.
    public static func isValid(_ id: String) -> Bool {
        id.utf8.count == length
            && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }
    }

    /// Big-endian bytes as a base-36 number.
    static func base36(_ bytes: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        var number = bytes
        var digits: [UInt8] = []
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in number.indices {
                let value = remainder * 256 + Int(number[index])
                number[index] = UInt8(value / 36)
                remainder = value % 36
            }
            digits.append(alphabet[remainder])
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}
