import Foundation

/// Docker's `filters` query parameter: a JSON map from filter name to accepted values.
/// Values of one name are alternatives (OR); different names must all hold (AND).
///
/// ```swift
/// let filters = try Filters(json: #"{"name":["web"],"label":["tier=front"]}"#)
/// ```
public struct Filters: Sendable, Hashable {
    public private(set) var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) {
        self.values = values
    }

    /// Parses both the current form (`{"name":["web"]}`) and the legacy one the docker CLI
    /// still accepts (`{"name":{"web":true}}`).
    public init(json: String) throws(QueryError) {
        guard !json.isEmpty else {
            self.init()
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw .invalidFilterSyntax(json)
        }
        var values: [String: [String]] = [:]
        for (key, raw) in object {
            if let list = raw as? [String] {
                values[key] = list
            } else if let map = raw as? [String: Bool] {
                values[key] = map.filter(\.value).keys.sorted()
            } else {
                throw .invalidFilterSyntax(json)
            }
        }
        self.init(values)
    }

    public subscript(_ key: String) -> [String] { values[key] ?? [] }

    /// Refuses names a list endpoint does not know, as dockerd does.
    func validate(allowed: Set<String>) throws(QueryError) {
        for key in values.keys.sorted() where !allowed.contains(key) {
            throw .invalidFilter(key)
        }
    }
}
