/// Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:?message}`, `${VAR?message}`, and `$$` for a literal `$`.
public struct ComposeInterpolation: Sendable {
    public var environment: [String: String]
    /// Called with the name of each variable that is unset and has no default.
    public var warn: @Sendable (String) -> Void

    public init(environment: [String: String], warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.environment = environment
        self.warn = warn
    }

    /// The text with every variable replaced; the error names what is wrong (the caller adds
    /// where).
    public func apply(_ text: String) throws(CLIError) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            guard next < text.endIndex else {
                output.append("$")
                break
            }
            if text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
            } else if text[next] == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw CLIError("invalid interpolation format for \"\(text)\": missing '}'")
                }
                let body = String(text[text.index(after: next)..<close])
                output += try substitute(body, whole: text)
                index = text.index(after: close)
            } else if text[next] == "_" || text[next].isLetter {
                var end = next
                while end < text.endIndex, text[end] == "_" || text[end].isLetter || text[end].isNumber { end = text.index(after: end) }
                output += value(of: String(text[next..<end]))
                index = end
            } else {
                throw CLIError("invalid interpolation format for \"\(text)\": you may need to escape any $ with another $")
            }
        }
        return output
    }

    private func value(of name: String) -> String {
        if let value = environment[name] { return value }
        warn(name)
        return ""
    }

    private func substitute(_ body: String, whole: String) throws(CLIError) -> String {
        let nameEnd = body.firstIndex { !($0 == "_" || $0.isLetter || $0.isNumber) } ?? body.endIndex
        let name = String(body[..<nameEnd])
        guard !name.isEmpty, name.first?.isNumber == false else {
            throw CLIError("invalid interpolation format for \"\(whole)\": invalid variable name \"\(body)\"")
        }
        let rest = String(body[nameEnd...])
        let current = environment[name]
        if rest.isEmpty { return value(of: name) }
        for (op, emptyCounts) in [(":-", true), ("-", false), (":?", true), ("?", false), (":+", true), ("+", false)] where rest.hasPrefix(op) {
            let argument = try apply(String(rest.dropFirst(op.count)))
            let missing = current == nil || (emptyCounts && current?.isEmpty == true)
            switch op {
            case ":-", "-": return missing ? argument : (current ?? "")
            case ":?", "?":
                if missing { throw CLIError("required variable \(name) is missing a value: \(argument.isEmpty ? name : argument)") }
                return current ?? ""
            default: return missing ? "" : argument
            }
        }
        throw CLIError("invalid interpolation format for \"\(whole)\": unsupported \"\(rest)\"")
    }
}
