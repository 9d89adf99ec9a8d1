extension ContainerSpec {
    /// SwarmKit's `validateContainerSpec`: an image reference, no duplicate mount targets, a
    /// sane health check. The stop grace period check is Colmeia's.
    public func validate(field: String = "ContainerSpec") throws(ValidationError) {
        if image.isEmpty {
            throw ValidationError(field: field + ".Image", message: "ContainerSpec: image reference must be provided")
        }
        if !ImageReference.isValid(image) {
            throw ValidationError(field: field + ".Image", message: "ContainerSpec: \(goQuote(image)) is not a valid repository/tag")
        }
        var targets = Set<String>()
        for (index, mount) in mounts.enumerated() where !targets.insert(mount.target).inserted {
            throw ValidationError(
                field: field + ".Mounts[\(index)].Target", message: "ContainerSpec: duplicate mount point: \(mount.target)")
        }
        if let healthcheck {
            try healthcheck.validate(field: field + ".Healthcheck")
        }
        if let stopGracePeriod, stopGracePeriod < 0 {
            throw ValidationError(
                field: field + ".StopGracePeriod", message: "ContainerSpec: StopGracePeriod cannot be negative")
        }
    }

    /// SwarmKit's `validateSecretRefsSpec` and `validateConfigRefsSpec`.
    func validateReferences(field: String) throws(ValidationError) {
        var secretTargets: [String: String] = [:]
        for (index, reference) in secrets.enumerated() {
            let path = field + ".Secrets[\(index)]"
            if reference.secretID.isEmpty || reference.secretName.isEmpty {
                throw ValidationError(field: path, message: "malformed secret reference")
            }
            guard let file = reference.file else {
                throw ValidationError(field: path + ".File", message: "malformed secret reference, no target provided")
            }
            if file.name.isEmpty {
                throw ValidationError(
                    field: path + ".File.Name",
                    message: "malformed file secret reference, invalid target file name provided")
            }
            if let previous = secretTargets[file.name] {
                throw ValidationError(
                    field: path + ".File.Name",
                    message: "secret references '\(previous)' and '\(reference.secretName)' have a conflicting target: '\(file.name)'")
            }
            secretTargets[file.name] = reference.secretName
        }

        var configTargets: [String: String] = [:]
        for (index, reference) in configs.enumerated() {
            let path = field + ".Configs[\(index)]"
            if reference.configID.isEmpty || reference.configName.isEmpty {
                throw ValidationError(field: path, message: "malformed config reference")
            }
            if reference.file == nil && reference.runtime == nil {
                throw ValidationError(field: path + ".File", message: "malformed config reference, no target provided")
            }
            guard let file = reference.file else { continue }
            if file.name.isEmpty {
                throw ValidationError(
                    field: path + ".File.Name",
                    message: "malformed file config reference, invalid target file name provided")
            }
            if let previous = configTargets[file.name] {
                throw ValidationError(
                    field: path + ".File.Name",
                    message: "config references '\(previous)' and '\(reference.configName)' have a conflicting target: '\(file.name)'")
            }
            configTargets[file.name] = reference.configName
        }
    }
}

/// Go's `%q` for the printable strings found in specs.
func goQuote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
