extension SecretSpec {
    /// The largest secret SwarmKit accepts is one byte less than this (500 KiB).
    public static let maxDataSize = 500 * 1024

    /// SwarmKit's `validateSecretSpec`: a valid name, a named driver or 1…512 000 bytes of data.
    public func validate() throws(ValidationError) {
        try NameRules.validateConfigOrSecretName(name, field: "Name")
        if driver != nil {
            // SwarmKit accepts external secret drivers (plugins); Colmeia has none, and a
            // driver must not be a way around the size limit.
            throw ValidationError(field: "Driver", message: "secret drivers are not supported: give the secret's data")
        }
        let size = data?.count ?? 0
        if size >= Self.maxDataSize || size < 1 {
            throw ValidationError(
                field: "Data", message: "secret data must be larger than 0 and less than \(Self.maxDataSize) bytes")
        }
    }
}
