import Foundation
import HTTPTypes
import Hummingbird

/// A JSON response with stable bytes: the same object reads the same over every transport
/// and every time (keys sorted, slashes unescaped). The API's and the cluster port's.
public enum JSONBody {
    public static func response<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
