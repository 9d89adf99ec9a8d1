extension Duration {
    /// Whole nanoseconds (Docker's durations are Go `time.Duration`s, in nanoseconds).
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
