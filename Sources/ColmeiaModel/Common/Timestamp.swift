import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in time with nanosecond precision, stored as whole seconds since the Unix epoch
/// plus nanoseconds (no floating point, so nothing is rounded). JSON form is Go's
/// `time.Time`: RFC 3339 with up to nine fractional digits, e.g. `2016-06-07T20:31:11.853781916Z`.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before it).
    public private(set) var seconds: Int64
    /// Nanoseconds into the second, `0..<1_000_000_000`.
    public private(set) var nanoseconds: UInt32

    static let nanosPerSecond: Int64 = 1_000_000_000

    /// A timestamp `seconds` + `nanoseconds` after the epoch; nanoseconds beyond one second
    /// carry into `seconds`.
    public init(seconds: Int64, nanoseconds: UInt32 = 0) {
        self.seconds = seconds + Int64(nanoseconds) / Self.nanosPerSecond
        self.nanoseconds = UInt32(Int64(nanoseconds) % Self.nanosPerSecond)
    }

    /// A timestamp this many nanoseconds after the epoch (negative: before).
    public init(nanosecondsSince1970 total: Int64) {
        var secs = total / Self.nanosPerSecond
        var nanos = total % Self.nanosPerSecond
        if nanos < 0 {
            nanos += Self.nanosPerSecond
            secs -= 1
        }
        self.init(seconds: secs, nanoseconds: UInt32(nanos))
    }

    /// Go's zero `time.Time`, `0001-01-01T00:00:00Z`: what Docker prints for "never".
    public static let zero = Timestamp(seconds: -62_135_596_800)

    /// Whether this is Go's zero time.
    public var isZero: Bool { self == .zero }

    /// The current wall-clock time. For proposers only: apply code must use the time carried
    /// in the command.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: UInt32(spec.tv_nsec))
    }

    /// Converts a `Date` (microsecond-level precision at best).
    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let secs = interval.rounded(.down)
        let nanos = ((interval - secs) * 1e9).rounded()
        self.init(seconds: Int64(secs), nanoseconds: UInt32(min(max(nanos, 0), 999_999_999)))
    }

    /// The same instant as a `Date` (rounded to `Double` precision).
    public var date: Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    /// This instant moved by `delta` nanoseconds (a Go `time.Duration`).
    public func adding(nanoseconds delta: Int64) -> Timestamp {
        let secs = delta / Self.nanosPerSecond
        let nanos = Int64(nanoseconds) + delta % Self.nanosPerSecond
        var result = Timestamp(seconds: seconds + secs)
        if nanos < 0 {
            result.seconds -= 1
            result.nanoseconds = UInt32(nanos + Self.nanosPerSecond)
        } else {
            result = Timestamp(seconds: result.seconds, nanoseconds: UInt32(nanos))
        }
        return result
    }

    /// Nanoseconds from `other` to this instant, saturating at the `Int64` range like Go's
    /// `Time.Sub`.
    public func nanoseconds(since other: Timestamp) -> Int64 {
        let (secs, overflow) = seconds.subtractingReportingOverflow(other.seconds)
        let nanos = Int64(nanoseconds) - Int64(other.nanoseconds)
        guard !overflow else { return secs < 0 ? .max : .min }
        let (scaled, mulOverflow) = secs.multipliedReportingOverflow(by: Self.nanosPerSecond)
        guard !mulOverflow else { return secs < 0 ? .min : .max }
        let (total, addOverflow) = scaled.addingReportingOverflow(nanos)
        guard !addOverflow else { return scaled < 0 ? .min : .max }
        return total
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }
}
