extension ServiceSpec {
    /// Checks the spec the way `POST /services/create` and `/services/{id}/update` do:
    /// first dockerd's conversion checks, then SwarmKit's `validateServiceSpec`. The first
    /// problem found is thrown with Docker's message.
    ///
    /// An API handler gives a nameless spec a generated name before calling this, as dockerd
    /// does. Checks that need the store (port conflicts, unknown secrets, the ingress network)
    /// are not made here.
    public func validate() throws(ValidationError) {
        try validateConversion()
        try NameRules.validateAnnotationsName(name, field: "Name")
        try taskTemplate.validate(field: "TaskTemplate")
        try mode.validate()
        if mode.isJob {
            if updateConfig != nil {
                throw ValidationError(field: "UpdateConfig", message: "Jobs may not have an update config")
            }
        } else if let updateConfig {
            try updateConfig.validate(field: "UpdateConfig", flagPrefix: "update")
        }
        if let rollbackConfig, !mode.isJob {
            try rollbackConfig.validate(field: "RollbackConfig", flagPrefix: "rollback")
        }
        try endpointSpec?.validate(field: "EndpointSpec")
    }

    /// What dockerd's `ServiceSpecToGRPC` rejects before SwarmKit sees the spec.
    private func validateConversion() throws(ValidationError) {
        try taskTemplate.validateRuntime(field: "TaskTemplate")
        if let policy = taskTemplate.restartPolicy, !policy.condition.rawValue.isEmpty, !policy.condition.isKnown {
            throw ValidationError(
                field: "TaskTemplate.RestartPolicy.Condition",
                message: "invalid RestartCondition: \"\(policy.condition.rawValue)\"")
        }
        try updateConfig?.validateEnumerations(field: "UpdateConfig")
        try rollbackConfig?.validateEnumerations(field: "RollbackConfig")
        if let endpointSpec, !endpointSpec.mode.rawValue.isEmpty, !endpointSpec.mode.isKnown {
            throw ValidationError(
                field: "EndpointSpec.Mode", message: "invalid resolution mode: \"\(endpointSpec.mode.rawValue)\"")
        }
        if mode.setCount > 1 {
            throw ValidationError(field: "Mode", message: "must specify only one service mode")
        }
    }
}
