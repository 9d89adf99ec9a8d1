import ColmeiaCluster
import Crypto
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Makes a client's retries of a write safe: a request with an `Idempotency-Key` header
/// gives the commands it causes ids derived from the key and the caller (and new objects
/// ids derived from those), so the same request sent again — after a timeout, a dropped
/// connection or an unknown outcome — proposes the same commands, which apply skips and
/// answers with the first outcome. The request's digest (method, target and body) travels
/// with them: the same key with a different request is refused (422).
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    static let header = HTTPField.Name("Idempotency-Key")!
    static let maximumKeyLength = 255

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = request.headers[Self.header], request.method != .get, request.method != .head else {
            return try await next(request, context)
        }
        guard !key.isEmpty, key.utf8.count <= Self.maximumKeyLength,
              key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw DockerAPIError.badRequest(
                "invalid Idempotency-Key: use 1 to \(Self.maximumKeyLength) visible ASCII characters (a UUID is a good choice)")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw DockerAPIError(.contentTooLarge, "request body is larger than \(context.maxUploadSize) bytes")
        }
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8))
        hasher.update(data: Array(body.readableBytesView))
        let digest = WebhookSignature.hex(Array(hasher.finalize()))
        var context = context
        context.idempotency = Idempotency(key: key, requestDigest: digest)
        return try await next(request, context)
    }
}

/// What ``IdempotencyMiddleware`` found: the client's key, the request's digest, and how
/// many commands and object ids the request has asked for so far (a request's handler
/// makes them in the same order every time it runs, so a retry derives the same ones).
final class Idempotency: Sendable {
    let key: String
    let requestDigest: String
    private let issued = Mutex<(commands: Int, objects: Int)>((0, 0))

    init(key: String, requestDigest: String) {
        self.key = key
        self.requestDigest = requestDigest
    }

    /// The id of the request's next command, unique to the caller and the key.
    func nextCommandID(actor: String) -> String {
        let ordinal = issued.withLock { count in
            defer { count.commands += 1 }
            return count.commands
        }
        return "idem-" + WebhookSignature.hex(Array(SHA256.hash(data: Array("command\n\(actor)\n\(key)\n\(ordinal)".utf8)))).prefix(40)
    }

    /// A generator seeded by the caller, the key and the request's count of object ids.
    func nextObjectSeed(actor: String) -> [UInt8] {
        let ordinal = issued.withLock { count in
            defer { count.objects += 1 }
            return count.objects
        }
        return Array(SHA256.hash(data: Array("object\n\(actor)\n\(key)\n\(ordinal)".utf8)))
    }
}

/// Random words drawn from a fixed seed (SHA-256 in counter mode): the same seed gives the
/// same object id, which makes a retried create name the object the first try created.
struct KeyDerivedGenerator: RandomNumberGenerator {
    private let seed: [UInt8]
    private var counter: UInt64 = 0
    private var words: [UInt64] = []

    init(seed: [UInt8]) { self.seed = seed }

    mutating func next() -> UInt64 {
        if words.isEmpty {
            var block = seed
            withUnsafeBytes(of: counter.littleEndian) { block.append(contentsOf: $0) }
            counter += 1
            let bytes = Array(SHA256.hash(data: block))
            words = stride(from: 0, to: 32, by: 8).map { start in
                bytes[start..<start + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            }
        }
        return words.removeFirst()
    }
}
