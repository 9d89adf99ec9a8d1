import ColmeiaCLI

/// The `colmeia` executable: everything else lives in ColmeiaCLI.
@main
enum ColmeiaMain {
    static func main() async {
        await ColmeiaCommand.runAndExit(arguments: Array(CommandLine.arguments.dropFirst()))
    }
}
