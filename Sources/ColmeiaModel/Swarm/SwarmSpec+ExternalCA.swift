extension SwarmSpec {
    /// An external CA that signs node certificates.
    public struct ExternalCA: Sendable, Hashable, PreservesUnknownFields {
        public var `protocol`: ExternalCAProtocol
        public var url: String
        public var options: [String: String]
        public var caCert: String
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            `protocol`: ExternalCAProtocol = "",
            url: String = "",
            options: [String: String] = [:],
            caCert: String = "",
            extra: [String: JSONValue] = [:]
        ) {
            self.`protocol` = `protocol`
            self.url = url
            self.options = options
            self.caCert = caCert
            self.extra = extra
        }
    }
}

extension SwarmSpec.ExternalCA: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case `protocol` = "Protocol"
        case url = "URL"
        case options = "Options"
        case caCert = "CACert"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        `protocol` = try fields(.`protocol`, as: ExternalCAProtocol.self) ?? ""
        url = try fields(.url, as: String.self) ?? ""
        options = try fields(.options, as: [String: String].self) ?? [:]
        caCert = try fields(.caCert, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(`protocol`, .`protocol`)
        try fields(url, .url)
        try fields.omitEmpty(options, .options)
        try fields(caCert, .caCert)
        try fields.extra(extra)
    }
}
