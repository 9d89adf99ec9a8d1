import Foundation

/// A secret's name, labels and data.
public struct SecretSpec: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var labels: [String: String]
    /// The secret value (base64 in JSON), at most 500 KiB.
    public var data: Data?
    /// An external secret driver; then `data` is empty.
    public var driver: Driver?
    public var templating: Driver?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        labels: [String: String] = [:],
        data: Data? = nil,
        driver: Driver? = nil,
        templating: Driver? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.labels = labels
        self.data = data
        self.driver = driver
        self.templating = templating
        self.extra = extra
    }
}

extension SecretSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case labels = "Labels"
        case data = "Data"
        case driver = "Driver"
        case templating = "Templating"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        data = try fields.base64(.data)
        driver = try fields(.driver, as: Driver.self)
        templating = try fields(.templating, as: Driver.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields.base64(data, .data)
        try fields.ifPresent(driver, .driver)
        try fields.ifPresent(templating, .templating)
        try fields.extra(extra)
    }
}
