import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client over a unix socket, one connection per request
/// (`Connection: close`), with a deadline. The API sockets are files, so the client reaches
/// each manager from the host namespace whatever the partitions between managers.
public enum UnixHTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Failure: Error, CustomStringConvertible {
        /// The request did not reach the daemon whole: it cannot have applied.
        case notSent(String)
        /// The request was sent but no answer came in time: it may have applied.
        case noAnswer(String)

        public var description: String {
            switch self {
            case .notSent(let why): "not sent: \(why)"
            case .noAnswer(let why): "no answer: \(why)"
            }
        }
    }

    public static func request(socket path: String, _ method: String, _ target: String, body: Data? = nil,
                               headers: [String: String] = [:], timeout: Double) throws(Failure) -> Response {
        let deadline = Date().addingTimeInterval(timeout)
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .notSent("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .notSent("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            raw[path.utf8.count] = 0
        }
        setTimeout(descriptor, SO_SNDTIMEO, seconds: max(0.05, timeout))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw .notSent("connect \(path): \(String(cString: strerror(errno)))") }

        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        } else if method == "POST" {
            head += "Content-Length: 0\r\n"
        }
        head += "\r\n"
        var payload = Data(head.utf8)
        if let body { payload.append(body) }
        var sent = 0
        while sent < payload.count {
            let written = payload.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(descriptor, base + sent, payload.count - sent, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                throw .notSent("send: \(String(cString: strerror(errno)))")
            }
            sent += written
        }

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let response = parse(received, complete: false) { return response }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw .noAnswer("no answer within \(timeout) s") }
            setTimeout(descriptor, SO_RCVTIMEO, seconds: remaining)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .noAnswer("no answer within \(timeout) s") }
                throw .noAnswer("recv: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                if let response = parse(received, complete: true) { return response }
                throw .noAnswer("connection closed before a whole answer")
            }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    static func setTimeout(_ descriptor: Int32, _ option: Int32, seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1_000 }
        setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The response once `data` holds all of it (by Content-Length, chunks, or the end of the
    /// connection when `complete`).
    static func parse(_ data: Data, complete: Bool) -> Response? {
        let separator = Data("\r\n\r\n".utf8)
        guard let range = data.range(of: separator) else { return nil }
        let head = String(decoding: data[data.startIndex..<range.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusFields = (lines.first ?? "").split(separator: " ")
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else { return nil }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Data(data[range.upperBound...])
        if let length = fields["content-length"].flatMap(Int.init) {
            return body.count >= length ? Response(status: status, body: body.prefix(length)) : nil
        }
        if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return dechunk(body).map { Response(status: status, body: $0) }
        }
        if status == 204 || status == 304 { return Response(status: status, body: Data()) }
        return complete ? Response(status: status, body: body) : nil
    }

    /// The body of a chunked message once its last chunk has come.
    static func dechunk(_ data: Data) -> Data? {
        var output = Data()
        var index = data.startIndex
        let crlf = Data("\r\n".utf8)
        while true {
            guard let line = data.range(of: crlf, in: index..<data.endIndex) else { return nil }
            let sizeText = String(decoding: data[index..<line.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            let start = line.upperBound
            if size == 0 { return output }
            guard data.distance(from: start, to: data.endIndex) >= size + 2 else { return nil }
            let end = data.index(start, offsetBy: size)
            output.append(data[start..<end])
            index = data.index(end, offsetBy: 2)
        }
    }
}
