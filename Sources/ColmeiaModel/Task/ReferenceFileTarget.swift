/// Where a secret or config appears in the container (`/run/secrets/NAME`).
public struct ReferenceFileTarget: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var uid: String
    public var gid: String
    /// File mode bits, e.g. 0o444.
    public var mode: UInt32
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        uid: String = "",
        gid: String = "",
        mode: UInt32 = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.extra = extra
    }
}

extension ReferenceFileTarget: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case uid = "UID"
        case gid = "GID"
        case mode = "Mode"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        uid = try fields(.uid, as: String.self) ?? ""
        gid = try fields(.gid, as: String.self) ?? ""
        mode = try fields(.mode, as: UInt32.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(name, .name)
        try fields(uid, .uid)
        try fields(gid, .gid)
        try fields(mode, .mode)
        try fields.extra(extra)
    }
}
