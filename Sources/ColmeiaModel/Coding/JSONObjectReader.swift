import Foundation

/// Reads one JSON object the way Go's `encoding/json` fills a struct: a missing member or
/// `null` leaves the zero value, keys match exactly or else case-insensitively, and members
/// the type does not know are kept (see ``PreservesUnknownFields``).
struct JSONObjectReader<Key: CodingKey & CaseIterable> {
    private let container: KeyedDecodingContainer<AnyCodingKey>
    /// Known key name → the key as it appears in the document.
    private let present: [String: AnyCodingKey]
    private let unknown: [AnyCodingKey]

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: AnyCodingKey.self)
        var exact = Set<String>()
        var byLowercase: [String: String] = [:]
        for key in Key.allCases {
            exact.insert(key.stringValue)
            byLowercase[key.stringValue.lowercased()] = key.stringValue
        }
        var present: [String: AnyCodingKey] = [:]
        var unknown: [AnyCodingKey] = []
        for key in container.allKeys {
            if exact.contains(key.stringValue) {
                present[key.stringValue] = key
            } else if let known = byLowercase[key.stringValue.lowercased()] {
                if present[known] == nil { present[known] = key }
            } else {
                unknown.append(key)
            }
        }
        self.present = present
        self.unknown = unknown
    }

    /// The member's value, or `nil` when it is absent or `null`.
    func callAsFunction<T: Decodable>(_ key: Key, as type: T.Type = T.self) throws -> T? {
        guard let actual = present[key.stringValue] else { return nil }
        return try container.decodeIfPresent(T.self, forKey: actual)
    }

    /// Whether the member is present (even as `null`).
    func contains(_ key: Key) -> Bool { present[key.stringValue] != nil }

    /// A Go `[]byte` member: standard base64 with padding.
    func base64(_ key: Key) throws -> Data? {
        guard let actual = present[key.stringValue],
            let text = try container.decodeIfPresent(String.self, forKey: actual)
        else { return nil }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: actual, in: container, debugDescription: "illegal base64 data")
        }
        return data
    }

    /// The members this type does not model.
    func extra() throws -> [String: JSONValue] {
        var extra: [String: JSONValue] = [:]
        for key in unknown {
            extra[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        return extra
    }
}
