extension UpdateConfig {
    /// SwarmKit's `validateUpdate`. `flagPrefix` is `update` or `rollback` and appears in the
    /// message as in `TaskSpec: update-delay cannot be negative` (SwarmKit only checks the
    /// update config; Colmeia applies the same rules to the rollback config).
    public func validate(field: String, flagPrefix: String = "update") throws(ValidationError) {
        try validateEnumerations(field: field)
        if delay < 0 {
            throw ValidationError(field: field + ".Delay", message: "TaskSpec: \(flagPrefix)-delay cannot be negative")
        }
        if monitor < 0 {
            throw ValidationError(
                field: field + ".Monitor", message: "TaskSpec: \(flagPrefix)-monitor cannot be negative")
        }
        if maxFailureRatio < 0 || maxFailureRatio > 1 || maxFailureRatio.isNaN {
            throw ValidationError(
                field: field + ".MaxFailureRatio",
                message: "TaskSpec: \(flagPrefix)-maxfailureratio cannot be less than 0 or bigger than 1")
        }
    }

    /// dockerd's `updateConfigToGRPC`: failure action and order must be known (or empty).
    func validateEnumerations(field: String) throws(ValidationError) {
        if !failureAction.rawValue.isEmpty, !failureAction.isKnown {
            throw ValidationError(
                field: field + ".FailureAction",
                message: "unrecognized update failure action \(failureAction.rawValue)")
        }
        if !order.rawValue.isEmpty, !order.isKnown {
            throw ValidationError(field: field + ".Order", message: "unrecognized update order \(order.rawValue)")
        }
    }
}
