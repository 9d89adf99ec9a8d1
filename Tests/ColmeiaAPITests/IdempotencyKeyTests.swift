import Foundation
import Testing

/// `Idempotency-Key` makes a client's retry of a write safe: the same request again gets
/// the first answer and changes nothing; the key with another request is refused.
@Suite(.serialized) struct IdempotencyKeyTests {
    @Test("a create retried with the same Idempotency-Key names the same object and creates it once; the key with another body is a 422")
    func retriedCreateLandsOnce() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let key = ["-H", "Idempotency-Key: 7c0e6a3e-5b7e-4d4f-9a51-3f0c2d8a9b10"]
        let body = #"{"Name":"app-config","Data":"aGVsbG8="}"#

        let first = try daemon.http("POST", "/configs/create", body: body, extra: key)
        #expect(first.status == 201, "\(first.body)")
        let retry = try daemon.http("POST", "/configs/create", body: body, extra: key)
        #expect(retry.status == 201, "a retry is answered as the first try was, not with a name conflict: \(retry.body)")
        #expect(retry.body == first.body, "the same ID")
        // Without the key, the same body is a second create, refused by the name rule.
        let unkeyed = try daemon.http("POST", "/configs/create", body: body)
        #expect(unkeyed.status == 409)

        let configs = try daemon.docker("config", "ls", "--format", "{{.Name}}")
        #expect(configs.split(separator: "\n").filter { $0 == "app-config" }.count == 1)
        let audit = try daemon.http("GET", "/colmeia/v1/audit?type=config.created")
        #expect(audit.body.components(separatedBy: "\"CommandID\":\"idem-").count - 1 == 1, "one create landed: \(audit.body.prefix(600))")

        let other = try daemon.http("POST", "/configs/create", body: #"{"Name":"other-config","Data":"aGVsbG8="}"#, extra: key)
        #expect(other.status == 422, "\(other.body)")
        #expect(other.body.contains("idempotency key reused"))
        #expect(try daemon.docker("config", "ls", "--format", "{{.Name}}").contains("other-config") == false)

        // An update retried with its key applies once: the version moves by one write.
        let service = #"{"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx:alpine"}},"Mode":{"Replicated":{"Replicas":1}}}"#
        #expect(try daemon.http("POST", "/services/create", body: service).status == 201)
        let version = try daemon.docker("service", "inspect", "web", "--format", "{{.Version.Index}}").trimmingCharacters(in: .whitespacesAndNewlines)
        let scaled = #"{"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx:alpine"}},"Mode":{"Replicated":{"Replicas":2}}}"#
        let updateKey = ["-H", "Idempotency-Key: scale-web-to-2"]
        let update = try daemon.http("POST", "/services/web/update?version=\(version)", body: scaled, extra: updateKey)
        #expect(update.status == 200, "\(update.body)")
        let again = try daemon.http("POST", "/services/web/update?version=\(version)", body: scaled, extra: updateKey)
        #expect(again.status == 200, "the retry is not refused as out of sequence: \(again.body)")
        let updates = try daemon.http("GET", "/colmeia/v1/audit?type=service.updated")
        #expect(updates.body.components(separatedBy: "\"CommandID\":\"idem-").count - 1 == 1, "one update landed: \(updates.body.prefix(600))")

        // Bad keys, and creates whose answer carries a new secret, are refused plainly.
        let blank = try daemon.http("POST", "/configs/create", body: body, extra: ["-H", "Idempotency-Key: \u{7f}bad"])
        #expect(blank.status == 400)
        let token = try daemon.http("POST", "/colmeia/v1/tokens", body: #"{"Name":"ci","Role":"viewer"}"#, extra: key)
        #expect(token.status == 400)
        #expect(token.body.contains("Idempotency-Key is not supported"))
    }
}
