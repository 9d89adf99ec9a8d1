extension SwarmSpec {
    /// The only cluster name Docker allows.
    public static let defaultName = "default"

    /// Checks a spec sent to `POST /swarm/update` (SwarmKit's `validateClusterSpec` and
    /// dockerd's conversion).
    public func validate() throws(ValidationError) {
        if name != Self.defaultName {
            throw ValidationError(field: "Name", message: "modification of cluster name is not allowed")
        }
        try validateSettings()
    }

    /// Checks the spec of `POST /swarm/init` and returns it with the name defaulted, as
    /// dockerd's `validateAndSanitizeInitRequest` does.
    public func validatedForInit() throws(ValidationError) -> SwarmSpec {
        var spec = self
        if spec.name.isEmpty {
            spec.name = Self.defaultName
        } else if spec.name != Self.defaultName {
            throw ValidationError(field: "Name", message: "swarm spec must be named \"default\"")
        }
        try spec.validateSettings()
        return spec
    }

    private func validateSettings() throws(ValidationError) {
        for (index, ca) in caConfig.externalCAs.enumerated() where ca.protocol.canonical == nil {
            throw ValidationError(
                field: "CAConfig.ExternalCAs[\(index)].Protocol", message: "invalid protocol: \(goQuote(ca.protocol.rawValue))")
        }
        let oneHour: Int64 = 3_600_000_000_000
        if caConfig.nodeCertExpiry != 0, caConfig.nodeCertExpiry < oneHour {
            throw ValidationError(field: "CAConfig.NodeCertExpiry", message: "minimum certificate expiry time is: 1h0m0s")
        }
        if dispatcher.heartbeatPeriod < 0 {
            throw ValidationError(
                field: "Dispatcher.HeartbeatPeriod", message: "heartbeat time period cannot be a negative duration")
        }
    }
}
