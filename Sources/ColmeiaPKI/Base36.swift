/// Big-endian unsigned integers of any width to and from lowercase base 36, as Go's
/// `big.Int.Text(36)` / `SetString(_, 36)` do for join tokens.
enum Base36 {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// The digits of the big-endian number `bytes`, left-padded with "0" to `width`.
    static func encode(_ bytes: [UInt8], paddedTo width: Int) -> String {
        var number = bytes
        var digits: [UInt8] = []
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in number.indices {
                let value = remainder << 8 | Int(number[index])
                number[index] = UInt8(value / 36)
                remainder = value % 36
            }
            digits.append(alphabet[remainder])
        }
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// The big-endian number of `byteCount` bytes written by `text` (either case), or nil when
    /// `text` has a character outside base 36 or the number does not fit.
    static func decode(_ text: Substring, byteCount: Int) -> [UInt8]? {
        var number = [UInt8](repeating: 0, count: byteCount)
        for character in text.utf8 {
            let digit: Int
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(character - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(character - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(character - UInt8(ascii: "A")) + 10
            default: return nil
            }
            var carry = digit
            for index in number.indices.reversed() {
                let value = Int(number[index]) * 36 + carry
                number[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            if carry != 0 { return nil }
        }
        return number
    }
}
