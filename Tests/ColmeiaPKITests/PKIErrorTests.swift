import Testing
@testable import ColmeiaPKI

@Suite struct PKIErrorTests {
    @Test func messagesUseTheUsersWords() {
        #expect(PKIError.expired.description == "the certificate has expired")
        #expect(PKIError.invalidCSR(reason: "bad signature").description == "certificate signing request is not valid: bad signature")
        #expect(PKIError.untrusted(reason: "").description == "certificate is not signed by the cluster's root CA")
        #expect(PKIError.caFingerprintMismatch(expected: "ab").description == "remote CA does not match fingerprint. Expected: ab")
        #expect(NodeRole.manager.organizationalUnit == "swarm-manager")
        #expect(NodeRole(organizationalUnit: "swarm-worker") == .worker)
        #expect(NodeRole(organizationalUnit: "swarm-ca") == nil)
    }
}
