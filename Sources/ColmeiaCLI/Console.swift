import Foundation

/// Where commands write: stdout for results, stderr for errors, and whether stdout is a terminal.
public enum Console {
    /// Writes a line to stdout.
    public static func out(_ text: String) {
        write(text + "\n")
    }

    /// Writes text to stdout as it is (tables already end with a newline). A reader that
    /// went away (`colmeia audit ls | head`) ends the command quietly, as a pipe does.
    public static func write(_ text: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            exit(0)
        }
    }

    /// Writes a line to stderr.
    public static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Nothing is buffered: every write goes straight to the file descriptor.
    public static func flush() {}

    /// Whether stdout is a terminal (live progress bars) rather than a pipe or file.
    public static var isTerminal: Bool {
        isatty(STDOUT_FILENO) != 0
    }

    /// The terminal's width, 80 when unknown.
    public static var width: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// All of stdin (for `secret create NAME -`).
    public static func readStandardInput() -> Data {
        FileHandle.standardInput.readDataToEndOfFile()
    }
}
