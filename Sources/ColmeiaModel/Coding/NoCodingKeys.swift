/// The key set of an object type with no modelled members (every member is kept in `extra`).
struct NoCodingKeys: CodingKey, CaseIterable {
    static var allCases: [NoCodingKeys] { [] }
    var stringValue: String { "" }
    var intValue: Int? { nil }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}
