import Foundation

/// A config's name, labels and data.
public struct ConfigSpec: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var labels: [String: String]
    /// The config value (base64 in JSON), at most 1000 KiB.
    public var data: Data?
    public var templating: Driver?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        labels: [String: String] = [:],
        data: Data? = nil,
        templating: Driver? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.labels = labels
        self.data = data
        self.templating = templating
        self.extra = extra
    }
}

extension ConfigSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case labels = "Labels"
        case data = "Data"
        case templating = "Templating"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        data = try fields.base64(.data)
        templating = try fields(.templating, as: Driver.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields.base64(data, .data)
        try fields.ifPresent(templating, .templating)
        try fields.extra(extra)
    }
}
