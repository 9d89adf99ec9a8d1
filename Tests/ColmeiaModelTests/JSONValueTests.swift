import Foundation
import Testing

@testable import ColmeiaModel

@Suite("JSONValue")
struct JSONValueTests {
    @Test("decodes every JSON type")
    func decodesAllTypes() throws {
        let value = try tree(#"{"n":null,"b":false,"i":-12,"f":2.5,"s":"x","a":[1,"two"],"o":{"k":true}}"#)
        #expect(value == ["n": nil, "b": false, "i": -12, "f": 2.5, "s": "x", "a": [1, "two"], "o": ["k": true]])
        #expect(value["s"]?.stringValue == "x")
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value["o"]?.objectValue?["k"] == .bool(true))
        #expect(value["missing"] == nil)
    }

    @Test("integers keep full precision", arguments: [
        ("9223372036854775807", JSONNumber.integer(.max)),
        ("-9223372036854775808", JSONNumber.integer(.min)),
        ("18446744073709551615", JSONNumber.unsignedInteger(.max)),
        ("9007199254740993", JSONNumber.integer(9_007_199_254_740_993)),
    ])
    func largeIntegers(text: String, expected: JSONNumber) throws {
        let value = try tree(text)
        #expect(value == .number(expected))
        #expect(try encodeText(value) == text)
    }

    @Test("floating point numbers round-trip")
    func floats() throws {
        for text in ["0.25", "-1.5", "1e+300", "3.141592653589793"] {
            let value = try tree(text)
            guard case .number(.floatingPoint(let double)) = value else {
                Issue.record("\(text) did not decode as a float")
                continue
            }
            #expect(try tree(try encodeText(value)) == .number(.floatingPoint(double)))
        }
        #expect(JSONNumber.floatingPoint(4).int64Value == 4)
        #expect(JSONNumber.floatingPoint(4.5).int64Value == nil)
        #expect(JSONNumber.unsignedInteger(.max).int64Value == nil)
        #expect(JSONNumber.integer(3).doubleValue == 3)
    }

    @Test("strings with escapes and unicode round-trip")
    func strings() throws {
        let value: JSONValue = "quote \" backslash \\ newline \n emoji 🐝 nul \u{0}"
        #expect(try tree(try encodeText(value)) == value)
    }

    @Test("a value that is not JSON is rejected")
    func rejectsGarbage() {
        #expect(throws: (any Error).self) { try tree("{nope}") }
    }
}
