import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird

/// JSON in and out, with Docker's error words for bad bodies.
enum JSONResponse {
    /// The body a route reads unless it says otherwise: far beyond any spec, far below what
    /// a few hundred clients could make the daemon hold.
    static let defaultBodyLimit = 1 << 20
    /// Secrets and configs: a 1000 KiB config in base64 with room to spare, so that an
    /// oversized one still gets its validation message.
    static let fileObjectBodyLimit = 8 << 20

    static func encode<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONBody.response(value, status: status)
    }

    /// A JSON array of already-encoded objects, sent without decoding them again.
    static func array(of bodies: [String]) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString("[")
        for (position, body) in bodies.enumerated() {
            if position > 0 { buffer.writeString(",") }
            buffer.writeString(body)
        }
        buffer.writeString("]")
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// Decodes the body as `Value`; a missing, oversized or malformed body is a 400 with
    /// the decoder's reason, as dockerd answers.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, context: APIRequestContext,
                                         limit: Int = defaultBodyLimit) async throws -> Value {
        var request = request
        let buffer: ByteBuffer
        let limit = min(limit, context.maxUploadSize)
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw DockerAPIError(.contentTooLarge, "request body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw DockerAPIError.badRequest("invalid JSON: got EOF while reading request body")
        }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.dataCorrupted(context) {
            throw DockerAPIError.badRequest("invalid JSON: \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw DockerAPIError.badRequest("json: cannot unmarshal into \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw DockerAPIError.badRequest("json: missing value for \(Self.path(context.codingPath))")
        } catch let DecodingError.keyNotFound(key, _) {
            throw DockerAPIError.badRequest("json: missing field \(key.stringValue)")
        } catch {
            throw DockerAPIError.badRequest("invalid JSON: \(error)")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the body" : keys.map(\.stringValue).joined(separator: ".")
    }
}

extension Request {
    /// Docker's `filters` query parameter.
    func filters() throws -> Filters {
        do {
            return try Filters(json: uri.queryParameters.get("filters") ?? "")
        } catch {
            throw DockerAPIError(error)
        }
    }

    /// A boolean query flag: `1`, `true` (any case) or present without a value.
    func flag(_ name: String) -> Bool {
        guard let value = uri.queryParameters.get(name) else { return false }
        return value.isEmpty || value == "1" || value.lowercased() == "true"
    }

    /// `X-Registry-Auth` (what `--with-registry-auth` sends), when present and not empty.
    var registryAuth: String? {
        guard let name = HTTPField.Name("X-Registry-Auth"), let value = headers[name], !value.isEmpty else { return nil }
        return value
    }

    /// The `?version=N` of an update: required, a number.
    func version() throws -> UInt64 {
        guard let text = uri.queryParameters.get("version"), let version = UInt64(text) else {
            throw DockerAPIError.badRequest("invalid swarm version '\(uri.queryParameters.get("version") ?? "")': missing or not a number")
        }
        return version
    }
}

extension APIRequestContext {
    /// The `{id}` path parameter.
    func objectReference() throws -> String {
        guard let value = parameters.get("id"), !value.isEmpty else { throw DockerAPIError.badRequest("missing object id") }
        return value
    }
}
