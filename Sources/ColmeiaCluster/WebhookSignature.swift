import ColmeiaPKI
import Crypto
import Foundation

/// The signed-timestamp scheme of Colmeia's generic webhooks and of its outbound
/// notifications: `X-Colmeia-Signature: t=UNIX,v1=HEX` where HEX is
/// HMAC-SHA256(secret, "UNIX." + body). The timestamp is covered, so a captured request
/// cannot be replayed once it is older than the tolerance.
public enum WebhookSignature {
    public static let header = "X-Colmeia-Signature"
    /// How old (or how far ahead) a signed timestamp may be.
    public static let tolerance: Int64 = 300

    /// Why a signature was refused (said in the audit trail, not to the caller).
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missing
        case malformed
        case stale(seconds: Int64)
        case mismatch

        public var description: String {
            switch self {
            case .missing: "no signature"
            case .malformed: "malformed signature"
            case .stale(let seconds): "signature timestamp is \(seconds) s away from now (at most \(WebhookSignature.tolerance) s)"
            case .mismatch: "signature does not match"
            }
        }
    }

    /// The header value for `body` at `time`.
    public static func sign(_ body: some DataProtocol, secret: String, time: Int64) -> String {
        "t=\(time),v1=" + hex(mac(Array("\(time).".utf8) + Array(body), secret: secret))
    }

    /// Checks a `t=…,v1=…` header against `body`; every `v1` is tried (a sender rotating its
    /// secret may send two).
    public static func verify(_ header: String?, body: [UInt8], secret: String, now: Int64) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing }
        var time: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw .malformed }
            switch pair[0] {
            case "t": time = Int64(pair[1])
            case "v1": signatures.append(pair[1].lowercased())
            default: continue
            }
        }
        guard let time, !signatures.isEmpty else { throw .malformed }
        let expected = hex(mac(Array("\(time).".utf8) + body, secret: secret))
        var matched = false
        for signature in signatures where ConstantTime.equal(Array(signature.utf8), Array(expected.utf8)) { matched = true }
        // The age is judged after the MAC: a forged request learns nothing from the answer.
        guard matched else { throw .mismatch }
        let (difference, overflow) = now.subtractingReportingOverflow(time)
        guard !overflow, difference.magnitude <= UInt64(tolerance) else {
            throw .stale(seconds: overflow ? .max : Int64(clamping: difference.magnitude))
        }
    }

    /// HMAC-SHA256(secret, message).
    public static func mac(_ message: [UInt8], secret: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// A new secret: 32 random bytes, hex.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
