import Foundation

extension JSONValue {
    /// The JSON tree of an encodable value, to embed typed objects in hand-built documents.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}
