/// An operating system and CPU architecture, e.g. `linux`/`x86_64`.
public struct Platform: Sendable, Hashable, PreservesUnknownFields {
    public var architecture: String
    public var os: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(architecture: String = "", os: String = "", extra: [String: JSONValue] = [:]) {
        self.architecture = architecture
        self.os = os
        self.extra = extra
    }
}

extension Platform: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case architecture = "Architecture"
        case os = "OS"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        architecture = try fields(.architecture, as: String.self) ?? ""
        os = try fields(.os, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(architecture, .architecture)
        try fields.omitEmpty(os, .os)
        try fields.extra(extra)
    }
}
