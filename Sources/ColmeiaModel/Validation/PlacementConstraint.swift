/// One placement constraint, `key==value` or `key!=value` (e.g. `node.role==manager`,
/// `node.labels.zone!=east`), parsed with SwarmKit's rules and messages.
public struct PlacementConstraint: Sendable, Hashable {
    /// `==` or `!=`.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
    }

    /// The attribute, e.g. `node.hostname` or `engine.labels.os` (compare case-insensitively).
    public var key: String
    public var op: Operator
    /// The expected value, compared case-insensitively.
    public var value: String

    public init(key: String, op: Operator, value: String) {
        self.key = key
        self.op = op
        self.value = value
    }

    /// Parses one expression; the error text is SwarmKit's.
    public init(parsing expression: String) throws(ValidationError) {
        for op in Operator.allCases {
            guard let range = expression.range(of: op.rawValue) else { continue }
            let key = expression[..<range.lowerBound].trimmingWhitespace()
            let value = expression[range.upperBound...].trimmingWhitespace()
            guard Self.isValidKey(key) else {
                throw ValidationError(field: "Constraints", message: "key '\(key)' is invalid")
            }
            guard Self.isValidValue(value) else {
                throw ValidationError(field: "Constraints", message: "value '\(value)' is invalid")
            }
            self.init(key: key, op: op, value: value)
            return
        }
        throw ValidationError(
            field: "Constraints", message: "constraint expected one operator from ==, !=")
    }

    /// Parses every expression of a `Placement.Constraints` list.
    public static func parse(_ expressions: [String]) throws(ValidationError) -> [PlacementConstraint] {
        var result: [PlacementConstraint] = []
        for expression in expressions {
            result.append(try PlacementConstraint(parsing: expression))
        }
        return result
    }

    /// Whether a node attribute with these values satisfies the constraint: `==` needs one
    /// of them to equal ``value`` ignoring case, `!=` needs none to.
    public func matches(_ candidates: [String]) -> Bool {
        let wanted = value.lowercased()
        let found = candidates.contains { $0.lowercased() == wanted }
        return op == .equal ? found : !found
    }

    /// `^(?i)[a-z_][a-z0-9\-_.]+$` (at least two characters).
    static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.lowercased().utf8)
        guard bytes.count >= 2 else { return false }
        let first = bytes[0]
        guard (first >= 0x61 && first <= 0x7A) || first == UInt8(ascii: "_") else { return false }
        return bytes.dropFirst().allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// `^(?i)[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$`
    static func isValidValue(_ value: String) -> Bool {
        let allowed = Set(":-_.*()?+[]\\^$|/ \t\n\r\u{0B}\u{0C}".utf8)
        let bytes = Array(value.lowercased().utf8)
        return !bytes.isEmpty
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || allowed.contains($0) }
    }
}

extension PlacementConstraint: CustomStringConvertible {
    public var description: String { key + op.rawValue + value }
}

extension Substring {
    /// Go's `strings.TrimSpace` for ASCII whitespace.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        var slice = self[...]
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
