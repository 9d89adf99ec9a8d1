import ColmeiaModel
import Foundation

/// `--mount type=bind,source=/data,target=/data,readonly`: docker's CSV syntax and checks
/// (docker/cli `opts/mount.go`), errors as pflag words them.
public enum MountSpec {
    public static func parse(_ text: String, flag: String = "mount") throws(CLIError) -> Mount {
        do {
            return try parseFields(text)
        } catch {
            throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: \(error.message)")
        }
    }

    private static func parseFields(_ text: String) throws(CLIError) -> Mount {
        var mount = Mount(type: "volume")
        var volume: Mount.VolumeOptions?
        var bind: Mount.BindOptions?
        var tmpfs: Mount.TmpfsOptions?
        func volumeOptions() -> Mount.VolumeOptions {
            // As docker: any volume option gives the volume a driver configuration.
            volume ?? Mount.VolumeOptions(driverConfig: Driver())
        }
        for field in try csvFields(text) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let key = parts[0].lowercased()
            guard parts.count == 2 else {
                switch key {
                case "readonly", "ro": mount.readOnly = true
                case "volume-nocopy":
                    volume = volumeOptions()
                    volume?.noCopy = true
                case "bind-nonrecursive":
                    bind = bind ?? Mount.BindOptions()
                    bind?.nonRecursive = true
                default: throw CLIError("invalid field '\(field)' must be a key=value pair")
                }
                continue
            }
            let value = parts[1]
            switch key {
            case "type": mount.type = MountType(rawValue: value.lowercased())
            case "source", "src":
                mount.source = value
                if value.hasPrefix("."), !value.hasPrefix("/") {
                    mount.source = URL(fileURLWithPath: value).standardizedFileURL.path
                }
            case "target", "dst", "destination": mount.target = value
            case "readonly", "ro": mount.readOnly = try bool(value, key: key)
            case "consistency": mount.consistency = value.lowercased()
            case "bind-propagation":
                bind = bind ?? Mount.BindOptions()
                bind?.propagation = value.lowercased()
            case "bind-nonrecursive":
                bind = bind ?? Mount.BindOptions()
                bind?.nonRecursive = try bool(value, key: key)
            case "bind-recursive":
                bind = bind ?? Mount.BindOptions()
                switch value {
                case "enabled": break
                case "disabled": bind?.nonRecursive = true
                default:
                    throw CLIError(#"invalid value for \#(key): \#(value) (must be "enabled" or "disabled")"#)
                }
            case "volume-subpath":
                volume = volumeOptions()
                volume?.subpath = value
            case "volume-nocopy":
                volume = volumeOptions()
                guard let flag = Bool(goText: value) else { throw CLIError("invalid value for volume-nocopy: \(value)") }
                volume?.noCopy = flag
            case "volume-label":
                volume = volumeOptions()
                let (labelKey, labelValue) = keyValue(value)
                if !labelKey.isEmpty { volume?.labels[labelKey] = labelValue }
            case "volume-driver":
                volume = volumeOptions()
                volume?.driverConfig?.name = value
            case "volume-opt":
                volume = volumeOptions()
                let (optionKey, optionValue) = keyValue(value)
                if !optionKey.isEmpty { volume?.driverConfig?.options[optionKey] = optionValue }
            case "tmpfs-size":
                guard let size = ByteSize.parse(value) else { throw CLIError("invalid value for \(key): \(value)") }
                tmpfs = tmpfs ?? Mount.TmpfsOptions()
                tmpfs?.sizeBytes = size
            case "tmpfs-mode":
                guard let mode = UInt32(value, radix: 8) else { throw CLIError("invalid value for \(key): \(value)") }
                tmpfs = tmpfs ?? Mount.TmpfsOptions()
                tmpfs?.mode = mode
            default:
                throw CLIError("unexpected key '\(key)' in '\(field)'")
            }
        }
        if mount.type.rawValue.isEmpty { throw CLIError("type is required") }
        if mount.target.isEmpty { throw CLIError("target is required") }
        let type = mount.type.rawValue
        if volume != nil && type != "volume" { throw CLIError("cannot mix 'volume-*' options with mount type '\(type)'") }
        if bind != nil && type != "bind" { throw CLIError("cannot mix 'bind-*' options with mount type '\(type)'") }
        if tmpfs != nil && type != "tmpfs" { throw CLIError("cannot mix 'tmpfs-*' options with mount type '\(type)'") }
        mount.volumeOptions = volume
        mount.bindOptions = bind
        mount.tmpfsOptions = tmpfs
        return mount
    }

    private static func bool(_ text: String, key: String) throws(CLIError) -> Bool {
        guard let value = Bool(goText: text) else { throw CLIError("invalid value for \(key): \(text)") }
        return value
    }

    private static func keyValue(_ text: String) -> (String, String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }

    /// One CSV record (Go's `encoding/csv`): commas separate fields; a field in double
    /// quotes may hold commas, and `""` stands for a quote.
    static func csvFields(_ text: String) throws(CLIError) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var atFieldStart = true
        var characters = text.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    var lookahead = characters
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        characters = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "," :
                fields.append(current)
                current = ""
                atFieldStart = true
                continue
            case "\"" where atFieldStart:
                quoted = true
            case "\"":
                throw CLIError("parse error on line 1, column \(current.count + 1): bare \" in non-quoted-field")
            default:
                current.append(character)
            }
            atFieldStart = false
        }
        if quoted { throw CLIError("parse error on line 1, column \(text.count + 1): extraneous or missing \" in quoted-field") }
        fields.append(current)
        return fields
    }
}

extension Bool {
    /// Go's `strconv.ParseBool`: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
    init?(goText text: String) {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": self = true
        case "0", "f", "F", "FALSE", "false", "False": self = false
        default: return nil
        }
    }
}
