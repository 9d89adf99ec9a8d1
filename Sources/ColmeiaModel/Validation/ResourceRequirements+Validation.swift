extension ResourceRequirements {
    /// SwarmKit's `validateResourceRequirements`: at least 0.001 CPU and 4 MiB when set.
    public func validate(field: String = "Resources") throws(ValidationError) {
        if let limits {
            try Self.check(nanoCPUs: limits.nanoCPUs, memoryBytes: limits.memoryBytes, field: field + ".Limits")
        }
        if let reservations {
            try Self.check(
                nanoCPUs: reservations.nanoCPUs, memoryBytes: reservations.memoryBytes, field: field + ".Reservations")
        }
    }

    private static func check(nanoCPUs: Int64, memoryBytes: Int64, field: String) throws(ValidationError) {
        if nanoCPUs != 0, nanoCPUs < 1_000_000 {
            throw ValidationError(
                field: field + ".NanoCPUs",
                message: "invalid cpu value \(GoFormat.g(Double(nanoCPUs) / 1e9)): Must be at least \(GoFormat.g(1e6 / 1e9))")
        }
        if memoryBytes != 0, memoryBytes < 4 * 1024 * 1024 {
            throw ValidationError(
                field: field + ".MemoryBytes", message: "invalid memory value \(memoryBytes): Must be at least 4MiB")
        }
    }
}
