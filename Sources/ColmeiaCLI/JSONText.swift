import Foundation

/// JSON as docker's `inspect` prints it: four-space indentation and `"key": value`.
public enum JSONText {
    /// Pretty JSON of any encodable value.
    public static func pretty<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(reindent).joined(separator: "\n")
    }

    /// Compact JSON (`--format json`).
    public static func compact<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Doubles the indentation and turns a key's ` : ` into `: `.
    static func reindent(_ line: Substring) -> String {
        let indent = line.prefix { $0 == " " }
        var body = String(line.dropFirst(indent.count))
        if body.hasPrefix("\"") {
            var escaped = false
            var index = body.index(after: body.startIndex)
            while index < body.endIndex {
                let character = body[index]
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    let after = body[body.index(after: index)...]
                    if after.hasPrefix(" : ") {
                        body = String(body[...index]) + ": " + after.dropFirst(3)
                    }
                    break
                }
                index = body.index(after: index)
            }
        }
        return String(repeating: " ", count: indent.count * 2) + body
    }
}
