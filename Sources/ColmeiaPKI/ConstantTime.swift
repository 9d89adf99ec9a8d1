/// Comparisons whose running time does not depend on where the inputs first differ.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes. Like Go's `subtle.ConstantTimeCompare`, the
    /// time depends only on the lengths (which are public for join tokens).
    public static func equal(_ lhs: some Sequence<UInt8>, _ rhs: some Sequence<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
