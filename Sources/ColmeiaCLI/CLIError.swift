/// A mistake in what the user typed or gave (flags, files, compose), found before anything
/// is sent to the daemon. The text is the whole one-line message.
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// A malformed flag value (`invalid argument "x" for "--flag" flag`): exit status 125 as
    /// docker's flag errors; other mistakes exit with 1.
    public var isUsage: Bool { message.hasPrefix("invalid argument") }
}
