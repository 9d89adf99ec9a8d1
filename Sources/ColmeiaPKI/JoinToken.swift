/// A cluster join token, `SWMTKN-1-<digest>-<secret>`, in SwarmKit's format.
///
/// The digest part is the SHA-256 of the cluster's root CA certificate as a base-36 number
/// left-padded with "0" to 50 characters; the secret is 128 random bits in base 36 padded to
/// 25 characters, so a token is 85 characters long. A joining node pins the root CA by the
/// digest (`matches(caDigest:)`); the manager decides the role by comparing the whole token,
/// in constant time, with its current worker and manager tokens (`JoinTokens`).
///
/// ```swift
/// var rng = SystemRandomNumberGenerator()
/// let token = JoinToken.generate(rootCA: ca.digest, using: &rng)
/// let parsed = try JoinToken(parsing: token.description)
/// parsed.matches(caDigest: ca.digest) // true
/// ```
public struct JoinToken: Sendable, Hashable, CustomStringConvertible {
    /// Characters of the base-36 digest: ceil(log36(2^256)).
    public static let digestLength = 50
    /// Characters of the base-36 secret: ceil(log36(2^128)).
    public static let secretLength = 25

    /// The token text, exactly as generated or parsed.
    public let description: String
    /// 1 for `SWMTKN-1-…`; 2 for SwarmKit's `SWMTKN-2-<fips>-…`.
    public let version: Int
    /// Whether a version-2 token says the cluster mandates FIPS mode.
    public let mandatesFIPS: Bool
    /// The SHA-256 digest of the root CA certificate the token pins (32 bytes).
    public let rootCADigest: [UInt8]
    /// The secret part, in base 36.
    public let secret: String

    /// A new version-1 token for the root CA whose digest is `digest` (32 bytes, see
    /// `ClusterRootCA.digest`), with a 128-bit secret drawn from `rng`. Production code passes a
    /// `SystemRandomNumberGenerator`, which is cryptographically secure.
    public static func generate(rootCA digest: [UInt8], using rng: inout some RandomNumberGenerator) -> JoinToken {
        precondition(digest.count == 32, "a root CA digest is a SHA-256 digest of 32 bytes")
        var secretBytes: [UInt8] = []
        for _ in 0..<2 {
            let word = rng.next() as UInt64
            for shift in stride(from: 56, through: 0, by: -8) {
                secretBytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        let digestText = Base36.encode(digest, paddedTo: digestLength)
        let secretText = Base36.encode(secretBytes, paddedTo: secretLength)
        return JoinToken(
            description: "SWMTKN-1-\(digestText)-\(secretText)", version: 1, mandatesFIPS: false,
            rootCADigest: digest, secret: secretText
        )
    }

    /// Reads a token; throws `JoinTokenError.invalid` ("invalid join token") unless it is a
    /// `SWMTKN-1-<50 base-36 chars>-<25 base-36 chars>` (or SwarmKit's `SWMTKN-2-<0|1>-…`).
    public init(parsing text: String) throws(JoinTokenError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0] == "SWMTKN" else { throw .invalid }
        switch parts[1] {
        case "1":
            guard parts.count == 4 else { throw .invalid }
            version = 1
            mandatesFIPS = false
        case "2":
            guard parts.count == 5, parts[2] == "0" || parts[2] == "1" else { throw .invalid }
            version = 2
            mandatesFIPS = parts[2] == "1"
        default:
            throw .invalid
        }
        let digestText = parts[parts.count - 2]
        let secretText = parts[parts.count - 1]
        guard digestText.utf8.count == Self.digestLength, secretText.utf8.count == Self.secretLength,
            let digest = Base36.decode(digestText, byteCount: 32),
            Base36.decode(secretText, byteCount: 16) != nil
        else { throw .invalid }
        description = text
        rootCADigest = digest
        secret = String(secretText)
    }

    private init(description: String, version: Int, mandatesFIPS: Bool, rootCADigest: [UInt8], secret: String) {
        self.description = description
        self.version = version
        self.mandatesFIPS = mandatesFIPS
        self.rootCADigest = rootCADigest
        self.secret = secret
    }

    /// Whether the token pins the root CA certificate whose SHA-256 digest is `caDigest`.
    public func matches(caDigest: [UInt8]) -> Bool {
        ConstantTime.equal(rootCADigest, caDigest)
    }

    /// The pinned digest in hex, as Docker prints it in "remote CA does not match fingerprint".
    public var rootCADigestHex: String {
        rootCADigest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Compares the token texts in constant time.
    public static func == (lhs: JoinToken, rhs: JoinToken) -> Bool {
        ConstantTime.equal(lhs.description.utf8, rhs.description.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }
}
