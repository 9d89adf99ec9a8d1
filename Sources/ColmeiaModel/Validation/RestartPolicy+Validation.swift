extension RestartPolicy {
    /// The condition must be `none`, `on-failure` or `any` (or empty); delay, window and max
    /// attempts must not be negative. Messages are dockerd's and SwarmKit's; the max attempts
    /// one is Colmeia's (Docker's field is unsigned, so it rejects the JSON itself).
    public func validate(field: String = "RestartPolicy") throws(ValidationError) {
        if !condition.rawValue.isEmpty, !condition.isKnown {
            throw ValidationError(
                field: field + ".Condition", message: "invalid RestartCondition: \"\(condition.rawValue)\"")
        }
        if let delay, delay < 0 {
            throw ValidationError(field: field + ".Delay", message: "TaskSpec: restart-delay cannot be negative")
        }
        if let window, window < 0 {
            throw ValidationError(field: field + ".Window", message: "TaskSpec: restart-window cannot be negative")
        }
        if let maxAttempts, maxAttempts < 0 {
            throw ValidationError(
                field: field + ".MaxAttempts", message: "TaskSpec: restart-max-attempts cannot be negative")
        }
    }
}
