import Foundation

/// Go's `time.Duration` text: parses `1m30s`, `500ms`, `2h` and prints `1m30s`, `10s`, `1h0m0s`.
public enum GoDuration {
    /// Nanoseconds for a duration text, or nil when it is not one.
    public static func parse(_ text: String) -> Int64? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total < 9.2e18 else { return nil }
        return Int64(negative ? -total : total)
    }

    /// Go's `Duration.String()`.
    public static func format(_ nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let value = nanoseconds.magnitude
        var text: String
        if value < 1_000 {
            text = "\(value)ns"
        } else if value < 1_000_000 {
            text = trimmed(Double(value) / 1e3) + "µs"
        } else if value < 1_000_000_000 {
            text = trimmed(Double(value) / 1e6) + "ms"
        } else {
            let hours = value / 3_600_000_000_000
            let minutes = (value / 60_000_000_000) % 60
            let seconds = value % 60_000_000_000
            let secondsText = trimmed(Double(seconds) / 1e9) + "s"
            if hours > 0 {
                text = "\(hours)h\(minutes)m" + secondsText
            } else if minutes > 0 {
                text = "\(minutes)m" + secondsText
            } else {
                text = secondsText
            }
        }
        return (negative ? "-" : "") + text
    }

    private static func trimmed(_ value: Double) -> String {
        var text = String(format: "%.9f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
