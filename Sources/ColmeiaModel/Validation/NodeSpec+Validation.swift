extension NodeSpec {
    /// dockerd's `NodeSpecToGRPC`: role and availability must name a known value (case is
    /// ignored, so `Manager` is accepted; an empty value is not).
    public func validate() throws(ValidationError) {
        if role.canonical == nil {
            throw ValidationError(field: "Role", message: "invalid Role: \(goQuote(role.rawValue))")
        }
        if availability.canonical == nil {
            throw ValidationError(field: "Availability", message: "invalid Availability: \(goQuote(availability.rawValue))")
        }
    }
}
