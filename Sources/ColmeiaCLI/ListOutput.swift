import Foundation

/// What `ls` and `ps` commands print: a docker-style table, `--quiet` ids, `--format json`
/// (one object a line) or a Go-like template (`{{.Name}} {{.Replicas}}`, `table {{.ID}}\t…`).
public struct ListOutput: Sendable {
    /// A column: the template key (`Name`) and the table header (`NAME`).
    public struct Column: Sendable {
        public var key: String
        public var header: String

        public init(_ key: String, _ header: String) {
            self.key = key
            self.header = header
        }
    }

    public var columns: [Column]
    public var rows: [[String: String]]

    public init(columns: [Column], rows: [[String: String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The text for the chosen format; `quietKey` is the column printed by `--quiet`.
    public func render(format: String?, quiet: Bool, quietKey: String = "ID") -> String {
        if quiet { return rows.map { ($0[quietKey] ?? "") + "\n" }.joined() }
        let format = format ?? "table"
        switch format {
        case "table", "":
            return TextTable(headers: columns.map(\.header), rows: rows.map { row in columns.map { row[$0.key] ?? "" } }).render()
        case "json":
            return rows.map { Self.json($0) + "\n" }.joined()
        default:
            var template = format.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
            if template.hasPrefix("table ") {
                template = String(template.dropFirst("table ".count))
                let headerLine = expand(template, with: Dictionary(uniqueKeysWithValues: columns.map { ($0.key, $0.header) }), headers: true)
                let lines = [headerLine] + rows.map { expand(template, with: $0, headers: false) }
                let cells = lines.map { $0.components(separatedBy: "\t") }
                return TextTable(headers: cells[0], rows: Array(cells.dropFirst())).render()
            }
            return rows.map { expand(template, with: $0, headers: false) + "\n" }.joined()
        }
    }

    /// Replaces `{{.Key}}` and `{{json .}}` placeholders.
    func expand(_ template: String, with row: [String: String], headers: Bool) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if expression == "json ." {
                output += headers ? "" : Self.json(row)
            } else if expression.hasPrefix(".") {
                let key = String(expression.dropFirst())
                output += row[key] ?? (headers ? key.uppercased() : "")
            }
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// One row as a JSON object with sorted keys, as docker's `--format json` prints it.
    static func json(_ row: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(row) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
