import ColmeiaModel

extension Timestamp {
    /// Nanoseconds since 1970 as one sortable integer (the audit trail's time index);
    /// saturates beyond the years Int64 nanoseconds can hold (1677–2262).
    var nanosecondsSinceEpoch: Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowTotal) = scaled.addingReportingOverflow(Int64(nanoseconds))
        return overflowTotal ? .max : total
    }

    /// The inverse of `nanosecondsSinceEpoch`.
    init?(nanosecondsSinceEpoch value: Int64) {
        let (seconds, remainder) = value.quotientAndRemainder(dividingBy: 1_000_000_000)
        if remainder < 0 {
            self.init(seconds: seconds - 1, nanoseconds: UInt32(remainder + 1_000_000_000))
        } else {
            self.init(seconds: seconds, nanoseconds: UInt32(remainder))
        }
    }
}
