import Testing

@testable import ColmeiaModel

@Suite("Go formatting in messages")
struct GoFormatTests {
    @Test("%g matches Go", arguments: [
        (0.001, "0.001"), (0.0005, "0.0005"), (0.00005, "5e-05"), (1e-9, "1e-09"), (-2, "-2"), (0.5, "0.5"),
        (1.5, "1.5"), (0, "0"), (123456, "123456"), (1234567, "1.234567e+06"), (1e21, "1e+21"),
        (-0.000999, "-0.000999"), (100, "100"), (0.1 + 0.2, "0.30000000000000004"),
    ])
    func g(value: Double, expected: String) {
        #expect(GoFormat.g(value) == expected)
    }

    @Test("%q escapes quotes and control characters")
    func quote() {
        #expect(goQuote("a\"b\\c\n\u{1}") == #""a\"b\\c\n\x01""#)
    }
}
