import Foundation

/// Docker's human durations ("5 seconds", "About a minute", "3 hours": go-units'
/// `HumanDuration`), used for "Running 5 seconds ago" and CREATED columns.
public enum RelativeTime {
    public static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        if seconds < 1 { return "Less than a second" }
        if seconds == 1 { return "1 second" }
        if seconds < 60 { return "\(seconds) seconds" }
        let minutes = Int(interval / 60)
        if minutes == 1 { return "About a minute" }
        if minutes < 60 { return "\(minutes) minutes" }
        let hours = Int(interval / 3600 + 0.5)
        if hours == 1 { return "About an hour" }
        if hours < 48 { return "\(hours) hours" }
        if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
        if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
        if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
        return "\(Int(interval / 3600) / 24 / 365) years"
    }

    /// "5 seconds ago".
    public static func ago(_ date: Date, now: Date) -> String {
        humanDuration(now.timeIntervalSince(date)) + " ago"
    }
}
