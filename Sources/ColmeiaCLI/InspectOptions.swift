import ArgumentParser

/// `--format` and `--pretty` of the inspect commands.
struct InspectOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("format")], help: "Format output: json, or a template such as '{{.Spec.Name}}'")
    var format: String?
    @Flag(help: "Print the information in a human friendly format")
    var pretty = false
}
