import Foundation

/// Writes one JSON object with Go's `encoding/json` conventions (`omitempty`, base64 for
/// `[]byte`) and then the members kept in ``PreservesUnknownFields/extra``.
struct JSONObjectWriter<Key: CodingKey & CaseIterable> {
    private var container: KeyedEncodingContainer<AnyCodingKey>

    init(_ encoder: any Encoder) {
        container = encoder.container(keyedBy: AnyCodingKey.self)
    }

    /// Always written (a Go field without `omitempty`).
    mutating func callAsFunction<T: Encodable>(_ value: T, _ key: Key) throws {
        try container.encode(value, forKey: AnyCodingKey(key.stringValue))
    }

    /// Written unless `nil` (a Go pointer, slice or map with `omitempty`).
    mutating func ifPresent<T: Encodable>(_ value: T?, _ key: Key) throws {
        guard let value else { return }
        try container.encode(value, forKey: AnyCodingKey(key.stringValue))
    }

    /// Written unless empty (a Go value with `omitempty`).
    mutating func omitEmpty<T: Encodable & GoOmitEmpty>(_ value: T, _ key: Key) throws {
        guard !value.isGoEmpty else { return }
        try container.encode(value, forKey: AnyCodingKey(key.stringValue))
    }

    /// An open enumeration with `omitempty`: left out when its raw value is empty.
    mutating func omitEmpty<T: OpenStringEnum>(_ value: T, _ key: Key) throws {
        guard !value.rawValue.isEmpty else { return }
        try container.encode(value, forKey: AnyCodingKey(key.stringValue))
    }

    /// A Go `[]byte` with `omitempty`: standard base64, left out when empty.
    mutating func base64(_ value: Data?, _ key: Key) throws {
        guard let value, !value.isEmpty else { return }
        try container.encode(value.base64EncodedString(), forKey: AnyCodingKey(key.stringValue))
    }

    /// Writes back the unmodelled members; a member that collides with a modelled key
    /// (ignoring case) is skipped so the modelled value wins.
    mutating func extra(_ extra: [String: JSONValue]) throws {
        guard !extra.isEmpty else { return }
        let known = Set(Key.allCases.map { $0.stringValue.lowercased() })
        for (key, value) in extra where !known.contains(key.lowercased()) {
            try container.encode(value, forKey: AnyCodingKey(key))
        }
    }
}
