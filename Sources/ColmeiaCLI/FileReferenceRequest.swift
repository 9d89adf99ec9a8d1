/// A `--secret`/`--config` value before its name is resolved to an id: `NAME` or
/// `source=NAME,target=PATH,uid=0,gid=0,mode=0444`.
public struct FileReferenceRequest: Sendable, Hashable {
    public var source: String
    public var target: String
    public var uid = "0"
    public var gid = "0"
    public var mode: UInt32 = 0o444

    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }

    public init(parsing text: String, flag: String) throws(CLIError) {
        guard text.contains("=") else {
            guard !text.isEmpty else { throw CLIError("invalid argument \"\" for \"--\(flag)\" flag: empty value") }
            self.init(source: text, target: text)
            return
        }
        var source = ""
        var target = ""
        var uid = "0"
        var gid = "0"
        var mode: UInt32 = 0o444
        for field in text.split(separator: ",") {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else {
                throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: invalid field '\(field)' must be a key=value pair")
            }
            switch pair[0].lowercased() {
            case "source", "src": source = pair[1]
            case "target": target = pair[1]
            case "uid": uid = pair[1]
            case "gid": gid = pair[1]
            case "mode":
                guard let value = UInt32(pair[1], radix: 8) else {
                    throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: invalid mode specified: \(pair[1])")
                }
                mode = value
            default:
                throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: invalid field key \(pair[0])")
            }
        }
        guard !source.isEmpty else { throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: source is required") }
        self.init(source: source, target: target.isEmpty ? source : target)
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }
}
