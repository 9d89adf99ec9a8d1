import ColmeiaModel
import Foundation

/// What `inspect` prints: docker's indented JSON array, `--format json` (one compact object
/// a line) or a template over the object (`{{.Spec.Name}}`, `{{json .Spec.Mode}}`).
public enum InspectOutput {
    public static func render<T: Encodable>(_ objects: [T], format: String?) throws -> String {
        switch format {
        case nil, "":
            return try JSONText.pretty(objects) + "\n"
        case "json":
            return try objects.map { try JSONText.compact($0) + "\n" }.joined()
        case let template?:
            return try objects.map { object -> String in
                let data = try JSONEncoder().encode(object)
                let value = try JSONDecoder().decode(JSONValue.self, from: data)
                return try expand(template, value) + "\n"
            }.joined()
        }
    }

    /// Expands `{{.A.B}}` and `{{json .A}}` placeholders against a JSON value.
    public static func expand(_ template: String, _ value: JSONValue) throws -> String {
        var output = ""
        var rest = Substring(template.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t"))
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw CLIError("template: unclosed action in \"\(template)\"")
            }
            var expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            var asJSON = false
            if expression.hasPrefix("json ") {
                asJSON = true
                expression = String(expression.dropFirst(5)).trimmingCharacters(in: .whitespaces)
            }
            guard expression.hasPrefix(".") else { throw CLIError("template: unsupported action \"{{\(expression)}}\"") }
            var current: JSONValue? = value
            for key in expression.dropFirst().split(separator: ".") { current = current?[String(key)] }
            if asJSON {
                output += try JSONText.compact(current ?? .null)
            } else {
                output += plain(current)
            }
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// Go's `%v`-like text of a value: strings bare, numbers as written, maps and lists as `map[…]`/`[…]`.
    static func plain(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "<no value>"
        case .string(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        case .number?: return (try? JSONText.compact(value)) ?? ""
        case .array(let items)?: return "[" + items.map { plain($0) }.joined(separator: " ") + "]"
        case .object(let members)?: return "map[" + members.keys.sorted().map { "\($0):\(plain(members[$0]))" }.joined(separator: " ") + "]"
        }
    }
}
