extension HealthConfig {
    /// SwarmKit's `validateHealthCheck`: non-zero intervals of at least 1 ms, retries not negative.
    public func validate(field: String = "Healthcheck") throws(ValidationError) {
        let minimum: Int64 = 1_000_000
        let durations: [(String, Int64)] = [
            ("Interval", interval), ("Timeout", timeout), ("StartPeriod", startPeriod), ("StartInterval", startInterval),
        ]
        for (name, value) in durations where value != 0 && value < minimum {
            throw ValidationError(
                field: field + "." + name, message: "ContainerSpec: \(name) in HealthConfig cannot be less than 1ms")
        }
        if retries < 0 {
            throw ValidationError(field: field + ".Retries", message: "ContainerSpec: Retries in HealthConfig cannot be negative")
        }
    }
}
