/// SwarmKit's rules for object names.
public enum NameRules {
    /// `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`: letters, digits, `-` and `_`, starting and ending
    /// with a letter or digit (services, networks; `stack_web` from `docker stack` is valid).
    static func isValidDNSName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// `^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$`, at most 64 characters (secrets, configs).
    static func isValidConfigOrSecretName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count <= 64, let first = bytes.first, let last = bytes.last else { return false }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// SwarmKit's `validateAnnotations` for services and networks.
    static func validateAnnotationsName(_ name: String, field: String) throws(ValidationError) {
        if name.isEmpty {
            throw ValidationError(field: field, message: "meta: name must be provided")
        }
        if !isValidDNSName(name) {
            throw ValidationError(field: field, message: "name must be valid as a DNS name component")
        }
        if name.utf8.count > 63 {
            throw ValidationError(field: field, message: "name must be 63 characters or fewer")
        }
    }

    /// SwarmKit's `validateConfigOrSecretAnnotations`.
    public static func validateConfigOrSecretName(_ name: String, field: String) throws(ValidationError) {
        if name.isEmpty {
            throw ValidationError(field: field, message: "name must be provided")
        }
        if !isValidConfigOrSecretName(name) {
            throw ValidationError(
                field: field,
                message: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"
            )
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
