import Foundation

/// Docker's memory sizes: `512m`, `1g`, `1.5GiB`, `1024` (bytes), in binary units.
public enum ByteSize {
    public static func parse(_ text: String) -> Int64? {
        let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
        let number = lower.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, let value = Double(number), value >= 0 else { return nil }
        var unit = String(lower.dropFirst(number.count))
        if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b") { unit.removeLast() }
        let multipliers: [String: Double] = ["": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024,
                                             "t": 1024 * 1024 * 1024 * 1024, "p": 1024 * 1024 * 1024 * 1024 * 1024]
        guard let multiplier = multipliers[unit] else { return nil }
        return Int64(value * multiplier)
    }

    /// `3.8GiB`, `512MiB`, like docker's `units.BytesSize`.
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        var text = String(format: "%.4g", value)
        if text.contains("e") { text = String(Int64(value)) }
        return text + units[index]
    }
}
