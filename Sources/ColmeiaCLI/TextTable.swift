/// Aligned columns the way docker prints them (Go's tabwriter with a minimum cell width of
/// 10 and a padding of 3; the last column is not padded).
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The table as text, ending with a newline; with `headers: false` only the rows.
    public func render(headers showHeaders: Bool = true) -> String {
        let lines = (showHeaders ? [headers] : []) + rows
        guard let columns = lines.map(\.count).max(), columns > 0 else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for line in lines {
            for (index, cell) in line.enumerated() where index < columns - 1 {
                widths[index] = max(widths[index], max(cell.count + 3, 10))
            }
        }
        var output = ""
        for line in lines {
            var text = ""
            for (index, cell) in line.enumerated() {
                if index < line.count - 1 {
                    text += cell + String(repeating: " ", count: max(widths[index] - cell.count, 0))
                } else {
                    text += cell
                }
            }
            // Go's tabwriter drops the padding of trailing empty cells.
            while text.hasSuffix(" ") { text.removeLast() }
            output += text + "\n"
        }
        return output
    }
}
