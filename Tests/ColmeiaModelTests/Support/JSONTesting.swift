import Foundation
import Testing

@testable import ColmeiaModel

/// Decodes `json` as `T`.
func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

/// Encodes `value` as compact JSON text with sorted keys.
func encodeText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Parses JSON text into a tree, for comparisons that ignore key order and spacing.
func tree(_ json: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
}

/// Encodes `value` and parses the result into a tree.
func tree<T: Encodable>(of value: T) throws -> JSONValue {
    try tree(try encodeText(value))
}

/// Decode → encode must give back exactly the document that came in.
func expectRoundTrip<T: Codable>(
    _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> T {
    let value = try decode(T.self, json)
    let original = try tree(json)
    let reencoded = try tree(of: value)
    // Compared as sorted-key text so that a failure shows a readable diff.
    let expected = try encodeText(original)
    let actual = try encodeText(reencoded)
    #expect(actual == expected, sourceLocation: sourceLocation)
    // And decoding the re-encoded form gives the same value.
    let again = try decode(T.self, try encodeText(value))
    #expect(try tree(of: again) == reencoded, sourceLocation: sourceLocation)
    return value
}

/// A seeded SplitMix64 generator for deterministic tests.
struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
