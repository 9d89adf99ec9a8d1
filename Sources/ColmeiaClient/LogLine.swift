/// One line of a service's or task's log, out of Docker's multiplexed framing.
public struct LogLine: Sendable, Hashable {
    /// 1: stdout, 2: stderr.
    public var stream: UInt8
    /// The text after the details, without the trailing newline.
    public var text: String
    /// `com.docker.swarm.node.id=…,…` pairs when details were asked for.
    public var details: [String: String]

    public init(stream: UInt8, text: String, details: [String: String]) {
        self.stream = stream
        self.text = text
        self.details = details
    }

    /// Parses the payload of one frame; with `details`, the first space-separated word holds
    /// `key=value` pairs separated by commas.
    init(stream: UInt8, payload: [UInt8], details hasDetails: Bool) {
        var text = String(decoding: payload, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        var details: [String: String] = [:]
        if hasDetails, let space = text.firstIndex(of: " ") {
            let word = text[..<space]
            if word.contains("=") {
                for pair in word.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { details[String(parts[0])] = String(parts[1]) }
                }
                text = String(text[text.index(after: space)...])
            }
        }
        self.init(stream: stream, text: text, details: details)
    }
}
