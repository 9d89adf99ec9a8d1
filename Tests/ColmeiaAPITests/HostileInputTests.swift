import Foundation
import Testing

/// Requests meant to kill or starve a manager, through the real daemon: each gets a clear
/// 4xx or its connection closed, and afterwards the daemon answers at once with about the
/// memory it started with. New findings join this suite.
@Suite(.serialized) struct HostileInputTests {
    /// The daemon's resident memory, from `/proc/PID/status`.
    static func residentBytes(_ pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").compactMap({ Int($0) }).first else { return 0 }
        return kilobytes * 1024
    }

    /// A blocking socket connected to a TCP port or a unix socket; -1 when it could not connect.
    static func connect(tcp port: Int? = nil, unix path: String? = nil) -> Int32 {
        if let path {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if result != 0 { close(fd); return -1 }
            return fd
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port ?? 0).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { close(fd); return -1 }
        return fd
    }

    /// Whether `text` arrives on `fd` within `seconds` (reading what comes until then).
    static func read(_ fd: Int32, until text: String, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        while Date() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = Glibc.read(fd, &buffer, buffer.count)
            guard count > 0 else { return false }
            received += buffer[0..<count]
            if String(decoding: received, as: UTF8.self).contains(text) { return true }
        }
        return false
    }

    /// Whether the peer has closed `fd` (a read gives end-of-file or an error) within `seconds`.
    static func closedByPeer(_ fd: Int32, within seconds: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(seconds * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return Glibc.read(fd, &byte, 1) <= 0
    }

    @Test("deep nesting, huge replica and job counts, oversized secrets (with and without Driver) and configs, 400 idle connections on every listener, a slow-loris request and a 60 MB /join: each refused or closed; afterwards /_ping answers within 100 ms and RSS is within 50 MB of the start")
    func hostileRequestsCostNothing() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let pid = try #require(daemon.pid)
        // Warm up the paths the test uses before taking the baseline.
        for _ in 0..<20 { _ = try daemon.http("GET", "/services") }
        let baseline = Self.residentBytes(pid)

        // Nesting far beyond the limit in a field Colmeia does not model.
        let deep = String(repeating: "[", count: 505) + String(repeating: "]", count: 505)
        var answer = try daemon.http("POST", "/services/create",
                                     body: #"{"Name":"deep","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"X":\#(deep)}"#)
        #expect(answer.status == 400 && answer.body.contains("nested more than"), "\(answer.status) \(answer.body)")

        answer = try daemon.http("POST", "/services/create",
                                 body: #"{"Name":"huge","Mode":{"Replicated":{"Replicas":9223372036854775807}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox"}}}"#)
        #expect(answer.status == 400 && answer.body.contains("at most 10000"), "\(answer.body)")
        answer = try daemon.http("POST", "/services/create",
                                 body: #"{"Name":"hugejob","Mode":{"ReplicatedJob":{"MaxConcurrent":1,"TotalCompletions":9223372036854775807}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox"}}}"#)
        #expect(answer.status == 400, "\(answer.body)")

        let big = Data(repeating: 0x41, count: 5 << 20).base64EncodedString()
        answer = try daemon.http("POST", "/secrets/create", body: #"{"Name":"big","Data":"\#(big)"}"#)
        #expect(answer.status == 400 && answer.body.contains("less than 512000 bytes"), "\(answer.body.prefix(200))")
        answer = try daemon.http("POST", "/secrets/create", body: #"{"Name":"big","Data":"\#(big)","Driver":{"Name":"vault"}}"#)
        #expect(answer.status == 400 && answer.body.contains("secret drivers are not supported"), "\(answer.body.prefix(200))")
        answer = try daemon.http("POST", "/configs/create", body: #"{"Name":"big","Data":"\#(big)"}"#)
        #expect(answer.status == 400 && answer.body.contains("less than 1024000 bytes"), "\(answer.body.prefix(200))")
        let huge = Data(repeating: 0x41, count: 60 << 20).base64EncodedString()
        answer = try daemon.http("POST", "/configs/create", body: #"{"Name":"huge","Data":"\#(huge)"}"#)
        #expect(answer.status == 413 || answer.status == 0, "a 60 MB body is cut off: \(answer.status)")
        #expect(try daemon.http("GET", "/services").body == "[]", "nothing was stored")
        #expect(try daemon.http("GET", "/secrets").body == "[]")

        // Event streams that have sent their request stay open past the header deadline
        // that closes the slow-loris below (HTTP/1 on the unix socket and on TCP).
        var streams: [Int32] = []
        for fd in [Self.connect(unix: daemon.socket), Self.connect(tcp: daemon.port)] {
            let request = Array("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            streams.append(fd)
        }
        for fd in streams { #expect(Self.read(fd, until: "200 OK", within: 5), "an event stream was not answered") }

        // A slow-loris request: a header byte every second, never the end of the head; it
        // is closed at the header deadline (10 s), not served and not held.
        let loris = Self.connect(tcp: daemon.port)
        #expect(loris >= 0)
        let head = Array("GET /_ping HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
        _ = head.withUnsafeBytes { write(loris, $0.baseAddress, $0.count) }
        let started = Date()
        var lorisClosed = false
        while Date().timeIntervalSince(started) < 20 && !lorisClosed {
            var byte = UInt8(ascii: "a")
            if write(loris, &byte, 1) < 0 { lorisClosed = true; break }
            lorisClosed = Self.closedByPeer(loris, within: 1)
        }
        let lorisLasted = Date().timeIntervalSince(started)
        #expect(lorisClosed && lorisLasted > 8 && lorisLasted < 15, "the slow-loris connection lasted \(lorisLasted) s")
        close(loris)
        Thread.sleep(forTimeInterval: 1)
        #expect(try daemon.http("POST", "/secrets/create", body: #"{"Name":"after-the-deadline","Data":"eA=="}"#).status == 201)
        for fd in streams {
            #expect(Self.read(fd, until: "after-the-deadline", within: 5), "an event stream was cut at the header deadline")
            close(fd)
        }
        #expect(try daemon.http("DELETE", "/secrets/after-the-deadline").status == 204)

        // 400 connections that send nothing, on every listener: refused beyond each
        // listener's caps, closed at the header deadline, never held.
        let clusterPort = Int(daemon.listenAddress.split(separator: ":").last ?? "") ?? 0
        var idle: [Int32] = []
        for _ in 0..<400 {
            idle.append(Self.connect(unix: daemon.socket))
            idle.append(Self.connect(tcp: daemon.port))
            idle.append(Self.connect(tcp: clusterPort))
        }
        // While they sit there, the socket still serves a new client.
        #expect(try daemon.curl(["-sf", "--max-time", "5", "http://localhost/_ping"]).status == 0)
        Thread.sleep(forTimeInterval: 12)
        let open = idle.enumerated().filter { $0.element >= 0 && !Self.closedByPeer($0.element, within: 0.01) }
        let byListener = Dictionary(grouping: open, by: { ["unix socket", "TCP API", "cluster port"][$0.offset % 3] }).mapValues(\.count)
        #expect(open.isEmpty, "idle connections still held after the header deadline: \(byListener)")
        for fd in idle where fd >= 0 { close(fd) }

        // 60 MB to /join: refused after 64 KiB, before the token is looked at.
        let join = try DaemonHarness.run("sh", ["-c", """
            head -c 62914560 /dev/zero | tr '\\0' 'x' | curl -sk -o /dev/null -w '%{http_code}' --max-time 20 \
                -H 'Content-Type: application/json' --data-binary @- https://\(daemon.listenAddress)/join
            """], socket: "")
        #expect(join.stdout == "413" || join.stdout == "000", "60 MB /join: \(join.stdout) \(join.stderr)")

        // Afterwards: alive, quick, and not bigger.
        let ping = Date()
        #expect(try daemon.curl(["-sf", "http://localhost/_ping"]).status == 0)
        let latency = Date().timeIntervalSince(ping)
        // The curl process itself takes most of this; the daemon's part is well below it.
        #expect(latency < 0.1, "/_ping took \(latency) s")
        let after = Self.residentBytes(pid)
        #expect(after - baseline < 50 << 20, "RSS grew from \(baseline >> 20) MiB to \(after >> 20) MiB")
    }
}
