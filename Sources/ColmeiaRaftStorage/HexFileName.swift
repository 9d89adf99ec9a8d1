/// The `%016x-%016x<suffix>` naming shared by WAL segments and snapshot files: fixed
/// width so names sort in numeric order, lower-case only so each pair of numbers has
/// exactly one name.
enum HexFileName {
    static func format(_ first: UInt64, _ second: UInt64, suffix: String) -> String {
        hex16(first) + "-" + hex16(second) + suffix
    }

    /// Parses a canonical name; `nil` for anything else.
    static func parse(_ name: String, suffix: String) -> (UInt64, UInt64)? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16 else { return nil }
        guard let first = UInt64(parts[0], radix: 16), let second = UInt64(parts[1], radix: 16) else { return nil }
        guard hex16(first) == parts[0], hex16(second) == parts[1] else { return nil }
        return (first, second)
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
