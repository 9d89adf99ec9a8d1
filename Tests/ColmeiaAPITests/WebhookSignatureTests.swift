import ColmeiaCluster
import Testing

@Suite("WebhookSignature: the signed-timestamp scheme of generic webhooks and notifications")
struct WebhookSignatureTests {
    let body = Array(#"{"tag":"2"}"#.utf8)

    @Test("a signature verifies within five minutes, in either direction, and not after")
    func window() throws {
        let header = WebhookSignature.sign(body, secret: "s3cret", time: 1_000_000)
        try WebhookSignature.verify(header, body: body, secret: "s3cret", now: 1_000_300)
        try WebhookSignature.verify(header, body: body, secret: "s3cret", now: 999_700)
        #expect(throws: WebhookSignature.Failure.stale(seconds: 301)) {
            try WebhookSignature.verify(header, body: body, secret: "s3cret", now: 1_000_301)
        }
    }

    @Test("another body, another secret, a missing or malformed header are refused; extreme timestamps do not trap")
    func refusals() {
        let header = WebhookSignature.sign(body, secret: "s3cret", time: 1_000_000)
        #expect(throws: WebhookSignature.Failure.mismatch) { try WebhookSignature.verify(header, body: body + [32], secret: "s3cret", now: 1_000_000) }
        #expect(throws: WebhookSignature.Failure.mismatch) { try WebhookSignature.verify(header, body: body, secret: "other", now: 1_000_000) }
        #expect(throws: WebhookSignature.Failure.missing) { try WebhookSignature.verify(nil, body: body, secret: "s3cret", now: 1_000_000) }
        #expect(throws: WebhookSignature.Failure.malformed) { try WebhookSignature.verify("v1=abc", body: body, secret: "s3cret", now: 1) }
        let ancient = WebhookSignature.sign(body, secret: "s3cret", time: .min)
        #expect(throws: WebhookSignature.Failure.self) { try WebhookSignature.verify(ancient, body: body, secret: "s3cret", now: .max) }
    }
}
