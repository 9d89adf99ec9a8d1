/// Docker image references (`nginx:alpine`, `registry:5000/team/app@sha256:…`), checked with
/// the grammar of `distribution/reference.ParseNormalizedNamed`.
public enum ImageReference {
    /// Whether `reference` is a valid, normalizable image reference.
    public static func isValid(_ reference: String) -> Bool {
        let bytes = Array(reference.utf8)
        guard !bytes.isEmpty else { return false }
        if bytes.count == 64, bytes.allSatisfy(isLowerHex) { return false }

        var nameAndTag = bytes[...]
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            guard isDigest(bytes[(at + 1)...]) else { return false }
            nameAndTag = bytes[..<at]
        }
        var name = nameAndTag
        let lastSlash = nameAndTag.lastIndex(of: UInt8(ascii: "/"))
        if let colon = nameAndTag.lastIndex(of: UInt8(ascii: ":")), colon > (lastSlash ?? -1) {
            guard isTag(nameAndTag[(colon + 1)...]) else { return false }
            name = nameAndTag[..<colon]
        }
        guard !name.isEmpty, name.count <= 255 else { return false }

        let components = name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var paths = components[...]
        if components.count > 1, let first = components.first, !isPathComponent(first) {
            guard isDomainAndPort(first) else { return false }
            paths = components.dropFirst()
        }
        return paths.allSatisfy(isPathComponent)
    }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
    static func isPathComponent(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isLowerAlnum(first), isLowerAlnum(last) else {
            return false
        }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if isLowerAlnum(bytes[index]) {
                index += 1
                continue
            }
            var end = index
            while end < bytes.endIndex, !isLowerAlnum(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let dashes = separator.allSatisfy { $0 == UInt8(ascii: "-") }
            let valid = dashes || separator.elementsEqual([UInt8(ascii: ".")])
                || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
            guard valid else { return false }
            index = end
        }
        return true
    }

    /// A host name, dotted name or `[IPv6]`, optionally with `:port`.
    static func isDomainAndPort(_ bytes: ArraySlice<UInt8>) -> Bool {
        var host = bytes
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let inside = host[(host.startIndex + 1)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ isHex($0) || $0 == UInt8(ascii: ":") }) else {
                return false
            }
            let rest = host[(close + 1)...]
            return rest.isEmpty || isPort(rest)
        }
        if let colon = host.firstIndex(of: UInt8(ascii: ":")) {
            guard isPort(host[colon...]) else { return false }
            host = host[..<colon]
        }
        let labels = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard let first = label.first, let last = label.last,
                NameRules.isAlphanumeric(first), NameRules.isAlphanumeric(last)
            else { return false }
            return label.allSatisfy { NameRules.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `:[0-9]+`
    static func isPort(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count > 1 && bytes.first == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy(isDigit)
    }

    /// `[\w][\w.-]{0,127}`
    static func isTag(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, bytes.count <= 128, isWord(first) else { return false }
        return bytes.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
    static func isDigest(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let algorithm = bytes[..<colon]
        let hex = bytes[(colon + 1)...]
        guard hex.count >= 32, hex.allSatisfy(isHex) else { return false }
        let parts = algorithm.split(omittingEmptySubsequences: false) {
            $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".")
        }
        return parts.allSatisfy { part in
            guard let first = part.first, isLetter(first) else { return false }
            return part.allSatisfy(NameRules.isAlphanumeric)
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
    static func isLowerAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x61 && byte <= 0x7A) }
    static func isLowerHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x61 && byte <= 0x66) }
    static func isHex(_ byte: UInt8) -> Bool { isLowerHex(byte) || (byte >= 0x41 && byte <= 0x46) }
    static func isWord(_ byte: UInt8) -> Bool { NameRules.isAlphanumeric(byte) || byte == UInt8(ascii: "_") }
}
