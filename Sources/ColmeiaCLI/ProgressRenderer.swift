import Foundation

/// Draws service progress: on a terminal the block of lines is redrawn in place (docker's
/// bars); otherwise each line is printed once whenever its text changes.
public struct ProgressRenderer: Sendable {
    public let terminal: Bool
    private var drawn: [String] = []
    private var printed: [String: String] = [:]
    private let write: @Sendable (String) -> Void

    public init(terminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.terminal = terminal
        self.write = write
    }

    /// Shows the current lines (`id: text`); ids keep their position.
    public mutating func show(_ lines: [ProgressLine]) {
        if terminal {
            var output = ""
            if !drawn.isEmpty { output += "\u{1B}[\(drawn.count)A" }
            let texts = lines.map { $0.terminalText }
            for text in texts { output += "\r\u{1B}[2K" + text + "\n" }
            // Lines that went away are blanked.
            if drawn.count > texts.count {
                for _ in texts.count..<drawn.count { output += "\r\u{1B}[2K\n" }
                output += "\u{1B}[\(drawn.count - texts.count)A"
            }
            drawn = texts
            write(output)
        } else {
            var output = ""
            for line in lines where printed[line.id] != line.plainText {
                printed[line.id] = line.plainText
                output += line.plainText + "\n"
            }
            if !output.isEmpty { write(output) }
        }
    }
}

/// One line of progress: `overall progress: 2 out of 3 tasks`, `1/3: running [====>]`.
public struct ProgressLine: Sendable, Hashable {
    public var id: String
    public var text: String
    /// Steps done out of `total`, for a bar; nil for a line without one.
    public var step: Int?
    public var total: Int

    public init(id: String, text: String, step: Int? = nil, total: Int = 9) {
        self.id = id
        self.text = text
        self.step = step
        self.total = total
    }

    /// The line with a 50-wide bar as docker draws it.
    public var terminalText: String {
        guard let step else { return "\(id): \(text) " }
        return "\(id): \(text.padding(toLength: max(text.count, 9), withPad: " ", startingAt: 0)) \(Self.bar(step: step, total: total))"
    }

    public var plainText: String { "\(id): \(text)" }

    /// `[=====>     ]`, 50 characters of track.
    public static func bar(step: Int, total: Int) -> String {
        let filled = min(50, max(0, total > 0 ? step * 100 / total / 2 : 0))
        return "[" + String(repeating: "=", count: filled) + ">" + String(repeating: " ", count: 50 - filled) + "]"
    }
}
