extension ConfigSpec {
    /// The largest config SwarmKit accepts is one byte less than this (1000 KiB).
    public static let maxDataSize = 1000 * 1024

    /// SwarmKit's `validateConfigSpec`: a valid name and 1…1 023 999 bytes of data.
    public func validate() throws(ValidationError) {
        try NameRules.validateConfigOrSecretName(name, field: "Name")
        let size = data?.count ?? 0
        if size >= Self.maxDataSize || size < 1 {
            throw ValidationError(
                field: "Data", message: "config data must be larger than 0 and less than \(Self.maxDataSize) bytes")
        }
    }
}
