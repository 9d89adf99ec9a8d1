import Foundation

/// `--since`/`--until` values: RFC 3339 times, Unix timestamps, or durations back from now
/// (`10m`), turned into what the API takes (Unix seconds).
public enum TimeArgument {
    public static func parse(_ text: String, flag: String, now: Date = Date()) throws(CLIError) -> String {
        if let nanos = GoDuration.parse(text), text.contains(where: \.isLetter) {
            return String(format: "%.9f", now.timeIntervalSince1970 - Double(nanos) / 1e9)
        }
        if Double(text) != nil { return text }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) {
            return String(format: "%.9f", date.timeIntervalSince1970)
        }
        throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: not a time, Unix timestamp or duration")
    }
}
